import type { StepKind } from '../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import { addCheckConstraint } from './addCheckConstraint.js';
import { addConcurrentForeignKey } from './addConcurrentForeignKey.js';
import { addConcurrentPartitionedForeignKey } from './addConcurrentPartitionedForeignKey.js';
import { deployCode } from './deployCode.js';
import { enqueueBackgroundMigration } from './enqueueBackgroundMigration.js';
import { enqueuePartitioningDataMigration } from './enqueuePartitioningDataMigration.js';
import { finalizeBackfillingPartitionedTable } from './finalizeBackfillingPartitionedTable.js';
import { finalizeBackgroundMigration } from './finalizeBackgroundMigration.js';
import { partitionTableByList } from './partitionTableByList.js';
import { removeForeignKey } from './removeForeignKey.js';
import { setFeatureFlag } from './setFeatureFlag.js';
import { validateCheckConstraint } from './validateCheckConstraint.js';
import { validateForeignKey } from './validateForeignKey.js';
import { addLooseForeignKey } from './addLooseForeignKey.js';
import { deleteOrphanedRunnerTaggings } from './deleteOrphanedRunnerTaggings.js';
import { addColumn } from './addColumn.js';
import { addUniqueIdConstraintOnPartitions } from './addUniqueIdConstraintOnPartitions.js';
import { ensureUniqueId } from './ensureUniqueId.js';
import { replaceWithPartitionedTable } from './replaceWithPartitionedTable.js';
import { switchRecordChangeTracking } from './switchRecordChangeTracking.js';

/** Migration steps, named after GitLab's migration helpers, that plans instantiate. */
const ALL_STEPS: readonly StepKind<RunnersWorld>[] = [
  partitionTableByList,
  enqueuePartitioningDataMigration,
  finalizeBackfillingPartitionedTable,
  addConcurrentForeignKey,
  addConcurrentPartitionedForeignKey,
  validateForeignKey,
  removeForeignKey,
  addCheckConstraint,
  validateCheckConstraint,
  enqueueBackgroundMigration,
  finalizeBackgroundMigration,
  setFeatureFlag,
  deployCode,
  addLooseForeignKey,
  deleteOrphanedRunnerTaggings,
  addColumn,
  addUniqueIdConstraintOnPartitions,
  replaceWithPartitionedTable,
  ensureUniqueId,
  switchRecordChangeTracking,
];

export const runnerSteps: ReadonlyMap<string, StepKind<RunnersWorld>> = new Map(ALL_STEPS.map((step) => [step.name, step]));
