/** ALTER TABLE … ADD COLUMN [IF NOT EXISTS] …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { addColumn } from '../ddl/tableDdl.js';
import type { ColumnSpec } from '../ddl/specs.js';
import { renderColumn } from '../sql/renderSchema.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface AddColumnOptions {
  readonly ifNotExists?: boolean;
}

export interface AddColumnStatement {
  readonly kind: 'addColumn';
  readonly table: string;
  readonly column: ColumnSpec;
  readonly options: AddColumnOptions;
}

export const addColumnKind = defineStatement<AddColumnStatement, void>({
  kind: 'addColumn',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, column, options }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    addColumn(session, table, column, options);
  },
  render: ({ table, column, options }) =>
    `ALTER TABLE ${ident(table)} ADD COLUMN ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${renderColumn(column)}`,
});
