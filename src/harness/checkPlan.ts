import type { Domain, Plan, Violation, WorldBase } from './domain.js';
import { ProbeCounter } from './domain.js';
import { chunkSpec, runChunk, stopOnFor } from './campaign.js';
import type { ChunkResult } from './campaign.js';
import { planInvariants } from './planFile.js';
import { runScenario } from './runScenario.js';
import type { RunResult } from './runScenario.js';
import type { Scenario, ScenarioSizes } from './scenario.js';

export { scenarioFromSeed, stopOnFor } from './campaign.js';

/**
 * A campaign over one plan: fast-check draws scenarios, runs them, and on a failure shrinks the
 * scenario to a minimal one. A plan expected `safe` fails on any invariant; a plan expected to
 * break invariant X searches for X (other invariants that break are reported). The campaign is
 * a sequence of chunks (see campaign.ts); this runs them in order in the current thread.
 */
export interface CheckOptions {
  readonly runs: number;
  readonly seed: number;
  readonly timeLimitMs?: number;
  readonly sizes?: ScenarioSizes;
  readonly onRun?: (runsDone: number) => void;
}

export interface FoundFailure {
  readonly invariant: string;
  readonly violations: readonly Violation[];
  /** The seed and path of the chunk that found it: `replay --seed --path` regenerates it. */
  readonly seed: number;
  readonly path: string;
  readonly scenario: Scenario;
  readonly shrunkSteps: number;
  readonly result: RunResult<WorldBase>;
}

export type Verdict = 'safe' | { readonly breaks: string };

export interface PlanVerdict {
  readonly plan: Plan;
  readonly verdict: Verdict;
  readonly matched: boolean;
  readonly runs: number;
  readonly ms: number;
  /** Time spent in chunks up to the first failing run (before shrinking). */
  readonly timeToFindMs: number | null;
  readonly failure: FoundFailure | null;
  /** Invariants that broke in some run without being the verdict (for plans expected to break another). */
  readonly alsoBroken: readonly string[];
  readonly probes: Readonly<Record<string, number>>;
  readonly missingProbes: readonly string[];
  readonly interrupted: boolean;
  /** The chunks the verdict was combined from, up to and including the first failing one. */
  readonly chunks: readonly ChunkResult[];
}

/** Re-runs a failing scenario with change recording, for the report and the counterexample file. */
export function replayScenario<W extends WorldBase>(domain: Domain<W>, plan: Plan, scenario: Scenario): RunResult<W> {
  const invariants = planInvariants(domain, plan);
  return runScenario(domain, plan, scenario, { recordChanges: true, invariants, stopOn: stopOnFor(plan, invariants) });
}

/**
 * Combines chunk results, in chunk order, into a verdict: the lowest-index failing chunk wins,
 * and chunks after it are ignored, so the result does not depend on which thread, process or
 * machine ran which chunk, nor in what order they finished.
 */
export function combineChunks<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  results: readonly ChunkResult[],
  ms: number,
): PlanVerdict {
  const ordered = [...results].sort((left, right) => left.spec.index - right.spec.index);
  const firstFailing = ordered.findIndex((result) => result.failure !== null);
  const counted = firstFailing === -1 ? ordered : ordered.slice(0, firstFailing + 1);
  const probes = new ProbeCounter();
  const alsoBroken = new Set<string>();
  let runs = 0;
  let timeToFindMs: number | null = null;
  let elapsed = 0;
  for (const result of counted) {
    runs += result.runs;
    for (const [name, count] of Object.entries(result.probes))
      for (let index = 0; index < count; index++) probes.hit(name);
    for (const id of result.alsoBroken) alsoBroken.add(id);
    if (result.failure !== null) timeToFindMs = elapsed + (result.timeToFindMs ?? result.ms);
    elapsed += result.ms;
  }
  let failure: FoundFailure | null = null;
  const chunkFailure = firstFailing === -1 ? null : ordered[firstFailing]!.failure!;
  if (chunkFailure !== null) {
    const result = replayScenario(domain, plan, chunkFailure.scenario);
    const violations = result.failure?.violations ?? [];
    failure = {
      invariant: violations[0]?.invariant ?? chunkFailure.invariant,
      violations,
      seed: chunkFailure.seed,
      path: chunkFailure.path,
      scenario: chunkFailure.scenario,
      shrunkSteps: result.effectiveSteps,
      result: result as RunResult<WorldBase>,
    };
    alsoBroken.delete(failure.invariant);
  }
  const verdict: Verdict = failure === null ? 'safe' : { breaks: failure.invariant };
  const matched =
    plan.expect === 'safe' ? verdict === 'safe' : verdict !== 'safe' && verdict.breaks === plan.expect.breaks;
  const probeCounts = probes.toJson();
  return {
    plan,
    verdict,
    matched,
    runs,
    ms,
    timeToFindMs,
    failure,
    alsoBroken: [...alsoBroken].sort(),
    probes: probeCounts,
    missingProbes: plan.probes.filter((probe) => (probeCounts[probe] ?? 0) === 0),
    interrupted: counted.some((result) => result.interrupted),
    chunks: counted,
  };
}

export function checkPlan<W extends WorldBase>(domain: Domain<W>, plan: Plan, options: CheckOptions): PlanVerdict {
  const started = performance.now();
  const deadline = options.timeLimitMs === undefined ? undefined : started + options.timeLimitMs;
  const results: ChunkResult[] = [];
  let runsDone = 0;
  for (let index = 0; ; index++) {
    const spec = chunkSpec(plan, options.seed, index, options.runs);
    if (spec === null) break;
    const result = runChunk(domain, plan, spec, {
      ...(options.sizes ? { sizes: options.sizes } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      onRun: () => options.onRun?.(++runsDone),
    });
    results.push(result);
    if (result.failure !== null || result.interrupted) break;
    if (deadline !== undefined && performance.now() >= deadline) break;
  }
  return combineChunks(domain, plan, results, performance.now() - started);
}
