import type { Domain } from '../../src/harness/domain.js';
import { drainRunnersWorld } from './drain.js';
import { explainRunnersViolation } from './explain.js';
import { runnerLegacyOperations, runnerTrafficOperations } from './operations/index.js';
import { runnerSteps } from './steps/index.js';
import { DANGLING_TAGGINGS_PROBE } from './steps/deleteOrphanedRunnerTaggings.js';
import { LFK_PROBES } from '../gitlab/looseForeignKeys/cleanupWorker.js';
import { GITLAB_PROBES } from '../gitlab/probes.js';
import { OWNER_PROBES } from './ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import { RUNNER_PROBES } from './probes.js';
import { RUNNER_PROBES_ROLLOUT } from './rolloutProbes.js';
import { createRunnersWorld, validateRunnersSettings } from './world.js';
import type { RunnersWorld } from './world.js';
import { runnersInvariants } from '../../properties/runnersInvariants.js';

/** Every probe the runners world hits, so a plan naming any other is refused when it loads. */
const RUNNERS_PROBES: readonly string[] = [
  ...Object.values(RUNNER_PROBES),
  ...Object.values(RUNNER_PROBES_ROLLOUT),
  ...Object.values(GITLAB_PROBES),
  ...Object.values(LFK_PROBES),
  ...Object.values(OWNER_PROBES),
  DANGLING_TAGGINGS_PROBE,
];

/** GitLab's ci_runners sharding programme, assembled for the generic harness. */
export const runnersDomain: Domain<RunnersWorld> = {
  name: 'gitlab-runners',
  createWorld: createRunnersWorld,
  legacyOperations: runnerLegacyOperations,
  trafficOperations: runnerTrafficOperations,
  steps: runnerSteps,
  invariants: runnersInvariants,
  drain: drainRunnersWorld,
  validateSettings: validateRunnersSettings,
  explain: explainRunnersViolation,
  probes: RUNNERS_PROBES,
};
