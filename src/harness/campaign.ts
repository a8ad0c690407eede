import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { assert } from '../engine/assert.js';
import type { Domain, Plan, WorldBase } from './domain.js';
import { ProbeCounter } from './domain.js';
import { normalizeCounterexample } from './normalize.js';
import { planInvariants, planStopOn } from './planFile.js';
import { PgdrillBug, runScenario } from './runScenario.js';
import type { RunResult } from './runScenario.js';
import { DEFAULT_SIZES, scenarioArbitrary } from './scenario.js';
import type { Scenario, ScenarioSizes } from './scenario.js';

/**
 * A campaign over one plan is a list of chunks, each an independent fast-check run with its own
 * seed derived from (campaign seed, plan name, chunk index). Chunks are the unit of parallel and
 * distributed work: worker threads run them concurrently, `--shard i/n` takes every n-th one, and
 * merging keeps the failure of the lowest chunk index, so a campaign's verdict and counterexample
 * are the same however its chunks were spread.
 */
export const CHUNK_RUNS = 250;

export interface ChunkSpec {
  readonly plan: string;
  readonly index: number;
  readonly seed: number;
  readonly runs: number;
}

/** A failure as a chunk reports it: plain data, so it crosses threads and files. */
export interface ChunkFailure {
  readonly seed: number;
  readonly path: string;
  readonly scenario: Scenario;
  readonly invariant: string;
}

export interface ChunkResult {
  readonly spec: ChunkSpec;
  readonly runs: number;
  readonly failure: ChunkFailure | null;
  readonly probes: Readonly<Record<string, number>>;
  readonly alsoBroken: readonly string[];
  readonly ms: number;
  readonly timeToFindMs: number | null;
  readonly interrupted: boolean;
}

export function chunkSeed(seed: number, plan: string, index: number): number {
  return createHash('sha256').update(`${seed}:${plan}:${index}`).digest().readInt32BE(0);
}

/** The chunks of a campaign of `runs` runs; an unbounded (time-limited) campaign is generated lazily. */
export function chunkSpec(plan: Plan, seed: number, index: number, totalRuns: number): ChunkSpec | null {
  const start = index * CHUNK_RUNS;
  if (start >= totalRuns) return null;
  return {
    plan: plan.name,
    index,
    seed: chunkSeed(seed, plan.name, index),
    runs: Math.min(CHUNK_RUNS, totalRuns - start),
  };
}

export function stopOnFor(plan: Plan, invariants: readonly string[]): readonly string[] {
  return planStopOn(plan, invariants);
}

/**
 * Operations turn database errors into outcomes (a 500, a failed migration); anything else that
 * escapes a run is a defect in pgdrill or the model and must stop the campaign, not be shrunk
 * as if it were a verdict.
 */
export function crashesAreBugs<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof PgdrillBug) throw error;
    const bug = new PgdrillBug(`a scenario crashed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) bug.stack = error.stack;
    throw bug;
  }
}

export interface ChunkOptions {
  readonly sizes?: ScenarioSizes;
  /** Absolute deadline (performance.now() milliseconds) after which the chunk stops early. */
  readonly deadline?: number;
  readonly onRun?: () => void;
}

export function runChunk<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  spec: ChunkSpec,
  options: ChunkOptions = {},
): ChunkResult {
  assert(spec.plan === plan.name, `chunk of ${spec.plan} run against plan ${plan.name}`);
  const started = performance.now();
  const invariants = planInvariants(domain, plan);
  const stopOn = stopOnFor(plan, invariants);
  const probes = new ProbeCounter();
  const alsoBroken = new Set<string>();
  let firstFailureAt: number | null = null;
  // Once a run fails, shrinking keeps to the invariant that run broke: a smaller scenario that
  // breaks another invariant would be a different story (and, for a plan expected to break X,
  // could turn an unexpected break back into X or the reverse).
  let target: string | null = null;
  const property = fc.property(scenarioArbitrary(domain, plan, options.sizes ?? DEFAULT_SIZES), (scenario) => {
    const result: RunResult<W> = crashesAreBugs(() =>
      runScenario(domain, plan, scenario, { recordChanges: false, invariants, stopOn }),
    );
    if (target === null) {
      probes.merge(result.world.probes);
      for (const id of result.observed.keys()) alsoBroken.add(id);
      options.onRun?.();
    }
    if (result.failure === null) return true;
    if (target === null) {
      firstFailureAt = performance.now();
      target = result.failure.violations[0]!.invariant;
      return false;
    }
    return !result.failure.violations.some((violation) => violation.invariant === target);
  });
  const remaining =
    options.deadline === undefined ? undefined : Math.max(1, Math.floor(options.deadline - performance.now()));
  const details = fc.check(property, {
    seed: spec.seed,
    numRuns: spec.runs,
    ...(remaining !== undefined ? { interruptAfterTimeLimit: remaining } : {}),
  });
  const thrown: unknown = details.errorInstance;
  if (thrown instanceof PgdrillBug) {
    if (details.counterexamplePath !== null)
      thrown.scenario = { plan: plan.name, seed: spec.seed, path: details.counterexamplePath };
    throw thrown;
  }
  let failure: ChunkFailure | null = null;
  if (details.failed && details.counterexample !== null) {
    const shrunk = details.counterexample[0];
    const first = crashesAreBugs(() =>
      runScenario(domain, plan, shrunk, { recordChanges: false, invariants, stopOn }),
    ).failure;
    assert(
      first !== null && target !== null,
      'a shrunk counterexample no longer fails on replay: the run is not deterministic',
    );
    assert(
      first.violations.some((violation) => violation.invariant === target),
      `a shrunk counterexample no longer breaks ${String(target)}`,
    );
    const invariant: string = target;
    const scenario = normalizeCounterexample(domain, plan, shrunk, invariant, stopOn);
    failure = { seed: spec.seed, path: details.counterexamplePath ?? '', scenario, invariant };
    alsoBroken.delete(invariant);
  }
  return {
    spec,
    runs: details.numRuns,
    failure,
    probes: probes.toJson(),
    alsoBroken: [...alsoBroken].sort(),
    ms: performance.now() - started,
    timeToFindMs: firstFailureAt === null ? null : firstFailureAt - started,
    interrupted: details.interrupted,
  };
}

/** Regenerates the exact counterexample of a seed and path, then applies the same normalization. */
export function scenarioFromSeed<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  seed: number,
  path: string,
  sizes: ScenarioSizes = DEFAULT_SIZES,
): Scenario | null {
  const invariants = planInvariants(domain, plan);
  const stopOn = stopOnFor(plan, invariants);
  let last: Scenario | null = null;
  const property = fc.property(scenarioArbitrary(domain, plan, sizes), (scenario) => {
    last = scenario;
    return (
      crashesAreBugs(() => runScenario(domain, plan, scenario, { recordChanges: false, invariants, stopOn }))
        .failure === null
    );
  });
  let details: fc.RunDetails<[Scenario]>;
  try {
    details = fc.check(property, { seed, path, endOnFailure: true, numRuns: 1 });
  } catch (error) {
    // fast-check throws when the path leads nowhere for this seed and plan: no scenario.
    if (error instanceof Error && error.message.startsWith('Unable to replay')) return null;
    throw error;
  }
  const thrown: unknown = details.errorInstance;
  if (thrown instanceof PgdrillBug) throw thrown;
  const found = details.counterexample?.[0] ?? last;
  if (found === null) return null;
  const failure = runScenario(domain, plan, found, { recordChanges: false, invariants, stopOn }).failure;
  return failure === null
    ? found
    : normalizeCounterexample(domain, plan, found, failure.violations[0]!.invariant, stopOn);
}
