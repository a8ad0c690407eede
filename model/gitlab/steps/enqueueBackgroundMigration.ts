import { PgError, SqlState } from '../../../src/index.js';
import { registerOrphanedCopyManagersCleanup } from '../batchedMigrations.js';
import { MANAGERS_COPY, RUNNERS_COPY } from '../../runners/partitionedCopies.js';
import { readMigrationName } from './backgroundMigrationParameter.js';
import { defineStep } from './defineStep.js';
import { ROW_BACKFILL_JOBS } from '../../runners/rowBackfills.js';
import { registerRowBackfill } from '../rowBackfillBatches.js';

/**
 * `queue_batched_background_migration` for `DeleteOrphanedPartitionedCiRunnerMachineRecords`
 * (§a.2): deletes copy managers whose runner is missing from the runner copy; or for one of the
 * row backfills of the sharding-key rollout (model/runners/rowBackfills.ts), which need no copies.
 */
export const enqueueBackgroundMigration = defineStep({
  name: 'enqueue_background_migration',
  fields: ['migration'],
  parse: (reader) => ({ migration: readMigrationName(reader) }),
  run: (world, { migration }) => {
    const rowBackfill = ROW_BACKFILL_JOBS.get(migration);
    if (rowBackfill !== undefined) {
      if (world.backgroundMigrations.some((candidate) => candidate.name === migration && candidate.status === 'active')) return { summary: `enqueue_background_migration: ${migration} is already queued`, applied: false };
      const queued = registerRowBackfill(world, rowBackfill);
      return { summary: `enqueue_background_migration: queued ${queued.name} over ${queued.table} (batch size ${queued.batchSize})`, applied: true };
    }
    for (const table of [MANAGERS_COPY, RUNNERS_COPY]) if (!world.db.hasTable(table)) throw new PgError(SqlState.undefinedTable, `relation "${table}" does not exist`);
    const existing = world.backgroundMigrations.find((candidate) => candidate.name === migration && candidate.status === 'active');
    if (existing !== undefined) return { summary: `enqueue_background_migration: ${migration} is already queued`, applied: false };
    const queued = registerOrphanedCopyManagersCleanup(world);
    return { summary: `enqueue_background_migration: queued ${queued.name} over ${queued.table} (batch size ${queued.batchSize})`, applied: true };
  },
});
