import fc from 'fast-check';
import type { Domain, Plan, Violation, WorldBase } from './domain.js';
import { ProbeCounter } from './domain.js';
import { planInvariants } from './planFile.js';
import { normalizeCounterexample } from './normalize.js';
import { PgdrillBug, runScenario } from './runScenario.js';
import type { RunResult } from './runScenario.js';
import { DEFAULT_SIZES, scenarioArbitrary } from './scenario.js';
import type { Scenario, ScenarioSizes } from './scenario.js';

/**
 * A campaign over one plan: fast-check draws scenarios, runs them, and on a failure shrinks
 * the scenario to a minimal one. A plan expected `safe` fails on any invariant; a plan
 * expected to break invariant X searches for X (other invariants that break are reported).
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
  /** Wall time from the campaign's start to the first failing run (before shrinking). */
  readonly timeToFindMs: number | null;
  readonly failure: FoundFailure | null;
  /** Invariants that broke in some run without being the verdict (for plans expected to break another). */
  readonly alsoBroken: readonly string[];
  readonly probes: Readonly<Record<string, number>>;
  readonly missingProbes: readonly string[];
  readonly interrupted: boolean;
}

export function stopOnFor(plan: Plan, invariants: readonly string[]): readonly string[] {
  return plan.expect === 'safe' ? invariants : [plan.expect.breaks];
}

function propertyFor<W extends WorldBase>(domain: Domain<W>, plan: Plan, sizes: ScenarioSizes, onResult: (result: RunResult<W>) => void) {
  const invariants = planInvariants(domain, plan);
  const stopOn = stopOnFor(plan, invariants);
  return fc.property(scenarioArbitrary(domain, plan.steps.length, sizes), (scenario) => {
    const result = crashesAreBugs(() => runScenario(domain, plan, scenario, { recordChanges: false, invariants, stopOn }));
    onResult(result);
    return result.failure === null;
  });
}

/**
 * Operations turn database errors into outcomes (a 500, a failed migration); anything else that
 * escapes a run is a defect in pgdrill or the model and must stop the campaign, not be shrunk
 * as if it were a verdict.
 */
function crashesAreBugs<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof PgdrillBug) throw error;
    const bug = new PgdrillBug(`a scenario crashed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) bug.stack = error.stack;
    throw bug;
  }
}

/** Re-runs a failing scenario with change recording, for the report and the counterexample file. */
export function replayScenario<W extends WorldBase>(domain: Domain<W>, plan: Plan, scenario: Scenario): RunResult<W> {
  const invariants = planInvariants(domain, plan);
  return runScenario(domain, plan, scenario, { recordChanges: true, invariants, stopOn: stopOnFor(plan, invariants) });
}

export function checkPlan<W extends WorldBase>(domain: Domain<W>, plan: Plan, options: CheckOptions): PlanVerdict {
  const started = performance.now();
  const probes = new ProbeCounter();
  const alsoBroken = new Set<string>();
  let runsDone = 0;
  let firstFailureAt: number | null = null;
  const property = propertyFor(domain, plan, options.sizes ?? DEFAULT_SIZES, (result) => {
    runsDone++;
    probes.merge(result.world.probes);
    for (const id of result.observed.keys()) alsoBroken.add(id);
    if (result.failure !== null && firstFailureAt === null) firstFailureAt = performance.now();
    options.onRun?.(runsDone);
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.timeLimitMs !== undefined ? { interruptAfterTimeLimit: options.timeLimitMs } : {}),
  });
  const thrown: unknown = details.errorInstance;
  if (thrown instanceof PgdrillBug) throw thrown;
  const ms = performance.now() - started;
  let failure: FoundFailure | null = null;
  if (details.failed && details.counterexample !== null) {
    const shrunk = details.counterexample[0];
    const invariants = planInvariants(domain, plan);
    const firstBroken = runScenario(domain, plan, shrunk, { recordChanges: false, invariants, stopOn: stopOnFor(plan, invariants) }).failure!.violations[0]!.invariant;
    const scenario = normalizeCounterexample(domain, plan, shrunk, firstBroken, stopOnFor(plan, invariants));
    const result = replayScenario(domain, plan, scenario);
    const violations = result.failure?.violations ?? [];
    failure = {
      invariant: violations[0]?.invariant ?? 'unknown',
      violations,
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      scenario,
      shrunkSteps: result.effectiveSteps,
      result: result as RunResult<WorldBase>,
    };
  }
  const verdict: Verdict = failure === null ? 'safe' : { breaks: failure.invariant };
  const matched = plan.expect === 'safe' ? verdict === 'safe' : verdict !== 'safe' && verdict.breaks === plan.expect.breaks;
  if (failure !== null) alsoBroken.delete(failure.invariant);
  const probeCounts = probes.toJson();
  return {
    plan,
    verdict,
    matched,
    runs: details.numRuns,
    ms,
    timeToFindMs: firstFailureAt === null ? null : firstFailureAt - started,
    failure,
    alsoBroken: [...alsoBroken].sort(),
    probes: probeCounts,
    missingProbes: plan.probes.filter((probe) => (probeCounts[probe] ?? 0) === 0),
    interrupted: details.interrupted,
  };
}

/** Regenerates the exact counterexample of a seed and path, as fast-check replays them. */
export function scenarioFromSeed<W extends WorldBase>(domain: Domain<W>, plan: Plan, seed: number, path: string, sizes: ScenarioSizes = DEFAULT_SIZES): Scenario | null {
  let last: Scenario | null = null;
  const invariants = planInvariants(domain, plan);
  const stopOn = stopOnFor(plan, invariants);
  const property = fc.property(scenarioArbitrary(domain, plan.steps.length, sizes), (scenario) => {
    last = scenario;
    return crashesAreBugs(() => runScenario(domain, plan, scenario, { recordChanges: false, invariants, stopOn })).failure === null;
  });
  const details = fc.check(property, { seed, path, endOnFailure: true, numRuns: 1 });
  const thrown: unknown = details.errorInstance;
  if (thrown instanceof PgdrillBug) throw thrown;
  const found = details.counterexample?.[0] ?? last;
  if (found === null) return null;
  const failure = runScenario(domain, plan, found, { recordChanges: false, invariants, stopOn }).failure;
  return failure === null ? found : normalizeCounterexample(domain, plan, found, failure.violations[0]!.invariant, stopOn);
}
