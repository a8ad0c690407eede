/**
 * A second, small world that uses GitLab's migration helpers without any change to them: a
 * `ci_builds`-like table partitioned by `partition_id` into a copy whose builds must reference
 * `ci_pipelines`. Legacy builds may point at deleted pipelines (no foreign key existed), which is
 * what a foreign key on the copy must deal with. It proves that model/gitlab needs only
 * `MigrationWorld` and a catalog, and it is small enough to read in one sitting.
 */
import fc from 'fast-check';
import { Database, and, col, eq, exists, inList, not, outer } from '../../src/index.js';
import { ProbeCounter } from '../../src/harness/domain.js';
import type { JsonObject, OperationKind } from '../../src/harness/domain.js';
import { runBatch } from '../../model/gitlab/batchedMigrations.js';
import { BookkeepingVersions } from '../../model/gitlab/bookkeeping.js';
import type { BookkeepingRecipe, MigrationBookkeeping } from '../../model/gitlab/bookkeeping.js';
import {
  LooseForeignKeysState,
  installLooseForeignKeys,
} from '../../model/gitlab/looseForeignKeys/looseForeignKeysState.js';
import type {
  BackfillDecision,
  BackgroundFailure,
  OversizedWork,
  BatchedMigration,
  MigrationCatalog,
  MigrationWorld,
} from '../../model/gitlab/migrationWorld.js';
import { hashedObjectName, partitionedCopyName } from '../../model/gitlab/names.js';
import type { PartitionedCopySpec } from '../../model/gitlab/partitionedCopySpec.js';
import type { DeletionTracking } from '../../model/gitlab/looseForeignKeys/trackRecordDeletions.js';
import { rowBackfillJob } from '../../model/gitlab/rowBackfillBatches.js';
import { integerField } from '../../model/gitlab/rowFields.js';
import { RolloutRecord } from '../../model/gitlab/rolloutRecord.js';
import type { SyncPair } from '../../model/gitlab/syncTrigger.js';

export const PIPELINES = 'ci_pipelines';
export const BUILDS = 'ci_builds';
export const BUILDS_COPY = partitionedCopyName(BUILDS);
export const PARTITION_IDS = [100, 101] as const;
export const DANGLING_BUILDS_DELETED = 'dangling-builds-deleted';

const buildsCopy: PartitionedCopySpec = {
  source: BUILDS,
  copy: BUILDS_COPY,
  partitionColumn: 'partition_id',
  primaryKey: ['id', 'partition_id'],
  columns: [
    { name: 'id', type: 'bigint', notNull: true },
    { name: 'partition_id', type: 'bigint', notNull: true },
    { name: 'pipeline_id', type: 'bigint' },
    { name: 'status', type: 'text' },
  ],
  partitions: PARTITION_IDS.map((value) => ({ name: `ci_builds_${value}`, value, check: null })),
  uniqueIndexes: [],
  // The generic BackfillPartitionedTable copies every row.
  backfillFilter: null,
  backfillJob: 'BackfillPartitionedCiBuilds',
  triggerName: hashedObjectName(BUILDS, 'table_sync_trigger'),
  functionName: hashedObjectName(BUILDS, 'table_sync_function'),
};

/** A clean-up before the foreign key, as GitLab writes them: builds whose pipeline is gone are deleted in batches. */
const deleteBuildsWithoutPipeline = rowBackfillJob({
  name: 'DeleteBuildsWithoutPipeline',
  table: BUILDS,
  runBatch: function* (tx, ids) {
    const deleted = yield* tx.delete(
      BUILDS,
      and(
        inList(col('id'), [...ids]),
        not(exists({ table: PIPELINES, where: eq(col('id'), outer(BUILDS, 'pipeline_id')) })),
      ),
    );
    return deleted.length;
  },
  probeOnChange: DANGLING_BUILDS_DELETED,
});

export const BUILDS_CATALOG: MigrationCatalog = {
  partitionedCopies: new Map([[BUILDS, buildsCopy]]),
  batchedJobs: new Map([[deleteBuildsWithoutPipeline.name, deleteBuildsWithoutPipeline]]),
  featureFlags: [],
};

export class BuildsWorld implements MigrationWorld {
  readonly catalog = BUILDS_CATALOG;
  readonly probes = new ProbeCounter();
  readonly migrationFailures: string[] = [];
  currentStep = 0;
  buildingLegacy = false;
  readonly batchSize = 2;
  private readonly versions: BookkeepingVersions<MigrationBookkeeping>;
  readonly syncPairs: SyncPair[] = [];
  readonly syncInstalledAt = new Map<string, number>();
  readonly backfillFinishedAt = new Map<string, number>();
  readonly backfillDecisions = new Map<string, Map<number, BackfillDecision>>();
  readonly rollout = new RolloutRecord();
  readonly backgroundFailures: BackgroundFailure[] = [];
  readonly oversizedWork: OversizedWork[] = [];
  readonly looseForeignKeys: LooseForeignKeysState;

  /** Built on `db` when the oracle passes one that records every statement. */
  constructor(readonly db: Database = new Database()) {
    this.db.createTable({ name: PIPELINES, columns: [{ name: 'id', type: 'bigserial' }], primaryKey: ['id'] });
    this.db.createTable({
      name: BUILDS,
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 'partition_id', type: 'bigint', notNull: true },
        { name: 'pipeline_id', type: 'bigint' },
        { name: 'status', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    this.looseForeignKeys = new LooseForeignKeysState({
      recordBatchSize: 2,
      deleteQueryLimit: 2,
      updateQueryLimit: 1,
      modificationLimit: 3,
    });
    this.versions = new BookkeepingVersions<MigrationBookkeeping>({
      flags: new Map(),
      migrations: [],
      looseForeignKeys: installLooseForeignKeys(this.db, { definitions: [], trackedTables: [] }),
    });
  }

  get bookkeeping(): MigrationBookkeeping {
    return this.versions.current;
  }

  changeBookkeeping(recipe: BookkeepingRecipe<MigrationBookkeeping>): void {
    this.versions.change(recipe);
  }

  setMigration(migration: BatchedMigration): void {
    this.versions.setMigration(migration);
  }

  addDeletionTracking(tracking: DeletionTracking): void {
    this.versions.addDeletionTracking(tracking);
  }
}

const pipelineIds = (db: Database): number[] =>
  db
    .rows(PIPELINES)
    .map((row) => integerField(row, 'id'))
    .sort((left, right) => left - right);
const buildIds = (db: Database): number[] =>
  db
    .rows(BUILDS)
    .map((row) => integerField(row, 'id'))
    .sort((left, right) => left - right);
const pick = <T>(items: readonly T[], index: number): T | undefined =>
  items.length === 0 ? undefined : items[index % items.length];
const nat = (args: JsonObject, name: string): number => args[name] as number;

const legacyCreatePipeline: OperationKind<BuildsWorld> = {
  name: 'legacyCreatePipeline',
  description: 'A pipeline created before the plan.',
  args: fc.constant({}),
  run: (world) => {
    const [row] = world.db.insert(PIPELINES, {});
    return { summary: `legacy pipeline ${String(row!['id'])}`, applied: true };
  },
};

/** A build from before the plan; `dangling` ones point at a pipeline deleted long ago. */
const legacyCreateBuild: OperationKind<BuildsWorld> = {
  name: 'legacyCreateBuild',
  description: 'A build created before the plan; a dangling one points at a pipeline deleted long ago.',
  args: fc.record({ pipeline: fc.nat(3), partition: fc.nat(1), dangling: fc.boolean() }),
  run: (world, args) => {
    const pipeline =
      args['dangling'] === true ? 1000 + nat(args, 'pipeline') : pick(pipelineIds(world.db), nat(args, 'pipeline'));
    if (pipeline === undefined) return { summary: 'legacy build: no pipeline yet', applied: false };
    const [row] = world.db.insert(BUILDS, {
      partition_id: PARTITION_IDS[nat(args, 'partition')]!,
      pipeline_id: pipeline,
      status: 'created',
    });
    return { summary: `legacy build ${String(row!['id'])} of pipeline ${pipeline}`, applied: true };
  },
};

const createPipeline: OperationKind<BuildsWorld> = {
  ...legacyCreatePipeline,
  name: 'createPipeline',
  description: 'Ci::CreatePipelineService creates a pipeline.',
};

/** `Ci::CreatePipelineService` adds builds to a live pipeline only. */
const createBuild: OperationKind<BuildsWorld> = {
  name: 'createBuild',
  description: 'Ci::CreatePipelineService adds a build to a live pipeline.',
  args: fc.record({ pipeline: fc.nat(3), partition: fc.nat(1) }),
  run: (world, args) => {
    const pipeline = pick(pipelineIds(world.db), nat(args, 'pipeline'));
    if (pipeline === undefined) return { summary: 'create build: no pipeline', applied: false };
    const [row] = world.db.insert(BUILDS, {
      partition_id: PARTITION_IDS[nat(args, 'partition')]!,
      pipeline_id: pipeline,
      status: 'created',
    });
    return { summary: `build ${String(row!['id'])} of pipeline ${pipeline}`, applied: true };
  },
};

const finishBuild: OperationKind<BuildsWorld> = {
  name: 'finishBuild',
  description: 'A build succeeds (UPDATE of its status).',
  args: fc.record({ build: fc.nat(5) }),
  run: (world, args) => {
    const build = pick(buildIds(world.db), nat(args, 'build'));
    if (build === undefined) return { summary: 'finish build: no build', applied: false };
    world.db.update(BUILDS, { status: 'success' }, eq(col('id'), build));
    return { summary: `build ${build} succeeded`, applied: true };
  },
};

/** `Ci::DestroyPipelineService`: the pipeline's builds go first, in the same transaction. */
const deletePipeline: OperationKind<BuildsWorld> = {
  name: 'deletePipeline',
  description: 'Ci::DestroyPipelineService deletes a pipeline and its builds in one transaction.',
  args: fc.record({ pipeline: fc.nat(3) }),
  run: (world, args) => {
    const pipeline = pick(pipelineIds(world.db), nat(args, 'pipeline'));
    if (pipeline === undefined) return { summary: 'delete pipeline: none', applied: false };
    const builds = world.db.transaction((db) => {
      const deleted = db.delete(BUILDS, eq(col('pipeline_id'), pipeline));
      db.delete(PIPELINES, eq(col('id'), pipeline));
      return deleted.length;
    });
    return { summary: `pipeline ${pipeline} deleted with ${builds} build${builds === 1 ? '' : 's'}`, applied: true };
  },
};

const backgroundTick: OperationKind<BuildsWorld> = {
  name: 'backgroundTick',
  description: 'Sidekiq runs one batch of an active batched background migration.',
  args: fc.record({ migration: fc.nat(1) }),
  run: (world, args) => {
    const migration = pick(
      world.bookkeeping.migrations.filter((candidate) => candidate.status === 'active'),
      nat(args, 'migration'),
    );
    return migration === undefined
      ? { summary: 'background tick: nothing active', applied: false }
      : runBatch(world, migration);
  },
};

export const BUILDS_LEGACY_OPERATIONS = [legacyCreatePipeline, legacyCreateBuild];
export const BUILDS_TRAFFIC_OPERATIONS = [createPipeline, createBuild, finishBuild, deletePipeline, backgroundTick];
