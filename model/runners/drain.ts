import { assert } from '../../src/engine/assert.js';
import type { OperationOutcome } from '../../src/harness/domain.js';
import { MAX_BATCH_ATTEMPTS, batchBound, runBatch } from '../gitlab/batchedMigrations.js';
import { probeCopyManagers, probeNotValidForeignKeys } from './probes.js';
import { drainLooseForeignKeys, drainOwnerJobs } from './drainWorkers.js';
import type { RunnersWorld } from './world.js';

/**
 * Quiescence: runs every active batched migration to its end, in queue order. A batch that keeps
 * failing marks its migration failed after MAX_BATCH_ATTEMPTS, so the loop always ends.
 */
export function drainRunnersWorld(world: RunnersWorld): OperationOutcome[] {
  const outcomes: OperationOutcome[] = [];
  const bound = world.backgroundMigrations.reduce((total, migration) => total + batchBound(world, migration) + MAX_BATCH_ATTEMPTS, 0);
  for (let ticks = 0; ; ticks++) {
    const migration = world.backgroundMigrations.find((candidate) => candidate.status === 'active');
    if (migration === undefined) break;
    assert(ticks <= bound, `background migrations did not drain within ${bound} batches`);
    outcomes.push(runBatch(world, migration));
  }
  outcomes.push(...drainOwnerJobs(world), ...drainLooseForeignKeys(world));
  probeNotValidForeignKeys(world);
  probeCopyManagers(world);
  return outcomes;
}
