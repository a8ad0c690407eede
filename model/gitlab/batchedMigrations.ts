import { and, col, eq, exists, gt, inList, isPgError, isSatisfiedAsFilter, not, outer } from '../../src/index.js';
import type { PgError, Row } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';
import type { OperationOutcome } from '../../src/harness/domain.js';
import { MANAGERS_COPY, PARTITIONED_COPIES, RUNNERS_COPY } from '../runners/partitionedCopies.js';
import type { PartitionedCopySpec } from '../runners/partitionedCopies.js';
import { integerField } from '../runners/records.js';
import { runRowBackfillBatch } from './rowBackfillBatches.js';
import type { BatchedMigration, RunnersWorld } from '../runners/world.js';

/**
 * GitLab's batched background migrations, one batch per tick. A batch is one transaction, as
 * each of GitLab's sub-batches is; the scheduler interleaves application traffic between
 * batches, which is exactly where the incident's race lived.
 */
export const ORPHANED_COPY_MANAGERS_JOB = 'DeleteOrphanedPartitionedCiRunnerMachineRecords';

/** GitLab retries a failed batch job a few times before marking the migration failed. */
export const MAX_BATCH_ATTEMPTS = 3;

export function registerPartitionBackfill(world: RunnersWorld, spec: PartitionedCopySpec): BatchedMigration {
  const migration: BatchedMigration = { name: spec.backfillJob, table: spec.source, kind: 'partitionBackfill', target: spec.copy, cursor: 0, status: 'active', batchSize: world.batchSize, failedAttempts: 0, lastError: null };
  world.backgroundMigrations.push(migration);
  return migration;
}

export function registerOrphanedCopyManagersCleanup(world: RunnersWorld): BatchedMigration {
  const migration: BatchedMigration = { name: ORPHANED_COPY_MANAGERS_JOB, table: MANAGERS_COPY, kind: 'deleteOrphanedCopyManagers', target: RUNNERS_COPY, cursor: 0, status: 'active', batchSize: world.batchSize, failedAttempts: 0, lastError: null };
  world.backgroundMigrations.push(migration);
  return migration;
}

const ascendingId = [{ column: 'id', direction: 'asc' as const }];

function idRange(batch: readonly Row[]): string {
  const first = batch[0];
  const last = batch[batch.length - 1];
  assert(first !== undefined && last !== undefined, 'an id range needs a non-empty batch');
  return first === last ? `id ${String(first['id'])}` : `ids ${String(first['id'])}..${String(last['id'])}`;
}

function finish(world: RunnersWorld, migration: BatchedMigration): void {
  migration.status = 'finished';
  if (migration.kind === 'partitionBackfill') world.backfillFinishedAt.set(migration.table, world.currentStep);
}

function remainsAboveCursor(world: RunnersWorld, migration: BatchedMigration): boolean {
  return world.db.rows(migration.table).some((row) => integerField(row, 'id') > migration.cursor);
}

/**
 * BulkCopy: `INSERT INTO copy (cols) SELECT cols FROM source WHERE <filter> AND id in batch
 * ON CONFLICT (id, runner_type) DO NOTHING`. The filter drops rows; the cursor still passes them.
 */
function runBackfillBatch(world: RunnersWorld, migration: BatchedMigration): string {
  const spec = PARTITIONED_COPIES.get(migration.table);
  assert(spec !== undefined, `no partitioned copy is registered for ${migration.table}`);
  const { db } = world;
  const sourceColumns = new Set(db.describe(migration.table).columns.map((column) => column.name));
  const columns = db.describe(migration.target).columns.map((column) => column.name).filter((name) => sourceColumns.has(name));
  const result = db.transaction(() => {
    const batch = db.select(migration.table, { where: gt(col('id'), migration.cursor), orderBy: ascendingId, limit: migration.batchSize });
    if (batch.length === 0) return null;
    const copyable = batch.filter((row) => spec.backfillFilter === null || isSatisfiedAsFilter(spec.backfillFilter, { row }));
    const inserted = copyable.length === 0 ? [] : db.insert(migration.target, copyable.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null]))), { onConflict: { target: spec.primaryKey, action: 'nothing' } });
    return { batch, copyable, inserted: inserted.length };
  });
  if (result === null) return 'nothing left to copy';
  const decisions = world.backfillDecisions.get(migration.table) ?? new Map();
  world.backfillDecisions.set(migration.table, decisions);
  const copyableIds = new Set(result.copyable.map((row) => integerField(row, 'id')));
  for (const row of result.batch) {
    const id = integerField(row, 'id');
    decisions.set(id, { step: world.currentStep, copied: copyableIds.has(id) });
  }
  migration.cursor = integerField(result.batch[result.batch.length - 1]!, 'id');
  const skipped = result.batch.length - result.copyable.length;
  return `${idRange(result.batch)}: inserted ${result.inserted}, already present ${result.copyable.length - result.inserted}, skipped ${skipped} orphan${skipped === 1 ? '' : 's'}`;
}

/** Deletes copy managers of the batch whose (runner_id, runner_type) is missing from the runner copy. */
function runOrphanedCopyManagersBatch(world: RunnersWorld, migration: BatchedMigration): string {
  const { db } = world;
  const result = db.transaction(() => {
    const batch = db.select(migration.table, { where: gt(col('id'), migration.cursor), orderBy: ascendingId, limit: migration.batchSize });
    if (batch.length === 0) return null;
    const runnerMissing = not(exists({ table: migration.target, where: and(eq(col('id'), outer(migration.table, 'runner_id')), eq(col('runner_type'), outer(migration.table, 'runner_type'))) }));
    const deleted = db.delete(migration.table, and(inList(col('id'), batch.map((row) => integerField(row, 'id'))), runnerMissing));
    return { batch, deleted: deleted.length };
  });
  if (result === null) return 'nothing left to check';
  migration.cursor = integerField(result.batch[result.batch.length - 1]!, 'id');
  return `${idRange(result.batch)}: deleted ${result.deleted} orphaned copy manager${result.deleted === 1 ? '' : 's'}`;
}

/** Runs one batch; a PgError propagates with the cursor unchanged (the batch rolled back). */
export function runBatchOrThrow(world: RunnersWorld, migration: BatchedMigration): string {
  assert(migration.status !== 'finished', `${migration.name} has already finished`);
  const description = migration.kind === 'partitionBackfill' ? runBackfillBatch(world, migration) : migration.kind === 'rowBackfill' ? runRowBackfillBatch(world, migration) : runOrphanedCopyManagersBatch(world, migration);
  migration.failedAttempts = 0;
  migration.lastError = null;
  if (migration.status === 'failed') migration.status = 'active';
  const finished = !remainsAboveCursor(world, migration);
  if (finished) finish(world, migration);
  const state = finished ? 'finished' : `cursor ${migration.cursor}`;
  return `${migration.name} batch ${description} (${state})`;
}

/** One background tick: a failing batch is retried on later ticks, then the migration is marked failed. */
export function runBatch(world: RunnersWorld, migration: BatchedMigration): OperationOutcome {
  try {
    return { summary: runBatchOrThrow(world, migration), applied: true };
  } catch (error) {
    if (!isPgError(error)) throw error;
    return { summary: recordBatchFailure(migration, error), applied: true };
  }
}

function recordBatchFailure(migration: BatchedMigration, error: PgError): string {
  migration.failedAttempts += 1;
  migration.lastError = error;
  if (migration.failedAttempts >= MAX_BATCH_ATTEMPTS) migration.status = 'failed';
  const state = migration.status === 'failed' ? `migration marked failed after ${migration.failedAttempts} attempts` : `attempt ${migration.failedAttempts} of ${MAX_BATCH_ATTEMPTS}`;
  return `${migration.name} batch after id ${migration.cursor} failed: ${error.describe()} (${state})`;
}

/** An upper bound on batches for one migration: every id of its table once, plus the final empty batch. */
export function batchBound(world: RunnersWorld, migration: BatchedMigration): number {
  return world.db.rows(migration.table).length + 2;
}

/**
 * `ensure_batched_background_migration_is_finished(finalize: true)`: runs the remaining
 * batches inline; a failing batch fails the migration that called it.
 */
export function finalizeMigration(world: RunnersWorld, migration: BatchedMigration): string[] {
  const summaries: string[] = [];
  const bound = batchBound(world, migration);
  for (let batches = 0; migration.status !== 'finished'; batches++) {
    assert(batches <= bound, `${migration.name} did not finish within ${bound} batches`);
    summaries.push(runBatchOrThrow(world, migration));
  }
  return summaries;
}
