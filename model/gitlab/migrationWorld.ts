/**
 * The world GitLab's migration helpers run against: the few fields the steps, batched background
 * migrations and the loose-foreign-key worker read and write. A world (model/runners is one)
 * implements it and describes its tables and jobs in a `MigrationCatalog`; the helpers know
 * nothing else about it.
 */
import type { PgError, Row, Tx, Work } from '../../src/index.js';
import type { WorldBase } from '../../src/harness/domain.js';
import type { BookkeepingRecipe, MigrationBookkeeping } from './bookkeeping.js';
import type { LooseForeignKeysState } from './looseForeignKeys/looseForeignKeysState.js';
import type { DeletionTracking } from './looseForeignKeys/trackRecordDeletions.js';
import type { PartitionedCopySpec } from './partitionedCopySpec.js';
import type { RolloutRecord } from './rolloutRecord.js';
import type { SyncPair } from './syncTrigger.js';

/**
 * A batched background migration (GitLab's `batched_background_migrations` row): a cursor over
 * `table`'s ids, advanced one batch per tick.
 */
export interface BatchedMigration {
  /** Its index in the queue (`MigrationBookkeeping.migrations`), which identifies it across versions. */
  readonly id: number;
  /** GitLab's job class, e.g. `BackfillCiRunnersPartitionedTable`. */
  readonly name: string;
  /** The table whose ids the cursor walks: the source for a backfill, the copy of managers for the orphan cleanup. */
  readonly table: string;
  /** `partitionBackfill` for the partitioning helper's backfill; otherwise the `kind` of the world's `BatchedJob`. */
  readonly kind: string;
  /** The table the job writes or consults: the copy for a backfill, the runner copy for the orphan cleanup. */
  readonly target: string;
  /** The last id processed; 0 at the start. */
  readonly cursor: number;
  /** `failed` after a batch failed MAX_BATCH_ATTEMPTS times in a row, as GitLab marks failed jobs. */
  readonly status: 'active' | 'finished' | 'failed';
  readonly batchSize: number;
  /** Consecutive failed attempts of the current batch, and the last error. */
  readonly failedAttempts: number;
  readonly lastError: PgError | null;
  /**
   * A partition backfill's `FOR UPDATE` on the source rows it copies (GitLab's BulkCopy takes it);
   * false for a design that drops it. Absent for other jobs.
   */
  readonly lockSourceRows?: boolean;
}

/** What one batch did: a line for the trace, and the new cursor (null: no row was left above the old one). */
export interface BatchOutcome {
  readonly summary: string;
  readonly cursor: number | null;
}

/**
 * A batched background migration class a plan may queue by name (`enqueue_background_migration`);
 * partition backfills are queued by their own step from the copy's spec.
 */
export interface BatchedJob {
  readonly name: string;
  /** A label the world's invariants and explanations filter migrations by, e.g. `rowBackfill`. */
  readonly kind: string;
  readonly table: string;
  readonly target: string;
  /** Relations the migration reads; queueing it fails, as GitLab's migration does, when one is missing. */
  readonly requiredTables: readonly string[];
  /**
   * The batch after `migration.cursor`, as a coroutine of statements in GitLab's transaction
   * boundaries (src/coroutines/transactionApi.ts): the serial harness runs it inside one
   * transaction, a concurrent scenario in a session of its own.
   */
  batchWork(world: MigrationWorld, migration: BatchedMigration, tx: Tx): Work<BatchOutcome>;
}

/** What a backfill batch decided about one source row, kept for explanations. */
export interface BackfillDecision {
  readonly step: number;
  /** False when the row filter skipped it (an orphan: not instance-type and no sharding key). */
  readonly copied: boolean;
  /**
   * For a row the filter let through, what the sub-batch's INSERT … SELECT did with it: inserted its
   * copy row, met one already there (ON CONFLICT DO NOTHING), or did not select it at all.
   */
  readonly insert?: 'inserted' | 'present' | 'notSelected';
}

/** A background job's unit of work that ended in a database error (rolled back, to be retried or given up). */
export interface BackgroundFailure {
  /** The scenario step that ran it. */
  readonly step: number;
  /** GitLab's job or worker class, e.g. `BackfillCiRunnersPartitionedTable`. */
  readonly job: string;
  readonly error: PgError;
  /** One line: what failed and what happens next (retry, migration marked failed, job dead). */
  readonly summary: string;
}

/** A background statement that touched more rows than its batch size or query limit allows. */
export interface OversizedWork {
  readonly step: number;
  /** GitLab's job or worker class, e.g. `LooseForeignKeys::CleanupWorker`. */
  readonly job: string;
  /** What was bounded, e.g. `DELETE FROM ci_runner_taggings (deleteQueryLimit)`. */
  readonly what: string;
  readonly rows: number;
  readonly limit: number;
  /** `run`: a whole cleanup run over its modification limit, not one statement (absent: a statement). */
  readonly scope?: 'run';
}

/** The world-specific vocabulary of the helpers: which tables can be partitioned, which jobs queued, which flags set. */
export interface MigrationCatalog {
  /** Source table → how GitLab's partitioning migration copies it. */
  readonly partitionedCopies: ReadonlyMap<string, PartitionedCopySpec>;
  /** Job class → the batched background migration, in the order error messages list them. */
  readonly batchedJobs: ReadonlyMap<string, BatchedJob>;
  readonly featureFlags: readonly string[];
}

export interface MigrationWorld extends WorldBase {
  readonly catalog: MigrationCatalog;
  /** Batch size of every batched background migration the world queues. */
  readonly batchSize: number;
  /** Flags, migration cursors and states, LFK definitions: immutable, one version per change. */
  readonly bookkeeping: MigrationBookkeeping;
  changeBookkeeping(recipe: BookkeepingRecipe<MigrationBookkeeping>): void;
  /** Puts a batched migration's new version at its id (appending a new one): `BookkeepingVersions.setMigration`. */
  setMigration(migration: BatchedMigration): void;
  /** Appends a deletion tracking to the loose-foreign-key bookkeeping: `BookkeepingVersions.addDeletionTracking`. */
  addDeletionTracking(tracking: DeletionTracking): void;
  /** Sync triggers from a source into its partitioned copy, in the order they were installed. */
  readonly syncPairs: SyncPair[];
  /** Source table → scenario step when its sync trigger was installed. */
  readonly syncInstalledAt: Map<string, number>;
  /** Source table → scenario step when its partition backfill finished. */
  readonly backfillFinishedAt: Map<string, number>;
  /** Source table → id → what the backfill did with the row when its cursor passed it. */
  readonly backfillDecisions: Map<string, Map<number, BackfillDecision>>;
  /** The loose-foreign-key worker's limits and history (docs/semantics.md §b); its definitions are bookkeeping. */
  readonly looseForeignKeys: LooseForeignKeysState;
  /** What the table swaps and foreign-key reverts did. */
  readonly rollout: RolloutRecord;
  /**
   * Batches, owner-job steps and LFK cleanup runs that failed, in order (the
   * `background-work-succeeds` invariant reads it). History, so a plain record, not bookkeeping.
   */
  readonly backgroundFailures: BackgroundFailure[];
  /** Background statements that went over their batch size or limit (`background-work-bounded`). History. */
  readonly oversizedWork: OversizedWork[];
  /**
   * The named cause (`Violation.cause`) of a copy row that differs from its source, when the world
   * recognises one (a known race, model/runners/knownRaces.ts); absent or undefined: none.
   */
  copyRowCause?(copyTable: string, copy: Row): string | undefined;
}
