import { PgError, SqlState } from '../../../src/index.js';
import { registerPartitionBackfill } from '../batchedMigrations.js';
import { readPartitionedSource } from './copyTableParameter.js';
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';

/**
 * `enqueue_partitioning_data_migration(table, job)`: queues the batched backfill of the copy.
 * GitLab re-queues rather than duplicating, so an active or finished backfill is left alone.
 */
export function enqueuePartitioningDataMigration(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'enqueue_partitioning_data_migration',
    fields: ['table'],
    parse: (reader) => ({ spec: readPartitionedSource(reader, catalog) }),
    run: (world, { spec }) => {
      if (!world.db.hasTable(spec.copy)) throw new PgError(SqlState.undefinedTable, `relation "${spec.copy}" does not exist`);
      const existing = world.bookkeeping.migrations.find((migration) => migration.kind === 'partitionBackfill' && migration.table === spec.source && migration.status !== 'failed');
      if (existing !== undefined) return { summary: `enqueue_partitioning_data_migration ${spec.source}: ${existing.name} is already queued (${existing.status})`, applied: false };
      const migration = registerPartitionBackfill(world, spec);
      return { summary: `enqueue_partitioning_data_migration ${spec.source}: queued ${migration.name} into ${spec.copy} (batch size ${migration.batchSize})`, applied: true };
    },
  });
}
