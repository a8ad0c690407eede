/** COMMIT: in an aborted block it rolls back, and its result says so. */
import { defineStatement } from './definition.js';

export interface CommitStatement {
  readonly kind: 'commit';
}

export const commitKind = defineStatement<CommitStatement, 'COMMIT' | 'ROLLBACK'>({
  kind: 'commit',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session) => session.commit(),
  // Under a scheduler, deferred foreign-key checks may wait for another transaction's row lock.
  resume: (session) => session.commitResumable(),
  render: () => 'COMMIT',
});
