/**
 * Which recorded statements the differential may send to PostgreSQL in one round trip. A round
 * trip to PGlite costs more than most schema statements themselves, and a scenario's world is
 * mostly schema: its tables, indexes, functions and triggers, then the migration's DDL.
 *
 * A batch runs as one implicit transaction where the engine autocommitted each statement, so only
 * statements for which that makes no difference go in one: schema statements (no rows to compare,
 * none queues a deferred check or re-checks a row the transaction wrote, as an UPDATE would)
 * that succeeded in the engine, outside a transaction block, at the clock already set, and none of
 * the CONCURRENTLY forms, which refuse a transaction block. When PostgreSQL refuses one statement
 * of a batch, the whole batch rolls back and its statements run again one by one, so a divergence
 * is found and reported at the same statement as without batching.
 */
import type { Statement } from '../engine/statements/registry.js';
import type { RecordedStatement } from './recorder.js';

/** The kinds that change only the schema, each of which PostgreSQL runs inside a transaction block. */
const SCHEMA_KINDS: ReadonlySet<Statement['kind']> = new Set<Statement['kind']>([
  'addColumn',
  'addConstraint',
  'attachIndex',
  'attachPartition',
  'createIndex',
  'createSequence',
  'createTable',
  'createTrigger',
  'detachPartition',
  'disableTrigger',
  'dropColumn',
  'dropConstraint',
  'dropIndex',
  'dropSequence',
  'dropTable',
  'dropTrigger',
  'enableTrigger',
  'renameColumn',
  'renameConstraint',
  'renameIndex',
  'renameSequence',
  'renameTable',
  'setColumnDefault',
  'setColumnNotNull',
  'setSequenceOwner',
  'validateConstraint',
]);

/** Statements per batch at most (a failed batch runs its statements again one by one). */
export const MAX_BATCH = 64;

function batchable(statement: RecordedStatement, clock: number): boolean {
  return (
    statement.sql !== null &&
    statement.outcome.status === 'ok' &&
    statement.clock === clock &&
    SCHEMA_KINDS.has(statement.statement.kind) &&
    !/\bCONCURRENTLY\b/i.test(statement.sql)
  );
}

/**
 * The end (exclusive) of the statements from `start` that may run as one batch, given the clock
 * last set on PostgreSQL (null: unknown) and whether the session is inside a transaction block;
 * `start + 1` or less means no batch.
 */
export function batchEnd(
  recorded: readonly RecordedStatement[],
  start: number,
  clock: number | null,
  inTransactionBlock: boolean,
): number {
  if (inTransactionBlock || clock === null) return start;
  const limit = Math.min(recorded.length, start + MAX_BATCH);
  let end = start;
  while (end < limit && batchable(recorded[end]!, clock)) end++;
  return end;
}
