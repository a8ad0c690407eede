import { Tx, isPgError, runSerially } from '../../../src/index.js';
import type { PgError, Work } from '../../../src/index.js';
import type { MigrationWorld } from '../migrationWorld.js';
import { definitionsInForce, trackedParents } from './looseForeignKeysState.js';
import { cleanChildBatch } from './cleanerService.js';
import {
  CLEANUP_ATTEMPTS_BEFORE_RESCHEDULE,
  incrementAttempts,
  loadBatchForTable,
  markRecordsProcessed,
  reschedule,
} from './deletedRecordQueue.js';
import type { DeletedRecord } from './deletedRecordQueue.js';
import type { LooseForeignKeyDefinition } from './definitions.js';
import { mutated } from '../mutations.js';

/**
 * `LooseForeignKeys::CleanupWorker` → `ProcessDeletedRecordsService` → `BatchCleanerService`
 * (docs/semantics.md §b.3), one run per call. The run cycles through the parent tables (GitLab shuffles them;
 * `rotation` picks the start deterministically), loads a batch of pending records per table,
 * and for each definition runs the cleaner twice (the `FOR UPDATE SKIP LOCKED` pass, then the plain
 * one; run serially nothing is locked, so the second pass only continues what a limit did not stop;
 * in a session the first pass skips child rows another transaction holds and the plain one waits for them).
 * The run is a coroutine of statements (src/coroutines/transactionApi.ts) with GitLab's boundaries:
 * every query in autocommit.
 * A batch is marked processed only if the run is not over its modification limit; otherwise its
 * records get `cleanup_attempts + 1`, or, at 3 attempts, are rescheduled 5 minutes later.
 */
export const LFK_PROBES = {
  overLimit: 'lfk-cleanup-over-limit',
  rescheduled: 'lfk-record-rescheduled',
  childCleaned: 'lfk-child-cleaned',
} as const;

export interface CleanupRun {
  readonly summary: string;
  /** False when no parent with definitions had pending records. */
  readonly didWork: boolean;
  readonly overLimit: boolean;
  /** Set when a query failed: the run stopped there, with whatever it had cleaned kept. */
  readonly failed: boolean;
}

/**
 * The rows a run modified, counted apart from its ModificationTracker: what `background-work-bounded`
 * holds the run to, whatever the tracker decided.
 */
class RunTally {
  rows = 0;
}

class ModificationTracker {
  private modifications = 0;

  constructor(private readonly limit: number) {}

  add(count: number): void {
    this.modifications += count;
  }

  get overLimit(): boolean {
    return this.modifications >= this.limit;
  }
}

function* runCleanerPass(
  tx: Tx,
  world: MigrationWorld,
  definition: LooseForeignKeyDefinition,
  parentIds: readonly number[],
  tracker: ModificationTracker,
  skipLocked: boolean,
  tally: RunTally,
): Work<CleanerPass> {
  const { looseForeignKeys } = world;
  const limit =
    definition.onDelete === 'async_delete'
      ? looseForeignKeys.limits.deleteQueryLimit
      : looseForeignKeys.limits.updateQueryLimit;
  let total = 0;
  for (;;) {
    const cleaned = yield* cleanChildBatch(tx, definition, parentIds, limit, skipLocked);
    if (cleaned.length > limit)
      world.oversizedWork.push({
        step: world.currentStep,
        job: 'LooseForeignKeys::CleanupWorker',
        what: `${definition.onDelete === 'async_delete' ? 'DELETE FROM' : 'UPDATE'} ${definition.childTable} (${definition.onDelete === 'async_delete' ? 'deleteQueryLimit' : 'updateQueryLimit'})`,
        rows: cleaned.length,
        limit,
      });
    tracker.add(cleaned.length);
    tally.rows += cleaned.length;
    total += cleaned.length;
    for (const row of cleaned)
      looseForeignKeys.recordCleanup(definition.childTable, row.childId, {
        definition,
        parentId: row.parentId,
        step: world.currentStep,
      });
    if (tracker.overLimit || cleaned.length === 0 || mutated('lfk-cleaner-single-query'))
      return { cleaned: total, exhausted: cleaned.length === 0 };
  }
}

/** What one cleaner pass did: the child rows it cleaned, and whether its last query found none left. */
interface CleanerPass {
  readonly cleaned: number;
  readonly exhausted: boolean;
}

/** BatchCleanerService: returns a line for the run's summary. */
function* cleanBatch(
  tx: Tx,
  world: MigrationWorld,
  parentTable: string,
  records: readonly DeletedRecord[],
  tracker: ModificationTracker,
  tally: RunTally,
): Work<string> {
  const definitions = definitionsInForce(world).filter((definition) => definition.parentTable === parentTable);
  // The deleted rows' ids: the records' primary_key_value (BatchCleanerService's `deleted_parent_records`).
  const parentIds = records.map((record) =>
    mutated('lfk-cleaner-uses-record-ids') ? record.id : record.primaryKeyValue,
  );
  const parts: string[] = [];
  // Whether every definition's last query found no child row of these parents left (what the batch saw).
  let exhausted = true;
  for (const definition of definitions) {
    let cleaned = 0;
    let lastPass: CleanerPass | null = null;
    for (const skipLocked of [true, false]) {
      lastPass = yield* runCleanerPass(tx, world, definition, parentIds, tracker, skipLocked, tally);
      cleaned += lastPass.cleaned;
      if (tracker.overLimit) break;
    }
    exhausted &&= lastPass?.exhausted ?? true;
    if (cleaned > 0) {
      world.probes.hit(LFK_PROBES.childCleaned);
      parts.push(
        `${definition.onDelete === 'async_delete' ? 'deleted' : 'nullified'} ${cleaned} ${definition.childTable}`,
      );
    }
    if (tracker.overLimit) break;
  }
  const ids = records.map((record) => record.primaryKeyValue).join(', ');
  if (!tracker.overLimit || mutated('lfk-marks-processed-over-limit')) {
    yield* markRecordsProcessed(tx, records);
    world.looseForeignKeys.recordProcessed(
      records.map((record) => record.id),
      { step: world.currentStep, batchTable: parentTable, cleanedParentIds: parentIds, exhausted },
    );
    return `${parentTable} ${ids}: ${[...parts, 'processed'].join(', ')}`;
  }
  world.probes.hit(LFK_PROBES.overLimit);
  const due = records.filter((record) => record.cleanupAttempts >= CLEANUP_ATTEMPTS_BEFORE_RESCHEDULE);
  const others = records.filter((record) => record.cleanupAttempts < CLEANUP_ATTEMPTS_BEFORE_RESCHEDULE);
  if (due.length > 0) {
    world.probes.hit(LFK_PROBES.rescheduled);
    yield* reschedule(tx, due);
  }
  yield* incrementAttempts(tx, others);
  const consequence = due.length > 0 ? `over the limit, ${due.length} rescheduled` : 'over the limit, attempts counted';
  return `${parentTable} ${ids}: ${[...parts, consequence].join(', ')}`;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** One run serially; a failing query ends it (the cleanup queries run outside any transaction, so earlier ones stay). */
export function runLooseForeignKeysCleanup(world: MigrationWorld, rotation: number): CleanupRun {
  try {
    return runSerially(world.db, runCleanup(new Tx(world.db, 0), world, rotation));
  } catch (error) {
    if (!isPgError(error)) throw error;
    return cleanupFailed(world, error);
  }
}

/**
 * One run in a session of its own (a plan whose concurrency allows workers), statement by statement.
 * A failing query, a deadlock (40P01) or lock timeout (55P03) included, ends the run as serially: the
 * worker is a cron job with `sidekiq_options retry: false`, so nothing retries it but the next cron run.
 */
export function* looseForeignKeysCleanupWork(world: MigrationWorld, rotation: number, tx: Tx): Work<CleanupRun> {
  try {
    return yield* runCleanup(tx, world, rotation);
  } catch (error) {
    if (!isPgError(error)) throw error;
    return cleanupFailed(world, error);
  }
}

function cleanupFailed(world: MigrationWorld, error: PgError): CleanupRun {
  const summary = `LooseForeignKeys::CleanupWorker failed: ${error.describe()}`;
  world.backgroundFailures.push({ step: world.currentStep, job: 'LooseForeignKeys::CleanupWorker', error, summary });
  return { summary, didWork: true, overLimit: false, failed: true };
}

/**
 * A run stops once its modifications reach modificationLimit, checked after each query, so the query
 * that crosses the limit is the last: a run modifies at most modificationLimit - 1 rows plus one
 * query's limit. More means the run did not count its modifications across all its parent tables.
 */
function recordRunOverLimit(world: MigrationWorld, tally: RunTally): void {
  const { modificationLimit, deleteQueryLimit, updateQueryLimit } = world.looseForeignKeys.limits;
  const bound = modificationLimit - 1 + Math.max(deleteQueryLimit, updateQueryLimit);
  if (tally.rows > bound)
    world.oversizedWork.push({
      step: world.currentStep,
      job: 'LooseForeignKeys::CleanupWorker',
      what: 'cleanup run (modificationLimit)',
      rows: tally.rows,
      limit: bound,
      scope: 'run',
    });
}

function* runCleanup(tx: Tx, world: MigrationWorld, rotation: number): Work<CleanupRun> {
  const tracker = new ModificationTracker(world.looseForeignKeys.limits.modificationLimit);
  const tally = new RunTally();
  const cycle = rotate(trackedParents(world).sort(), rotation);
  const lines: string[] = [];
  for (let index = 0; cycle.length > 0; ) {
    const parentTable = cycle[index % cycle.length]!;
    const records = yield* loadBatchForTable(tx, parentTable, world.looseForeignKeys.limits.recordBatchSize);
    if (records.length === 0) {
      cycle.splice(index % cycle.length, 1);
      continue;
    }
    const counted = mutated('lfk-modification-limit-per-table')
      ? new ModificationTracker(world.looseForeignKeys.limits.modificationLimit)
      : tracker;
    lines.push(yield* cleanBatch(tx, world, parentTable, records, counted, tally));
    if (tracker.overLimit) break;
    index++;
  }
  recordRunOverLimit(world, tally);
  const summary =
    lines.length === 0
      ? 'LooseForeignKeys::CleanupWorker: nothing pending'
      : `LooseForeignKeys::CleanupWorker: ${lines.join('; ')}`;
  return { summary, didWork: lines.length > 0, overLimit: tracker.overLimit, failed: false };
}
