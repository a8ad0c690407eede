import { GITLAB_PROBES } from '../probes.js';
import { archiveName, replaceWithPartitionedTable as swapTables } from '../tableSwap.js';
import { partitionedSourceField, readPartitionedSource } from './copyTableParameter.js';
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';

/**
 * `replace_with_partitioned_table(table)` (docs/semantics.md §f). Like `ReplaceCiRunnersWithPartitionedTable2` it
 * skips when `<table>_archived` already exists, so a re-run migration is harmless.
 */
export function replaceWithPartitionedTable(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'replace_with_partitioned_table',
    description:
      "GitLab's replace_with_partitioned_table (17.10): in one transaction the legacy table becomes <table>_archived and the partitioned copy takes the table's name (its partitions renamed alike), with a sync trigger from the new table back to the archive. Skips when <table>_archived exists.",
    parameters: { fields: { table: partitionedSourceField(catalog) }, required: ['table'] },
    parse: (reader) => ({ spec: readPartitionedSource(reader, catalog) }),
    run: (world, { spec }) => {
      const archive = archiveName(spec.source);
      if (world.db.hasTable(archive))
        return {
          summary: `replace_with_partitioned_table ${spec.source}: ${archive} already exists, skipping`,
          applied: false,
        };
      const { record, reverse } = swapTables(world.db, spec, world.currentStep);
      world.rollout.swaps.push(record);
      world.rollout.reverseSyncPairs.push(reverse);
      if (record.legacyTriggers.length > 0) world.probes.hit(GITLAB_PROBES.triggerLeftOnArchive);
      const renamed = record.partitionRenames.map(([, to]) => to).join(', ');
      return {
        summary: `replace_with_partitioned_table ${spec.source}: ${spec.copy} is now ${spec.source} (${renamed}), the legacy table is ${archive}, ${reverse.triggerName} syncs ${spec.source} → ${archive}`,
        applied: true,
      };
    },
  });
}
