/** The runners world's migration steps: GitLab's helpers over its catalog, plus the deploys only it has. */
import type { StepKind } from '../../../src/harness/domain.js';
import { migrationHelperSteps, stepsByName } from '../../gitlab/steps/index.js';
import { RUNNERS_CATALOG } from '../catalog.js';
import type { RunnersWorld } from '../world.js';
import { deleteOrphanedRunnerTaggings } from './deleteOrphanedRunnerTaggings.js';
import { deployCode } from './deployCode.js';

export const runnerSteps: ReadonlyMap<string, StepKind<RunnersWorld>> = stepsByName<RunnersWorld>([
  ...migrationHelperSteps(RUNNERS_CATALOG),
  deployCode,
  deleteOrphanedRunnerTaggings,
]);
