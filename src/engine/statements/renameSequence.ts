/** ALTER SEQUENCE … RENAME TO …. */
import { renameSequence } from '../ddl/sequenceDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RenameSequenceStatement {
  readonly kind: 'renameSequence';
  readonly name: string;
  readonly newName: string;
}

export const renameSequenceKind = defineStatement<RenameSequenceStatement, void>({
  kind: 'renameSequence',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, newName }) => renameSequence(session, name, newName),
  render: ({ name, newName }) => `ALTER SEQUENCE ${ident(name)} RENAME TO ${ident(newName)}`,
});
