import type { Domain } from '../src/harness/domain.js';
import { drainRunnersWorld } from '../model/drain.js';
import { explainRunnersViolation } from '../model/explain.js';
import { runnerLegacyOperations, runnerTrafficOperations } from '../model/operations/index.js';
import { runnerSteps } from '../model/steps/index.js';
import { createRunnersWorld, validateRunnersSettings } from '../model/world.js';
import type { RunnersWorld } from '../model/world.js';
import { runnersInvariants } from './runnersInvariants.js';

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
