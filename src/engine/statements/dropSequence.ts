/** DROP SEQUENCE …. */
import { dropSequence } from '../ddl/sequenceDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropSequenceStatement {
  readonly kind: 'dropSequence';
  readonly name: string;
}

export const dropSequenceKind = defineStatement<DropSequenceStatement, void>({
  kind: 'dropSequence',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name }) => dropSequence(session, name),
  render: ({ name }) => `DROP SEQUENCE ${ident(name)}`,
});
