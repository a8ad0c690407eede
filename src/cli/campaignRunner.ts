import { assert } from '../engine/assert.js';
import { chunkSpec, runChunk } from '../harness/campaign.js';
import type { ChunkOptions, ChunkResult, ChunkSpec } from '../harness/campaign.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import type { WorkerPool } from './workerPool.js';

/**
 * Runs the chunks of every plan of a campaign, in this thread or on a worker pool, optionally
 * restricted to one shard. Without a time limit a plan stops at its first failing chunk; in
 * fuzzing mode (a time limit and no run count) every chunk until the deadline runs and every
 * failure is kept, so distinct failures can all be reported.
 */
export interface Shard {
  /** 1-based, as written on the command line (`--shard 2/4`). */
  readonly index: number;
  readonly count: number;
}

export interface CampaignOptions {
  readonly seed: number;
  /** Total runs per plan, or null for fuzzing until the deadline. */
  readonly runs: number | null;
  /** Absolute performance.now() deadline, if the campaign is time-limited. */
  readonly deadline?: number;
  readonly shard: Shard | null;
  readonly onRun?: (plan: Plan) => void;
}

export interface PlanCampaign {
  readonly plan: Plan;
  readonly chunks: readonly ChunkResult[];
  readonly ms: number;
}

/**
 * Runs one chunk in this thread. The CLI uses `runChunk`; a caller may pass another that gives the
 * same result (the test suites reuse the result of a chunk they already ran, test/support/sharedChunks.ts).
 */
export type ChunkRunner = <W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  spec: ChunkSpec,
  options: ChunkOptions,
) => ChunkResult;

const UNBOUNDED_RUNS = Number.MAX_SAFE_INTEGER;

/** The chunk indices a shard owns (every n-th from its own), in order, lazily: an unbounded campaign has no end. */
function* chunkIndices(shard: Shard | null): Generator<number> {
  const step = shard === null ? 1 : shard.count;
  for (let index = shard === null ? 0 : shard.index - 1; ; index += step) yield index;
}

function stopsAt(options: CampaignOptions): boolean {
  return options.runs !== null;
}

function pastDeadline(options: CampaignOptions): boolean {
  return options.deadline !== undefined && performance.now() >= options.deadline;
}

export function runCampaignInThread<W extends WorldBase>(
  domain: Domain<W>,
  plans: readonly Plan[],
  options: CampaignOptions,
  run: ChunkRunner = runChunk,
): PlanCampaign[] {
  return plans.map((plan) => {
    const started = performance.now();
    const chunks: ChunkResult[] = [];
    for (const index of chunkIndices(options.shard)) {
      const spec = chunkSpec(plan, options.seed, index, options.runs ?? UNBOUNDED_RUNS);
      if (spec === null || pastDeadline(options)) break;
      const result = run(domain, plan, spec, {
        ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
        onRun: () => options.onRun?.(plan),
      });
      chunks.push(result);
      if ((result.failure !== null && stopsAt(options)) || result.interrupted) break;
    }
    return { plan, chunks, ms: performance.now() - started };
  });
}

export interface ChunkTask {
  readonly plan: Plan;
  readonly spec: ChunkSpec;
  /** Wall-clock deadline (epoch ms): each thread's performance.now() has its own origin. */
  readonly deadlineEpochMs?: number;
}

/**
 * The same campaign on a worker pool: chunks of all plans are kept in flight up to the pool's
 * size; once a plan has a failing chunk, no chunk with a higher index of that plan is started.
 * Results are combined by chunk index later, so scheduling never changes a verdict.
 */
export async function runCampaignOnPool(
  pool: WorkerPool,
  plans: readonly Plan[],
  options: CampaignOptions,
): Promise<PlanCampaign[]> {
  const started = new Map(plans.map((plan) => [plan.name, performance.now()] as const));
  const finished = new Map<string, number>();
  const results = new Map<string, ChunkResult[]>(plans.map((plan) => [plan.name, []]));
  const lowestFailure = new Map<string, number>();
  const generators = plans.map((plan) => ({ plan, indices: chunkIndices(options.shard), done: false }));
  const inFlight = new Set<Promise<void>>();
  let cursor = 0;

  const nextTask = (): ChunkTask | null => {
    for (let attempt = 0; attempt < generators.length; attempt++) {
      const generator = generators[(cursor + attempt) % generators.length]!;
      if (generator.done) continue;
      const index = generator.indices.next().value as number;
      const spec = chunkSpec(generator.plan, options.seed, index, options.runs ?? UNBOUNDED_RUNS);
      const failedBefore = lowestFailure.get(generator.plan.name);
      if (spec === null || pastDeadline(options) || (failedBefore !== undefined && stopsAt(options))) {
        generator.done = true;
        finished.set(generator.plan.name, performance.now());
        continue;
      }
      cursor = (cursor + attempt + 1) % generators.length;
      return {
        plan: generator.plan,
        spec,
        ...(options.deadline !== undefined
          ? { deadlineEpochMs: Date.now() + (options.deadline - performance.now()) }
          : {}),
      };
    }
    return null;
  };

  for (;;) {
    while (inFlight.size < pool.size) {
      const task = nextTask();
      if (task === null) break;
      const promise: Promise<void> = pool
        .run(task)
        .then((result) => {
          assert(result.spec.index === task.spec.index, 'a worker answered for another chunk');
          results.get(task.plan.name)!.push(result);
          for (let run = 0; run < result.runs; run++) options.onRun?.(task.plan);
          if (result.failure !== null)
            lowestFailure.set(task.plan.name, Math.min(lowestFailure.get(task.plan.name) ?? Infinity, task.spec.index));
        })
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  return plans.map((plan) => ({
    plan,
    chunks: results.get(plan.name)!,
    ms: (finished.get(plan.name) ?? performance.now()) - started.get(plan.name)!,
  }));
}
