/**
 * `queue_batched_background_migration` for one of the world's batched jobs: the runners world's
 * `DeleteOrphanedPartitionedCiRunnerMachineRecords` (docs/semantics.md §a.2), which deletes copy managers whose
 * runner is missing from the runner copy, or a row backfill (model/runners/rowBackfills.ts).
 * A job whose relations are missing fails the migration; an active one is not queued twice.
 */
import { PgError, SqlState } from '../../../src/index.js';
import type { StepKind } from '../../../src/harness/domain.js';
import { registerBatchedJob } from '../batchedMigrations.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { BATCH_SIZE_FIELD, migrationField, readBatchedJob } from './backgroundMigrationParameter.js';
import { defineStep } from './defineStep.js';

export function enqueueBackgroundMigration(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'enqueue_background_migration',
    description:
      'queue_batched_background_migration for a job class of the world (for runners: the orphaned copy-manager clean-up, which needs both partitioned copies, or one of the row backfills and clean-ups of the sharding-key rollout). Background ticks then run one batch at a time. An active migration of that class is left alone.',
    parameters: {
      fields: { migration: migrationField(catalog), batchSize: BATCH_SIZE_FIELD },
      required: ['migration'],
    },
    parse: (reader) => ({
      job: readBatchedJob(reader, catalog),
      batchSize: reader.optionalInteger('batchSize') ?? undefined,
    }),
    run: (world, { job, batchSize }) => {
      for (const table of job.requiredTables)
        if (!world.db.hasTable(table)) throw new PgError(SqlState.undefinedTable, `relation "${table}" does not exist`);
      if (
        world.bookkeeping.migrations.some((candidate) => candidate.name === job.name && candidate.status === 'active')
      )
        return { summary: `enqueue_background_migration: ${job.name} is already queued`, applied: false };
      const queued = registerBatchedJob(world, job, batchSize);
      return {
        summary: `enqueue_background_migration: queued ${queued.name} over ${queued.table} (batch size ${queued.batchSize})`,
        applied: true,
      };
    },
  });
}
