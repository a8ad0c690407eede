/** ALTER INDEX … RENAME TO …. */
import { renameIndex } from '../ddl/indexDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RenameIndexStatement {
  readonly kind: 'renameIndex';
  readonly name: string;
  readonly newName: string;
}

export const renameIndexKind = defineStatement<RenameIndexStatement, void>({
  kind: 'renameIndex',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, newName }) => renameIndex(session, name, newName),
  render: ({ name, newName }) => `ALTER INDEX ${ident(name)} RENAME TO ${ident(newName)}`,
});
