/** ALTER TABLE … DROP COLUMN [IF EXISTS] … [CASCADE]. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { dropColumn } from '../ddl/tableDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropColumnOptions {
  readonly ifExists?: boolean;
  readonly cascade?: boolean;
}

export interface DropColumnStatement {
  readonly kind: 'dropColumn';
  readonly table: string;
  readonly column: string;
  readonly options: DropColumnOptions;
}

export const dropColumnKind = defineStatement<DropColumnStatement, void>({
  kind: 'dropColumn',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, column, options }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    dropColumn(session, table, column, options);
  },
  render: ({ table, column, options }) =>
    `ALTER TABLE ${ident(table)} DROP COLUMN ${options.ifExists ? 'IF EXISTS ' : ''}${ident(column)}${options.cascade ? ' CASCADE' : ''}`,
});
