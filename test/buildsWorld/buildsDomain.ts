/**
 * The builds world assembled for the generic harness from GitLab's helpers (model/gitlab) and the
 * generic migration invariants (properties/migrationInvariants.ts); nothing here is runners code.
 */
import type { Domain } from '../../src/harness/domain.js';
import { GITLAB_PROBES } from '../../model/gitlab/probes.js';
import { drainBatchedMigrations } from '../../model/gitlab/batchedMigrations.js';
import { migrationHelperSteps, stepsByName } from '../../model/gitlab/steps/index.js';
import { migrationInvariants } from '../../properties/migrationInvariants.js';
import {
  BUILDS_CATALOG,
  BUILDS_LEGACY_OPERATIONS,
  DANGLING_BUILDS_DELETED,
  BUILDS_TRAFFIC_OPERATIONS,
  BuildsWorld,
} from './buildsWorld.js';

export const buildsDomain: Domain<BuildsWorld> = {
  name: 'test-builds',
  createWorld: (_settings, db) => new BuildsWorld(db),
  legacyOperations: BUILDS_LEGACY_OPERATIONS,
  trafficOperations: BUILDS_TRAFFIC_OPERATIONS,
  steps: stepsByName<BuildsWorld>(migrationHelperSteps(BUILDS_CATALOG)),
  invariants: migrationInvariants,
  drain: drainBatchedMigrations,
  // The builds world takes no settings: the empty declaration rejects every field.
  settings: { fields: {} },
  probes: [
    ...Object.values(GITLAB_PROBES).map((name) => ({ name, description: `GitLab's helpers' probe ${name}.` })),
    {
      name: DANGLING_BUILDS_DELETED,
      description: 'DeleteBuildsWithoutPipeline deleted a build whose pipeline is gone.',
    },
  ],
};
