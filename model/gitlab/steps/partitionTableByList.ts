import type { Database } from '../../../src/index.js';
import type { PartitionedCopySpec } from '../partitionedCopySpec.js';
import { installSyncTrigger, syncObjectNames } from '../syncTrigger.js';
import type { SyncPair } from '../syncTrigger.js';
import { partitionedSourceField, readPartitionedSource } from './copyTableParameter.js';
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';
import { mutated } from '../mutations.js';

/** A partition's LIST bound; the `partition-bounds-swapped` mutant exchanges group (2) and project (3) runners. */
function boundOf(value: number): number {
  if (!mutated('partition-bounds-swapped')) return value;
  return value === 2 ? 3 : value === 3 ? 2 : value;
}

/**
 * `partition_table_by_list(table, 'runner_type', …)` (docs/semantics.md §a.1, docs/semantics.md §a.2): in one transaction, creates
 * the partitioned copy, its LIST partitions with their CHECKs and unique indexes, and the sync
 * trigger from the source into the copy. Like GitLab's helper it skips (with a warning) when
 * the copy already exists.
 */
function createPartitionedCopy(db: Database, spec: PartitionedCopySpec): void {
  db.createTable({
    name: spec.copy,
    columns: spec.columns,
    primaryKey: spec.primaryKey,
    partitionBy: { list: spec.partitionColumn },
  });
  for (const partition of spec.partitions) {
    db.createTable({ name: partition.name, partitionOf: { parent: spec.copy, values: [boundOf(partition.value)] } });
    // Added with validate: true; the partitions are empty, so the CHECKs are valid from the start.
    if (partition.check !== null)
      db.addConstraint(partition.name, { kind: 'check', name: partition.check.name, expr: partition.check.expr });
  }
  for (const index of spec.uniqueIndexes) {
    db.createIndex({
      name: index.name,
      table: spec.copy,
      columns: index.columns,
      unique: true,
      ...(index.where === null ? {} : { where: index.where }),
    });
  }
}

export function partitionTableByList(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'partition_table_by_list',
    description:
      "GitLab's partition_table_by_list(table, 'runner_type'): in one transaction, creates the partitioned copy, its LIST partitions with their CHECKs and unique indexes, and the sync trigger from the source into the copy. Skips with a warning when the copy exists.",
    parameters: { fields: { table: partitionedSourceField(catalog) }, required: ['table'] },
    parse: (reader) => ({ spec: readPartitionedSource(reader, catalog) }),
    run: (world, { spec }) => {
      if (world.db.hasTable(spec.copy)) {
        return {
          summary: `partition_table_by_list ${spec.source}: ${spec.copy} already exists, skipping (warning)`,
          applied: false,
        };
      }
      // The function's column list is the copy's columns at this moment, frozen (docs/postgres-observed.md §10).
      const pair: SyncPair = {
        source: spec.source,
        copy: spec.copy,
        columns: spec.columns.map((column) => column.name),
        ...syncObjectNames(spec.source),
      };
      world.db.transaction((db) => {
        createPartitionedCopy(db, spec);
        installSyncTrigger(db, pair);
      });
      world.syncPairs.push(pair);
      world.syncInstalledAt.set(spec.source, world.currentStep);
      return {
        summary: `partition_table_by_list ${spec.source}: created ${spec.copy} (${spec.partitions.map((partition) => partition.name).join(', ')}) and ${pair.triggerName}`,
        applied: true,
      };
    },
  });
}
