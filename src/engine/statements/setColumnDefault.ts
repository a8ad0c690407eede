/** ALTER TABLE … ALTER COLUMN … SET DEFAULT … / DROP DEFAULT (`value` undefined). */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { setColumnDefault } from '../ddl/tableDdl.js';
import type { ColumnDefaultSpec } from '../ddl/specs.js';
import { columnType } from '../sql/renderExpr.js';
import { renderDefault } from '../sql/renderSchema.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface SetColumnDefaultStatement {
  readonly kind: 'setColumnDefault';
  readonly table: string;
  readonly column: string;
  readonly value: ColumnDefaultSpec | undefined;
}

export const setColumnDefaultKind = defineStatement<SetColumnDefaultStatement, void>({
  kind: 'setColumnDefault',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, column, value }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    setColumnDefault(session, table, column, value);
  },
  render: ({ table, column, value }, catalog) => {
    const action =
      value === undefined ? 'DROP DEFAULT' : `SET DEFAULT ${renderDefault(value, columnType(catalog, table, column))}`;
    return `ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(column)} ${action}`;
  },
});
