import { finalizeMigration } from '../batchedMigrations.js';
import { mutated } from '../mutations.js';
import { partitionedSourceField, readPartitionedSource } from './copyTableParameter.js';
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';

/**
 * `finalize_backfilling_partitioned_table(table)`: `ensure_batched_background_migration_is_finished`
 * with `finalize: true`, i.e. the remaining batches run inline now. A missing migration is only a
 * warning in GitLab, and so it is here.
 */
export function finalizeBackfillingPartitionedTable(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'finalize_backfilling_partitioned_table',
    description:
      "finalize_backfilling_partitioned_table: ensure_batched_background_migration_is_finished with finalize: true, i.e. the remaining batches of the copy's backfill run inline now. A missing migration is a warning.",
    parameters: { fields: { table: partitionedSourceField(catalog) }, required: ['table'] },
    parse: (reader) => ({ spec: readPartitionedSource(reader, catalog) }),
    run: (world, { spec }) => {
      const migration = world.bookkeeping.migrations.find(
        (candidate) => candidate.kind === 'partitionBackfill' && candidate.table === spec.source,
      );
      if (migration === undefined)
        return {
          summary: `finalize_backfilling_partitioned_table ${spec.source}: could not find the batched background migration (warning)`,
          applied: false,
        };
      if (migration.status === 'finished')
        return {
          summary: `finalize_backfilling_partitioned_table ${spec.source}: ${migration.name} had already finished`,
          applied: true,
        };
      if (mutated('finalize-partitioned-backfill-skips-batches')) {
        world.setMigration({ ...migration, status: 'finished' });
        return {
          summary: `finalize_backfilling_partitioned_table ${spec.source}: marked ${migration.name} finished`,
          applied: true,
        };
      }
      const batches = finalizeMigration(world, migration);
      return {
        summary: `finalize_backfilling_partitioned_table ${spec.source}: ran ${batches.length} remaining batch${batches.length === 1 ? '' : 'es'} of ${migration.name}`,
        applied: true,
      };
    },
  });
}
