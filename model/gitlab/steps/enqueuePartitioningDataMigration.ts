import { PgError, SqlState } from '../../../src/index.js';
import { registerPartitionBackfill } from '../batchedMigrations.js';
import { partitionedSourceField, readPartitionedSource } from './copyTableParameter.js';
import { BATCH_SIZE_FIELD } from './backgroundMigrationParameter.js';
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
    description:
      "enqueue_partitioning_data_migration: queues the batched backfill of the table's partitioned copy (BackfillCiRunnersPartitionedTable and alike); background ticks then copy one batch at a time. An active or finished backfill is left alone.",
    parameters: {
      fields: {
        table: partitionedSourceField(catalog),
        batchSize: BATCH_SIZE_FIELD,
        lockSourceRows: {
          kind: 'boolean',
          default: true,
          description:
            "Each sub-batch's INSERT … SELECT locks the source rows it copies with FOR UPDATE, as GitLab's BulkCopy does; false models a design without it, whose copy can end stale when traffic updates or deletes a row the copy is reading.",
        },
      },
      required: ['table'],
    },
    parse: (reader) => ({
      spec: readPartitionedSource(reader, catalog),
      batchSize: reader.optionalInteger('batchSize') ?? undefined,
      lockSourceRows: reader.boolean('lockSourceRows'),
    }),
    run: (world, { spec, batchSize, lockSourceRows }) => {
      if (!world.db.hasTable(spec.copy))
        throw new PgError(SqlState.undefinedTable, `relation "${spec.copy}" does not exist`);
      const existing = world.bookkeeping.migrations.find(
        (migration) =>
          migration.kind === 'partitionBackfill' && migration.table === spec.source && migration.status !== 'failed',
      );
      if (existing !== undefined)
        return {
          summary: `enqueue_partitioning_data_migration ${spec.source}: ${existing.name} is already queued (${existing.status})`,
          applied: false,
        };
      const migration = registerPartitionBackfill(world, spec, batchSize, lockSourceRows);
      return {
        summary: `enqueue_partitioning_data_migration ${spec.source}: queued ${migration.name} into ${spec.copy} (batch size ${migration.batchSize}${lockSourceRows ? '' : ', without FOR UPDATE'})`,
        applied: true,
      };
    },
  });
}
