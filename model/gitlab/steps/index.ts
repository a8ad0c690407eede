/**
 * GitLab's migration helpers as step kinds, for any world implementing `MigrationWorld`. The
 * steps that name tables, jobs or flags take them from the world's catalog, so a plan naming
 * something the world does not have is refused when it is loaded.
 */
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { addCheckConstraint } from './addCheckConstraint.js';
import { addColumn } from './addColumn.js';
import { addConcurrentForeignKey } from './addConcurrentForeignKey.js';
import { addConcurrentPartitionedForeignKey } from './addConcurrentPartitionedForeignKey.js';
import { addLooseForeignKey } from './addLooseForeignKey.js';
import { addUniqueIdConstraintOnPartitions } from './addUniqueIdConstraintOnPartitions.js';
import { enqueueBackgroundMigration } from './enqueueBackgroundMigration.js';
import { enqueuePartitioningDataMigration } from './enqueuePartitioningDataMigration.js';
import { ensureUniqueId } from './ensureUniqueId.js';
import { finalizeBackfillingPartitionedTable } from './finalizeBackfillingPartitionedTable.js';
import { finalizeBackgroundMigration } from './finalizeBackgroundMigration.js';
import { partitionTableByList } from './partitionTableByList.js';
import { removeForeignKey } from './removeForeignKey.js';
import { replaceWithPartitionedTable } from './replaceWithPartitionedTable.js';
import { runBackgroundMigrationBatches } from './runBackgroundMigrationBatches.js';
import { setFeatureFlag } from './setFeatureFlag.js';
import { switchRecordChangeTracking } from './switchRecordChangeTracking.js';
import { validateCheckConstraint } from './validateCheckConstraint.js';
import { validateForeignKey } from './validateForeignKey.js';

export function migrationHelperSteps(catalog: MigrationCatalog): StepKind<MigrationWorld>[] {
  return [
    partitionTableByList(catalog),
    enqueuePartitioningDataMigration(catalog),
    finalizeBackfillingPartitionedTable(catalog),
    addConcurrentForeignKey,
    addConcurrentPartitionedForeignKey,
    validateForeignKey,
    removeForeignKey,
    addCheckConstraint,
    validateCheckConstraint,
    enqueueBackgroundMigration(catalog),
    finalizeBackgroundMigration(catalog),
    runBackgroundMigrationBatches(catalog),
    setFeatureFlag(catalog),
    addLooseForeignKey,
    addColumn,
    addUniqueIdConstraintOnPartitions,
    replaceWithPartitionedTable(catalog),
    ensureUniqueId,
    switchRecordChangeTracking,
  ];
}

/** Step kinds by name, as a `Domain` lists them. */
export function stepsByName<W extends MigrationWorld>(steps: readonly StepKind<W>[]): ReadonlyMap<string, StepKind<W>> {
  return new Map(steps.map((step) => [step.name, step]));
}
