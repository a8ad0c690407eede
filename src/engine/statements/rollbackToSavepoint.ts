/** ROLLBACK TO SAVEPOINT …: undoes what followed the savepoint and leaves an aborted block active again. */
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RollbackToSavepointStatement {
  readonly kind: 'rollbackToSavepoint';
  readonly name: string;
}

export const rollbackToSavepointKind = defineStatement<RollbackToSavepointStatement, void>({
  kind: 'rollbackToSavepoint',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session, { name }) => session.rollbackToSavepoint(name),
  render: ({ name }) => `ROLLBACK TO SAVEPOINT ${ident(name)}`,
});
