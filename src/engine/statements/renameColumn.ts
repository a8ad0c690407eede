/** ALTER TABLE … RENAME COLUMN … TO …. */
import { renameColumn } from '../ddl/renameColumn.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RenameColumnStatement {
  readonly kind: 'renameColumn';
  readonly table: string;
  readonly column: string;
  readonly newName: string;
}

export const renameColumnKind = defineStatement<RenameColumnStatement, void>({
  kind: 'renameColumn',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, column, newName }) => renameColumn(session, table, column, newName),
  render: ({ table, column, newName }) =>
    `ALTER TABLE ${ident(table)} RENAME COLUMN ${ident(column)} TO ${ident(newName)}`,
});
