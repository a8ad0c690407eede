/**
 * The builds world assembled for the generic harness from GitLab's helpers (model/gitlab) and the
 * generic migration invariants (properties/migrationInvariants.ts); nothing here is runners code.
 */
import type { Domain, JsonObject } from '../../src/harness/domain.js';
import { drainBatchedMigrations } from '../../model/gitlab/batchedMigrations.js';
import { migrationHelperSteps, stepsByName } from '../../model/gitlab/steps/index.js';
import { migrationInvariants } from '../../properties/migrationInvariants.js';
import { BUILDS_CATALOG, BUILDS_LEGACY_OPERATIONS, BUILDS_TRAFFIC_OPERATIONS, BuildsWorld } from './buildsWorld.js';

export const buildsDomain: Domain<BuildsWorld> = {
  name: 'test-builds',
  createWorld: (_settings, db) => new BuildsWorld(db),
  legacyOperations: BUILDS_LEGACY_OPERATIONS,
  trafficOperations: BUILDS_TRAFFIC_OPERATIONS,
  steps: stepsByName<BuildsWorld>(migrationHelperSteps(BUILDS_CATALOG)),
  invariants: migrationInvariants,
  drain: drainBatchedMigrations,
  validateSettings: (settings: JsonObject) =>
    Object.keys(settings).length === 0 ? null : 'settings: the builds world takes none',
};
