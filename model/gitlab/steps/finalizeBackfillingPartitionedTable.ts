import { finalizeMigration } from '../batchedMigrations.js';
import { readPartitionedSource } from './copyTableParameter.js';
import { defineStep } from './defineStep.js';

/**
 * `finalize_backfilling_partitioned_table(table)`: `ensure_batched_background_migration_is_finished`
 * with `finalize: true`, i.e. the remaining batches run inline now. A missing migration is only a
 * warning in GitLab, and so it is here.
 */
export const finalizeBackfillingPartitionedTable = defineStep({
  name: 'finalize_backfilling_partitioned_table',
  fields: ['table'],
  parse: (reader) => ({ spec: readPartitionedSource(reader) }),
  run: (world, { spec }) => {
    const migration = world.backgroundMigrations.find((candidate) => candidate.kind === 'partitionBackfill' && candidate.table === spec.source);
    if (migration === undefined) return { summary: `finalize_backfilling_partitioned_table ${spec.source}: could not find the batched background migration (warning)`, applied: false };
    if (migration.status === 'finished') return { summary: `finalize_backfilling_partitioned_table ${spec.source}: ${migration.name} had already finished`, applied: true };
    const batches = finalizeMigration(world, migration);
    return { summary: `finalize_backfilling_partitioned_table ${spec.source}: ran ${batches.length} remaining batch${batches.length === 1 ? '' : 'es'} of ${migration.name}`, applied: true };
  },
});
