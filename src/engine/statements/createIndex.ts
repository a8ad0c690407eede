/**
 * CREATE [UNIQUE] INDEX [CONCURRENTLY] …; its result is the index name (chosen by PostgreSQL's
 * rules when omitted).
 *
 * CONCURRENTLY (GitLab's `add_concurrent_index`) runs as transactions of its own, as PostgreSQL
 * does: it is refused inside a transaction block (25001) and on a partitioned table (0A000); its
 * catalog entry commits before the build, so a build that fails (a duplicate key of a UNIQUE
 * index, 23505) leaves the index behind INVALID: it keeps the name (42P07 for the next CREATE),
 * enforces nothing, is no ON CONFLICT arbiter, cannot back a constraint, and DROP INDEX removes it.
 * Its waits for other transactions (the lock it shares with writers, the waits for older
 * snapshots between its phases) are not modelled: under a scheduler it runs without waiting.
 */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { buildIndex, createIndex, leaveInvalidIndex, prepareIndex } from '../ddl/indexDdl.js';
import type { IndexSpec } from '../ddl/specs.js';
import { isPgError } from '../errors.js';
import type { EngineState } from '../session.js';
import { renderCreateIndex } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';
import { refuseTransactionBlock } from './ownTransactions.js';

export interface CreateIndexStatement {
  readonly kind: 'createIndex';
  readonly spec: IndexSpec;
  /** CREATE INDEX CONCURRENTLY. */
  readonly concurrently?: boolean;
}

function createConcurrently(session: EngineState, spec: IndexSpec): string {
  refuseTransactionBlock(session, 'CREATE INDEX CONCURRENTLY');
  const prepared = session.runStatement(() => {
    guardTableNotInUse(session, spec.table, 'CREATE INDEX', true);
    return prepareIndex(session, spec, true);
  });
  try {
    return session.runStatement(() => buildIndex(session, prepared)).name;
  } catch (error) {
    if (isPgError(error)) session.runStatement(() => leaveInvalidIndex(session, prepared));
    throw error;
  }
}

export const createIndexKind = defineStatement<CreateIndexStatement, string>({
  kind: 'createIndex',
  envelope: (statement) => (statement.concurrently === true ? 'ownTransactions' : 'atomic'),
  returnsRows: false,
  execute: (session, { spec, concurrently }) => {
    if (concurrently === true) return createConcurrently(session, spec);
    guardTableNotInUse(session, spec.table, 'CREATE INDEX', true);
    return createIndex(session, spec).name;
  },
  render: ({ spec, concurrently }, catalog) => renderCreateIndex(spec, catalog, concurrently === true),
});
