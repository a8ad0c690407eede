/** ALTER TABLE … RENAME TO …. */
import { renameTable } from '../ddl/tableDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RenameTableStatement {
  readonly kind: 'renameTable';
  readonly name: string;
  readonly newName: string;
}

export const renameTableKind = defineStatement<RenameTableStatement, void>({
  kind: 'renameTable',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, newName }) => renameTable(session, name, newName),
  render: ({ name, newName }) => `ALTER TABLE ${ident(name)} RENAME TO ${ident(newName)}`,
});
