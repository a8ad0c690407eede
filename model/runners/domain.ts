import type { Domain } from '../../src/harness/domain.js';
import { drainRunnersWorld } from './drain.js';
import { explainRunnersViolation } from './explain.js';
import { runnerLegacyOperations, runnerTrafficOperations } from './operations/index.js';
import { runnerSteps } from './steps/index.js';
import { createRunnersWorld, validateRunnersSettings } from './world.js';
import type { RunnersWorld } from './world.js';
import { runnersInvariants } from '../../properties/runnersInvariants.js';

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
};
