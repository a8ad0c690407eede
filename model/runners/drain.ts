import type { OperationOutcome } from '../../src/harness/domain.js';
import { drainBatchedMigrations } from '../gitlab/batchedMigrations.js';
import { probeNotValidForeignKeys } from '../gitlab/probes.js';
import { probeCopyManagers } from './probes.js';
import { drainLooseForeignKeys, drainOwnerJobs } from './drainWorkers.js';
import type { RunnersWorld } from './world.js';

/**
 * Quiescence: every active batched migration runs to its end, in queue order, then the owner
 * jobs and the loose-foreign-key worker drain.
 */
export function drainRunnersWorld(world: RunnersWorld): OperationOutcome[] {
  const outcomes = drainBatchedMigrations(world);
  outcomes.push(...drainOwnerJobs(world), ...drainLooseForeignKeys(world));
  probeNotValidForeignKeys(world);
  probeCopyManagers(world);
  return outcomes;
}
