/**
 * `queue_batched_background_migration` for one of the world's batched jobs: the runners world's
 * `DeleteOrphanedPartitionedCiRunnerMachineRecords` (§a.2), which deletes copy managers whose
 * runner is missing from the runner copy, or a row backfill (model/runners/rowBackfills.ts).
 * A job whose relations are missing fails the migration; an active one is not queued twice.
 */
import { PgError, SqlState } from '../../../src/index.js';
import type { StepKind } from '../../../src/harness/domain.js';
import { registerBatchedJob } from '../batchedMigrations.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { readBatchedJob } from './backgroundMigrationParameter.js';
import { defineStep } from './defineStep.js';

export function enqueueBackgroundMigration(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'enqueue_background_migration',
    fields: ['migration'],
    parse: (reader) => ({ job: readBatchedJob(reader, catalog) }),
    run: (world, { job }) => {
      for (const table of job.requiredTables)
        if (!world.db.hasTable(table)) throw new PgError(SqlState.undefinedTable, `relation "${table}" does not exist`);
      if (
        world.bookkeeping.migrations.some((candidate) => candidate.name === job.name && candidate.status === 'active')
      )
        return { summary: `enqueue_background_migration: ${job.name} is already queued`, applied: false };
      const queued = registerBatchedJob(world, job);
      return {
        summary: `enqueue_background_migration: queued ${queued.name} over ${queued.table} (batch size ${queued.batchSize})`,
        applied: true,
      };
    },
  });
}
