import type { StepKind } from '../../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import { addCheckConstraint } from '../../gitlab/steps/addCheckConstraint.js';
import { addConcurrentForeignKey } from '../../gitlab/steps/addConcurrentForeignKey.js';
import { addConcurrentPartitionedForeignKey } from '../../gitlab/steps/addConcurrentPartitionedForeignKey.js';
import { deployCode } from './deployCode.js';
import { enqueueBackgroundMigration } from '../../gitlab/steps/enqueueBackgroundMigration.js';
import { enqueuePartitioningDataMigration } from '../../gitlab/steps/enqueuePartitioningDataMigration.js';
import { finalizeBackfillingPartitionedTable } from '../../gitlab/steps/finalizeBackfillingPartitionedTable.js';
import { finalizeBackgroundMigration } from '../../gitlab/steps/finalizeBackgroundMigration.js';
import { partitionTableByList } from '../../gitlab/steps/partitionTableByList.js';
import { removeForeignKey } from '../../gitlab/steps/removeForeignKey.js';
import { setFeatureFlag } from '../../gitlab/steps/setFeatureFlag.js';
import { validateCheckConstraint } from '../../gitlab/steps/validateCheckConstraint.js';
import { validateForeignKey } from '../../gitlab/steps/validateForeignKey.js';
import { addLooseForeignKey } from '../../gitlab/steps/addLooseForeignKey.js';
import { deleteOrphanedRunnerTaggings } from './deleteOrphanedRunnerTaggings.js';
import { addColumn } from '../../gitlab/steps/addColumn.js';
import { addUniqueIdConstraintOnPartitions } from '../../gitlab/steps/addUniqueIdConstraintOnPartitions.js';
import { ensureUniqueId } from '../../gitlab/steps/ensureUniqueId.js';
import { replaceWithPartitionedTable } from '../../gitlab/steps/replaceWithPartitionedTable.js';
import { switchRecordChangeTracking } from '../../gitlab/steps/switchRecordChangeTracking.js';

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
