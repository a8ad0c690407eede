import { PgError, SqlState } from '../../src/index.js';
import { registerOrphanedCopyManagersCleanup } from '../batchedMigrations.js';
import { MANAGERS_COPY, RUNNERS_COPY } from '../gitlabTables.js';
import { readMigrationName } from './backgroundMigrationParameter.js';
import { defineStep } from './defineStep.js';

/**
 * `queue_batched_background_migration` for `DeleteOrphanedPartitionedCiRunnerMachineRecords`
 * (§a.2): deletes copy managers whose runner is missing from the runner copy.
 */
export const enqueueBackgroundMigration = defineStep({
  name: 'enqueue_background_migration',
  fields: ['migration'],
  parse: (reader) => ({ migration: readMigrationName(reader) }),
  run: (world, { migration }) => {
    for (const table of [MANAGERS_COPY, RUNNERS_COPY]) if (!world.db.hasTable(table)) throw new PgError(SqlState.undefinedTable, `relation "${table}" does not exist`);
    const existing = world.backgroundMigrations.find((candidate) => candidate.name === migration && candidate.status === 'active');
    if (existing !== undefined) return { summary: `enqueue_background_migration: ${migration} is already queued`, applied: false };
    const queued = registerOrphanedCopyManagersCleanup(world);
    return { summary: `enqueue_background_migration: queued ${queued.name} over ${queued.table} (batch size ${queued.batchSize})`, applied: true };
  },
});
