import { RUNNER_CAUSES } from './knownRaces.js';
import type { Domain } from '../../src/harness/domain.js';
import { runnerCollections } from './collections.js';
import { drainRunnersWorld } from './drain.js';
import { explainRunnersViolation } from './explain.js';
import { runnerLegacyOperations, runnerTrafficOperations } from './operations/index.js';
import { runnerSteps } from './steps/index.js';
import { createRunnersWorld } from './world.js';
import { RUNNERS_SETTINGS_SPEC } from './settings.js';
import { runnerProbeDefinitions } from './probeCatalog.js';
import type { RunnersWorld } from './world.js';
import { runnersInvariants } from '../../properties/runnersInvariants.js';
import { runnerSizesArbitrary } from './sizes.js';

/** GitLab's ci_runners sharding programme, assembled for the generic harness. */
export const runnersDomain: Domain<RunnersWorld> = {
  name: 'gitlab-runners',
  createWorld: createRunnersWorld,
  legacyOperations: runnerLegacyOperations,
  trafficOperations: runnerTrafficOperations,
  steps: runnerSteps,
  sizeArbitrary: runnerSizesArbitrary,
  invariants: runnersInvariants,
  causes: RUNNER_CAUSES,
  drain: drainRunnersWorld,
  settings: RUNNERS_SETTINGS_SPEC,
  probes: runnerProbeDefinitions,
  explain: explainRunnersViolation,
  collections: runnerCollections,
};
