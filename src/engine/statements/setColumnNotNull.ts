/** ALTER TABLE … ALTER COLUMN … SET NOT NULL / DROP NOT NULL. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { setColumnNotNull } from '../ddl/tableDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface SetColumnNotNullStatement {
  readonly kind: 'setColumnNotNull';
  readonly table: string;
  readonly column: string;
  readonly notNull: boolean;
}

export const setColumnNotNullKind = defineStatement<SetColumnNotNullStatement, void>({
  kind: 'setColumnNotNull',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, column, notNull }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    setColumnNotNull(session, table, column, notNull);
  },
  render: ({ table, column, notNull }) =>
    `ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(column)} ${notNull ? 'SET' : 'DROP'} NOT NULL`,
});
