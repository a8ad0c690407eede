/**
 * GitLab's batched background migrations, one batch per tick. A batch is one transaction, as
 * each of GitLab's sub-batches is; the scheduler interleaves application traffic between
 * batches, which is exactly where the incident's race lived. Partition backfills come from the
 * copy's spec; every other job is the world's (`MigrationCatalog.batchedJobs`).
 */
import { Tx, and, col, ge, gt, isPgError, isSatisfiedAsFilter, le, lt, runSerially } from '../../src/index.js';
import type { Expr, PgError, Row, TableInfo, Work } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';
import type { OperationOutcome } from '../../src/harness/domain.js';
import type { PartitionedCopySpec } from './partitionedCopySpec.js';
import { integerField } from './rowFields.js';
import type { BatchOutcome, BatchedJob, BatchedMigration, MigrationWorld } from './migrationWorld.js';
import { mutated } from './mutations.js';

/** GitLab retries a failed batch job a few times before marking the migration failed. */
export const MAX_BATCH_ATTEMPTS = 3;

type NewMigration = Pick<BatchedMigration, 'name' | 'table' | 'kind' | 'target' | 'lockSourceRows'>;

function register(world: MigrationWorld, queued: NewMigration, batchSize: number): BatchedMigration {
  const id = world.bookkeeping.migrations.length;
  const migration: BatchedMigration = {
    id,
    ...queued,
    cursor: 0,
    status: 'active',
    batchSize,
    failedAttempts: 0,
    lastError: null,
  };
  world.setMigration(migration);
  return current(world, migration);
}

/** The latest version of a migration: bookkeeping changes replace it, so a held copy may be stale. */
export function current(world: MigrationWorld, migration: BatchedMigration): BatchedMigration {
  const latest = world.bookkeeping.migrations[migration.id];
  assert(
    latest !== undefined && latest.name === migration.name,
    `batched migration ${migration.id} is not ${migration.name}`,
  );
  return latest;
}

function update(
  world: MigrationWorld,
  migration: BatchedMigration,
  changes: Partial<Pick<BatchedMigration, 'cursor' | 'status' | 'failedAttempts' | 'lastError'>>,
): BatchedMigration {
  world.setMigration({ ...current(world, migration), ...changes });
  return current(world, migration);
}

export function registerPartitionBackfill(
  world: MigrationWorld,
  spec: PartitionedCopySpec,
  batchSize = world.batchSize,
  lockSourceRows = true,
): BatchedMigration {
  const queued = {
    name: spec.backfillJob,
    table: spec.source,
    kind: 'partitionBackfill',
    target: spec.copy,
    ...(lockSourceRows ? {} : { lockSourceRows }),
  };
  return register(world, queued, batchSize);
}

/** `queue_batched_background_migration` for one of the world's jobs, by default with the world's batch size. */
export function registerBatchedJob(
  world: MigrationWorld,
  job: BatchedJob,
  batchSize = world.batchSize,
): BatchedMigration {
  return register(world, { name: job.name, table: job.table, kind: job.kind, target: job.target }, batchSize);
}

const ascendingId = [{ column: 'id', direction: 'asc' as const }];

const between = (column: Expr, low: number, high: number): Expr => and(ge(column, low), le(column, high));

/** `id 3` or `ids 3..7`: the ids a batch covered, for its summary. */
export function idRange(batch: readonly Row[]): string {
  const first = batch[0];
  const last = batch[batch.length - 1];
  assert(first !== undefined && last !== undefined, 'an id range needs a non-empty batch');
  return first === last ? `id ${String(first['id'])}` : `ids ${String(first['id'])}..${String(last['id'])}`;
}

/** Which of `ids` have a row in `table` now. */
function idsIn(world: MigrationWorld, table: string, ids: ReadonlySet<number>): Set<number> {
  const found = new Set<number>();
  if (ids.size === 0) return found;
  for (const row of world.db.rows(table)) {
    const id = integerField(row, 'id');
    if (ids.has(id)) found.add(id);
  }
  return found;
}

function remainsAboveCursor(world: MigrationWorld, table: string, cursor: number): boolean {
  return world.db.rows(table).some((row) => integerField(row, 'id') > cursor);
}

/** The last `sharedColumns` answer and the two descriptions it was computed from. */
let lastShared: { readonly source: TableInfo; readonly target: TableInfo; readonly columns: readonly string[] } | null =
  null;

/**
 * The target's columns the source also has, in the target's order: what a backfill batch copies.
 * `describe` hands out one frozen description per table and catalog version, so consecutive batches
 * over an unchanged catalog pass the very same two objects: the answer depends only on their
 * contents, which never change, so the two identities are a sufficient key for the last answer.
 */
function sharedColumns(source: TableInfo, target: TableInfo): readonly string[] {
  assert(Object.isFrozen(source) && Object.isFrozen(target), 'table descriptions are frozen');
  if (lastShared !== null && lastShared.source === source && lastShared.target === target) return lastShared.columns;
  const sourceColumns = new Set(source.columns.map((column) => column.name));
  const columns = Object.freeze(target.columns.map((column) => column.name).filter((name) => sourceColumns.has(name)));
  lastShared = { source, target, columns };
  return columns;
}

/**
 * One batch of the partitioning backfill (docs/semantics.md §a.2), as GitLab runs it: the batching
 * strategy reads the next `batchSize` ids above the cursor, then `BulkCopy#copy_relation` copies
 * them with one statement, `INSERT INTO copy (cols) SELECT cols FROM source WHERE id BETWEEN a AND b
 * AND <filter> FOR UPDATE ON CONFLICT (<copy's key>) DO NOTHING`, in autocommit. `FOR UPDATE` makes
 * the copy wait for a source row's running writer and re-read it (docs/concurrency.md, semantics 3-4);
 * a migration queued with `lockSourceRows: false` drops it, a design whose copy can end stale.
 * The filter drops rows; the cursor still passes them.
 */
function* backfillBatchWork(world: MigrationWorld, migration: BatchedMigration, tx: Tx): Work<BackfillBatch | null> {
  const spec = world.catalog.partitionedCopies.get(migration.table);
  assert(spec !== undefined, `no partitioned copy is registered for ${migration.table}`);
  const columns = sharedColumns(tx.catalog.describe(migration.table), tx.catalog.describe(migration.target));
  const batch = yield* tx.select(migration.table, {
    where: gt(col('id'), migration.cursor),
    orderBy: ascendingId,
    limit: migration.batchSize,
  });
  if (batch.length === 0) return null;
  const ignoresFilter = spec.backfillFilter === null || mutated('backfill-ignores-filter');
  const last = integerField(batch[batch.length - 1]!, 'id');
  const range = mutated('backfill-range-excludes-batch-end')
    ? and(ge(col('id'), integerField(batch[0]!, 'id')), lt(col('id'), last))
    : between(col('id'), integerField(batch[0]!, 'id'), last);
  const inserted = yield* tx.execute({
    kind: 'insertSelect',
    table: migration.target,
    columns,
    query: {
      table: migration.table,
      select: columns.map((column) => col(column)),
      where: ignoresFilter ? range : and(range, spec.backfillFilter!),
      ...(migration.lockSourceRows === false || mutated('backfill-sub-batch-no-for-update')
        ? {}
        : {
            locking: {
              strength: 'Update' as const,
              ...(mutated('backfill-sub-batch-nowait') ? { wait: 'nowait' as const } : {}),
            },
          }),
    },
    options: { onConflict: { target: spec.primaryKey, action: 'nothing' } },
  });
  // What the backfill decided about each row of the batch, as the batching read saw it (for explanations).
  const copyable = batch.filter((row) => ignoresFilter || isSatisfiedAsFilter(spec.backfillFilter, { row }));
  return {
    batch,
    copyable,
    inserted: inserted.length,
    insertedIds: new Set(inserted.map((row) => integerField(row, 'id'))),
  };
}

interface BackfillBatch {
  readonly batch: readonly Row[];
  readonly copyable: readonly Row[];
  readonly inserted: number;
  readonly insertedIds: ReadonlySet<number>;
}

/** A partitioning backfill's batch, and what it decided about each row (kept for explanations). */
function* backfillBatchOutcome(world: MigrationWorld, migration: BatchedMigration, tx: Tx): Work<BatchOutcome> {
  const result = yield* backfillBatchWork(world, migration, tx);
  if (result === null) return { summary: 'nothing left to copy', cursor: null };
  if (result.batch.length > migration.batchSize)
    world.oversizedWork.push({
      step: world.currentStep,
      job: migration.name,
      what: `batch of ${migration.table} (batch_size)`,
      rows: result.batch.length,
      limit: migration.batchSize,
    });
  const spec = world.catalog.partitionedCopies.get(migration.table)!;
  const decisions = world.backfillDecisions.get(migration.table) ?? new Map();
  world.backfillDecisions.set(migration.table, decisions);
  const copyableIds = new Set(result.copyable.map((row) => integerField(row, 'id')));
  // The copy as the statement left it, read by the harness (no statement), for the explanations.
  const inCopy = idsIn(world, migration.target, new Set([...copyableIds].filter((id) => !result.insertedIds.has(id))));
  for (const row of result.batch) {
    const id = integerField(row, 'id');
    const copied = copyableIds.has(id);
    const insert = result.insertedIds.has(id) ? 'inserted' : inCopy.has(id) ? 'present' : 'notSelected';
    decisions.set(id, { step: world.currentStep, copied, ...(copied ? { insert } : {}) });
  }
  const present = result.copyable.length - result.inserted;
  // A filter skips rows (GitLab's runner backfills skip orphans); without one every row is copied.
  const skipped = result.batch.length - result.copyable.length;
  const skippedNote = spec.backfillFilter === null ? '' : `, skipped ${skipped} orphan${skipped === 1 ? '' : 's'}`;
  return {
    summary: `${idRange(result.batch)}: inserted ${result.inserted}, already present ${present}${skippedNote}`,
    cursor: integerField(result.batch[result.batch.length - 1]!, 'id') + (mutated('backfill-skips-batch-end') ? 1 : 0),
  };
}

/** One batch of any batched migration, as a coroutine of statements in GitLab's transaction boundaries. */
function batchWork(world: MigrationWorld, migration: BatchedMigration, tx: Tx): Work<BatchOutcome> {
  if (migration.kind === 'partitionBackfill') return backfillBatchOutcome(world, migration, tx);
  const job = world.catalog.batchedJobs.get(migration.name);
  assert(job !== undefined, `${migration.name} is not a batched job of this world`);
  return job.batchWork(world, migration, tx);
}

/** Moves the migration past a batch that succeeded; returns the batch's summary line. */
function batchSucceeded(world: MigrationWorld, migration: BatchedMigration, outcome: BatchOutcome): string {
  const latest = current(world, migration);
  const cursor = outcome.cursor ?? latest.cursor;
  const finished = !remainsAboveCursor(world, latest.table, cursor);
  // A batch that succeeds clears the failure count, and revives a migration marked failed.
  update(world, latest, { cursor, failedAttempts: 0, lastError: null, status: finished ? 'finished' : 'active' });
  if (finished && latest.kind === 'partitionBackfill') world.backfillFinishedAt.set(latest.table, world.currentStep);
  const state = finished ? 'finished' : `cursor ${cursor}`;
  return `${latest.name} batch ${outcome.summary} (${state})`;
}

/** Runs one batch serially, in one transaction; a PgError propagates with the cursor unchanged (the batch rolled back). */
export function runBatchOrThrow(world: MigrationWorld, migration: BatchedMigration): string {
  assert(migration.status !== 'finished', `${migration.name} has already finished`);
  const { db } = world;
  // Serially the batch runs inside one transaction, so a failing batch leaves nothing behind.
  const outcome = db.transaction(() => runSerially(db, batchWork(world, migration, new Tx(db, 1))));
  return batchSucceeded(world, migration, outcome);
}

/** One background tick: a failing batch is retried on later ticks, then the migration is marked failed. */
export function runBatch(world: MigrationWorld, migration: BatchedMigration): OperationOutcome {
  try {
    return { summary: runBatchOrThrow(world, migration), applied: true };
  } catch (error) {
    if (!isPgError(error)) throw error;
    return batchFailed(world, migration, error);
  }
}

/**
 * One background tick in a session of its own (a concurrent scenario with `workers`): the batch's
 * statements in GitLab's boundaries (each sub-batch statement commits on its own, so a batch that
 * fails midway keeps what it committed), then the migration's cursor moves, or the failure is
 * recorded as in `runBatch`: a deadlock (40P01) or lock timeout (55P03) is a failed batch like any other.
 */
export function* batchTickWork(world: MigrationWorld, migration: BatchedMigration, tx: Tx): Work<OperationOutcome> {
  const latest = current(world, migration);
  assert(latest.status !== 'finished', `${latest.name} has already finished`);
  let outcome: BatchOutcome;
  try {
    outcome = yield* batchWork(world, latest, tx);
  } catch (error) {
    if (!isPgError(error)) throw error;
    return batchFailed(world, current(world, migration), error);
  }
  return { summary: batchSucceeded(world, migration, outcome), applied: true };
}

function batchFailed(world: MigrationWorld, migration: BatchedMigration, error: PgError): OperationOutcome {
  const summary = recordBatchFailure(world, migration, error);
  world.backgroundFailures.push({ step: world.currentStep, job: migration.name, error, summary });
  return { summary, applied: true };
}

function recordBatchFailure(world: MigrationWorld, migration: BatchedMigration, error: PgError): string {
  const failedAttempts = migration.failedAttempts + 1;
  const failed = failedAttempts >= MAX_BATCH_ATTEMPTS;
  update(world, migration, { failedAttempts, lastError: error, ...(failed ? { status: 'failed' as const } : {}) });
  const state = failed
    ? `migration marked failed after ${failedAttempts} attempts`
    : `attempt ${failedAttempts} of ${MAX_BATCH_ATTEMPTS}`;
  return `${migration.name} batch after id ${migration.cursor} failed: ${error.describe()} (${state})`;
}

/** An upper bound on batches for one migration: every id of its table once, plus the final empty batch. */
export function batchBound(world: MigrationWorld, migration: BatchedMigration): number {
  return world.db.rows(migration.table).length + 2;
}

/**
 * `ensure_batched_background_migration_is_finished(finalize: true)`: runs the remaining
 * batches inline; a failing batch fails the migration that called it.
 */
export function finalizeMigration(world: MigrationWorld, migration: BatchedMigration): string[] {
  const summaries: string[] = [];
  const bound = batchBound(world, migration);
  for (let batches = 0; current(world, migration).status !== 'finished'; batches++) {
    assert(batches <= bound, `${migration.name} did not finish within ${bound} batches`);
    summaries.push(runBatchOrThrow(world, current(world, migration)));
  }
  return summaries;
}

/**
 * Quiescence for batched migrations: runs every active one to its end, in queue order. A batch
 * that keeps failing marks its migration failed after MAX_BATCH_ATTEMPTS, so the loop always ends.
 */
export function drainBatchedMigrations(world: MigrationWorld): OperationOutcome[] {
  const outcomes: OperationOutcome[] = [];
  // Only active migrations run; a finished one's table may be gone (a swap renamed the copy it cleaned).
  const bound = world.bookkeeping.migrations
    .filter((migration) => migration.status === 'active')
    .reduce((total, migration) => total + batchBound(world, migration) + MAX_BATCH_ATTEMPTS, 0);
  for (let ticks = 0; ; ticks++) {
    const migration = world.bookkeeping.migrations.find((candidate) => candidate.status === 'active');
    if (migration === undefined) break;
    assert(ticks <= bound, `background migrations did not drain within ${bound} batches`);
    outcomes.push(runBatch(world, migration));
  }
  return outcomes;
}
