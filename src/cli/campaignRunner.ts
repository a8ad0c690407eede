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
 * The same campaign on a worker pool: every worker runs one chunk at a time; once a plan has a
 * failing chunk, no chunk with a higher index of that plan is started. Results are combined by
 * chunk index later, so scheduling never changes a verdict.
 *
 * Each plan has a home worker (the plans dealt round the workers, safe plans first, since they run
 * every chunk): a worker takes the next chunk of its own plans in turn, and only when none of them
 * has one left a chunk of another worker's plans, so the workers finish together. A worker that
 * runs half the plans spends less of its time in the optimising compiler (workerPool.ts).
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
  const dealt = [...plans.filter((plan) => plan.expect === 'safe'), ...plans.filter((plan) => plan.expect !== 'safe')];
  const generators = dealt.map((plan, index) => ({
    plan,
    home: index % pool.size,
    indices: chunkIndices(options.shard),
    done: false,
  }));
  // Where each worker's turn over the plans resumes.
  const cursors = Array.from({ length: pool.size }, () => 0);

  /** The next chunk of a plan `eligible` admits, taking the plans in turn from the worker's cursor. */
  const nextTask = (worker: number, eligible: (home: number) => boolean): ChunkTask | null => {
    for (let attempt = 0; attempt < generators.length; attempt++) {
      const at = (cursors[worker]! + attempt) % generators.length;
      const generator = generators[at]!;
      if (generator.done || !eligible(generator.home)) continue;
      const index = generator.indices.next().value as number;
      const spec = chunkSpec(generator.plan, options.seed, index, options.runs ?? UNBOUNDED_RUNS);
      const failedBefore = lowestFailure.get(generator.plan.name);
      if (spec === null || pastDeadline(options) || (failedBefore !== undefined && stopsAt(options))) {
        generator.done = true;
        finished.set(generator.plan.name, performance.now());
        continue;
      }
      cursors[worker] = (at + 1) % generators.length;
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

  const busy = Array.from({ length: pool.size }, () => false);
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    for (let worker = 0; worker < pool.size; worker++) {
      if (busy[worker]) continue;
      const task = nextTask(worker, (home) => home === worker) ?? nextTask(worker, () => true);
      if (task === null) continue;
      busy[worker] = true;
      const promise: Promise<void> = pool
        .run(task, worker)
        .then((result) => {
          assert(result.spec.index === task.spec.index, 'a worker answered for another chunk');
          results.get(task.plan.name)!.push(result);
          for (let run = 0; run < result.runs; run++) options.onRun?.(task.plan);
          if (result.failure !== null)
            lowestFailure.set(task.plan.name, Math.min(lowestFailure.get(task.plan.name) ?? Infinity, task.spec.index));
        })
        .finally(() => {
          busy[worker] = false;
          inFlight.delete(promise);
        });
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
