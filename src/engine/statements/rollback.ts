/** ROLLBACK: undoes the whole transaction block. */
import { defineStatement } from './definition.js';

export interface RollbackStatement {
  readonly kind: 'rollback';
}

export const rollbackKind = defineStatement<RollbackStatement, void>({
  kind: 'rollback',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session) => session.rollback(),
  render: () => 'ROLLBACK',
});
