import { describe, expect, it } from 'vitest';
import { runCampaignOnPool } from '../../src/cli/campaignRunner.js';
import type { ChunkTask } from '../../src/cli/campaignRunner.js';
import type { WorkerPool } from '../../src/cli/workerPool.js';
import type { ChunkResult } from '../../src/harness/campaign.js';
import type { Plan } from '../../src/harness/domain.js';
import { inlinePlan } from '../support/inlinePlan.js';

/**
 * How a campaign deals chunks to workers (campaignRunner.ts): each plan's chunks go to its home
 * worker while that worker has any of its own plans' chunks left, then workers take each other's,
 * and every chunk runs exactly once. A fake pool answers at once, or after a worker-specific number
 * of ticks, so a slow worker's plans are left for the fast one to take.
 */
function plan(name: string, safe: boolean): Plan {
  return inlinePlan(name, { expect: safe ? 'safe' : { breaks: 'x' } });
}

function fakePool(size: number, ticksOf: (worker: number) => number) {
  const ran: { plan: string; index: number; worker: number }[] = [];
  const pool: WorkerPool = {
    size,
    run: async (task: ChunkTask, worker: number): Promise<ChunkResult> => {
      ran.push({ plan: task.plan.name, index: task.spec.index, worker });
      for (let tick = 0; tick < ticksOf(worker); tick++) await Promise.resolve();
      return {
        spec: task.spec,
        runs: task.spec.runs,
        failure: null,
        probes: {},
        alsoBroken: [],
        ms: 0,
        timeToFindMs: null,
        interrupted: false,
      };
    },
    close: async () => {},
  };
  return { pool, ran };
}

// Safe plans are dealt first: a and c (safe) go to workers 0 and 1, then b and d.
const plans = [plan('a', true), plan('b', false), plan('c', true), plan('d', false)];
const home = new Map([
  ['a', 0],
  ['c', 1],
  ['b', 0],
  ['d', 1],
]);

describe('a campaign on a worker pool', () => {
  it('runs every chunk once, each on its plan’s home worker while the workers keep pace', async () => {
    const { pool, ran } = fakePool(2, () => 3);
    const campaigns = await runCampaignOnPool(pool, plans, { seed: 1, runs: 1000, shard: null });
    expect(campaigns.map((campaign) => campaign.chunks.map((chunk) => chunk.spec.index).sort())).toEqual(
      plans.map(() => [0, 1, 2, 3]),
    );
    expect(ran).toHaveLength(16);
    expect(ran.filter((entry) => entry.worker !== home.get(entry.plan))).toEqual([]);
  });

  it('lets a worker that ran out of its own chunks take the other worker’s', async () => {
    // Worker 1 answers a hundred times slower: worker 0 finishes its plans and then takes c's and d's.
    const { pool, ran } = fakePool(2, (worker) => (worker === 0 ? 1 : 100));
    await runCampaignOnPool(pool, plans, { seed: 1, runs: 1000, shard: null });
    const key = (entry: { plan: string; index: number }): string => `${entry.plan}${entry.index}`;
    expect(new Set(ran.map(key)).size).toBe(16);
    const firstTaken = ran.findIndex((entry) => entry.worker !== home.get(entry.plan));
    expect(firstTaken).toBeGreaterThan(0);
    // Nothing of worker 0's own plans was left when it took another's.
    const ownBefore = ran.slice(0, firstTaken).filter((entry) => home.get(entry.plan) === 0);
    expect(ownBefore).toHaveLength(8);
    expect(ran.slice(firstTaken).every((entry) => home.get(entry.plan) === 1)).toBe(true);
  });
});
