/** SAVEPOINT …: marks a point the block can roll back to. */
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface SavepointStatement {
  readonly kind: 'savepoint';
  readonly name: string;
}

export const savepointKind = defineStatement<SavepointStatement, void>({
  kind: 'savepoint',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session, { name }) => session.savepoint(name),
  render: ({ name }) => `SAVEPOINT ${ident(name)}`,
});
