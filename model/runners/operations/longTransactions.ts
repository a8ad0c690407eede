/**
 * Long-running transactions as traffic (docs/plans.md, "concurrency", `longTransactions`): work that
 * keeps a transaction open for a bounded virtual time while holding locks, the situation in which a
 * migration's DDL waits and traffic queues behind it. Drawn only when a plan switches them on, and
 * always in a session of their own; they answer no API request, and a request waiting for them alone
 * does not count for `api-waits-bounded` (they would make it wait with or without a migration).
 *
 * - `longRunnerJob`: a job that holds a runner row: `SELECT … FROM ci_runners WHERE id = $1 FOR
 *   UPDATE`, optionally an UPDATE of the same row (whose sync trigger writes the copy, so the job
 *   then holds RowExclusive on the copy's partitions too), a sleep, COMMIT.
 * - `longReader`: a report that reads a table (AccessShare, which conflicts only with
 *   AccessExclusive: a table swap, ADD CHECK, ATTACH PARTITION of it) and keeps its transaction open.
 */
import fc from 'fast-check';
import { Tx, col, eq, isPgError, runSerially } from '../../../src/index.js';
import type { Work } from '../../../src/index.js';
import type { JsonObject, OperationKind, OperationOutcome, StartedOperation } from '../../../src/harness/domain.js';
import { RUNNER_REFERENCE } from '../collections.js';
import { RUNNERS_COPY } from '../partitionedCopies.js';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';

/**
 * How long a long transaction keeps its transaction open, in virtual milliseconds: short, medium,
 * long, and one longer than any lock_timeout of GitLab's `with_lock_retries` (10 s at most), about
 * as long as GitLab lets a statement run (a 15 s statement_timeout): without that one, a migration
 * step that waits with no lock_timeout at all could not be told from one under `with_lock_retries`
 * by any wait bound at or above 5 s.
 */
export const LONG_TRANSACTION_HOLDS_MS: readonly number[] = [100, 1000, 5000, 15000];

const holdArbitrary = fc.constantFrom(...LONG_TRANSACTION_HOLDS_MS);

function holdOf(args: JsonObject): number {
  const hold = natArg(args, 'holdMs');
  return LONG_TRANSACTION_HOLDS_MS.includes(hold) ? hold : LONG_TRANSACTION_HOLDS_MS[0]!;
}

/** A long transaction's statements, its outcome line, and the serial form (the same statements at once). */
function longTransaction(
  world: RunnersWorld,
  description: string,
  body: (tx: Tx) => Work<void>,
): { run(): OperationOutcome; started: StartedOperation } {
  const work = function* (tx: Tx): Work<OperationOutcome> {
    try {
      yield* tx.transaction(() => body(tx));
    } catch (error) {
      if (!isPgError(error)) throw error;
      return { summary: `${description} → ${error.code} ${error.message}`, applied: true };
    }
    return { summary: `${description} → committed`, applied: true };
  };
  return {
    // Serially nothing else runs while it holds its locks: the same statements, one transaction.
    run: () => runSerially(world.db, work(new Tx(world.db, 0))),
    started: { work },
  };
}

function runnerJob(world: RunnersWorld, args: JsonObject) {
  const runner = pickRunner(world, natArg(args, 'runner'));
  if (runner === undefined) return null;
  const update = args['update'] === true;
  const holdMs = holdOf(args);
  const description = `job holding runner ${runner.id} (FOR UPDATE${update ? ', UPDATE' : ''}, ${holdMs} ms)`;
  return longTransaction(world, description, function* (tx) {
    yield* tx.select(RUNNERS, { where: eq(col('id'), runner.id), locking: { strength: 'Update' } });
    if (update) {
      world.db.advanceClock(1);
      yield* tx.update(RUNNERS, { contacted_at: tx.now }, eq(col('id'), runner.id));
    }
    yield* tx.sleep(holdMs);
  });
}

export const longRunnerJob: OperationKind<RunnersWorld> = {
  name: 'longRunnerJob',
  description:
    'A job that holds a runner row in a long transaction: SELECT … FROM ci_runners WHERE id = $1 FOR UPDATE, with update an UPDATE of its contacted_at (the sync trigger writes the copy), then it keeps the transaction open for holdMs virtual ms (100, 1000, 5000 or 15000) and commits. Needs concurrency.longTransactions. runner: index newest first.',
  role: 'longTransaction',
  args: fc.record({ runner: runnerIndexArbitrary, update: fc.boolean(), holdMs: holdArbitrary }),
  references: RUNNER_REFERENCE,
  run(world, args) {
    return runnerJob(world, args)?.run() ?? { summary: 'long runner job: no runner yet', applied: false };
  },
  start(world, args) {
    return runnerJob(world, args)?.started ?? { summary: 'long runner job: no runner yet', applied: false };
  },
};

/** The tables a long reader may read, in order; those that do not exist (yet, or any more) are skipped. */
const READ_TABLES: readonly string[] = [RUNNERS_COPY, RUNNERS, MANAGERS];

function reader(world: RunnersWorld, args: JsonObject) {
  const tables = READ_TABLES.filter((table) => world.db.hasTable(table));
  if (tables.length === 0) return null;
  const table = tables[natArg(args, 'table') % tables.length]!;
  const holdMs = holdOf(args);
  return longTransaction(world, `long reader of ${table} (${holdMs} ms)`, function* (tx) {
    yield* tx.select(table, { limit: 1 });
    yield* tx.sleep(holdMs);
  });
}

export const longReader: OperationKind<RunnersWorld> = {
  name: 'longReader',
  description:
    'A long reader: BEGIN, a SELECT of a table (table: index into the runners copy, ci_runners, ci_runner_machines, those that exist), which holds AccessShare on it, then the transaction stays open for holdMs virtual ms (100, 1000, 5000 or 15000) and commits. Needs concurrency.longTransactions.',
  role: 'longTransaction',
  args: fc.record({ table: fc.nat(2), holdMs: holdArbitrary }),
  run(world, args) {
    return reader(world, args)?.run() ?? { summary: 'long reader: no table to read', applied: false };
  },
  start(world, args) {
    return reader(world, args)?.started ?? { summary: 'long reader: no table to read', applied: false };
  },
};
