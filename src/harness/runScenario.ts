import { assert, EngineAssertionError } from '../engine/assert.js';
import { isPgError } from '../engine/errors.js';
import { roleOf, sessionCount, startsInSession } from './domain.js';
import type { Tx, Work } from '../coroutines/transactionApi.js';
import type { Domain, Invariant, OperationOutcome, Plan, Violation, WorldBase } from './domain.js';
import type { OperationCall, Scenario } from './scenario.js';
import { CLOCK_MARKER, PLAN_MARKER, STEP_MARKER, ScenarioArgumentError } from './scenario.js';
import { ConcurrentSessions } from './concurrentSessions.js';
import type { SessionAction, SessionStatementListener } from './concurrentSessions.js';
import { primaryViolation } from './planFile.js';
import { diffSnapshots } from './snapshotDiff.js';
import type { TableChange } from './snapshotDiff.js';

/**
 * Runs one scenario against a fresh world: legacy data, then the interleaved steps (plan
 * markers deploy the next plan step), then the plan's remaining steps, then quiescence.
 * `always` invariants are checked after every step, `quiescence` ones at the end. The run is
 * deterministic: the same plan and scenario always give the same trace.
 */
export type TraceStepKind = 'legacy' | 'plan' | 'traffic' | 'drain' | 'session' | 'clock';

export interface TraceStep {
  /** Position in the printed trace (1-based), counting only steps that did something. */
  readonly kind: TraceStepKind;
  readonly label: string;
  readonly outcome: string;
  readonly changes: readonly TableChange[];
  /** The world's bookkeeping as this step left it (`WorldBase.bookkeeping`); diff two steps' to see what a step changed. */
  readonly bookkeeping: unknown;
  /** Concurrent scenarios: the session (from 1) this step ran in; its lane in reports. */
  readonly session?: number;
}

export interface RunFailure {
  readonly violations: readonly Violation[];
  /** Index into the trace of the step after which the violations were seen. */
  readonly traceIndex: number;
  readonly explanation: string | null;
}

export interface RunResult<W extends WorldBase> {
  readonly world: W;
  readonly trace: readonly TraceStep[];
  readonly failure: RunFailure | null;
  /** Steps that did something before the failure (or in all): legacy, plan and applied traffic. */
  readonly effectiveSteps: number;
  /**
   * Invariants that broke without stopping the run (not in `stopOn`, or of an accepted cause, keyed
   * `invariant (cause)`: `observedKey`), with their first message.
   */
  readonly observed: ReadonlyMap<string, Violation>;
}

export interface RunOptions<W extends WorldBase = WorldBase> {
  /** Record row changes per step (replay and reports); off while searching, for speed. */
  readonly recordChanges: boolean;
  /** Invariants checked in this run. */
  readonly invariants: readonly string[];
  /** Invariants whose violation ends the run as a failure; the others are only observed. Defaults to all. */
  readonly stopOn?: readonly string[];
  /**
   * Called before each scenario call (legacy calls at positions 0…, then the steps, plan markers
   * included) with the world as it is; returns the call to run. Shrinking uses it to rewrite index
   * arguments (retarget.ts); a marker's returned call is ignored.
   */
  readonly beforeCall?: (world: W, call: OperationCall, position: number) => OperationCall;
  /** Told of every statement a concurrent scenario's sessions run (the oracle's multi-session export). */
  readonly onSessionStatement?: SessionStatementListener;
}

/** The outcome of a trace step that started an operation in a session, before any statement of it ran. */
export const STARTED = 'started';

/** Bound on the session actions that finishing the sessions may take. */
const FINISH_BOUND = 1_000_000;

export class PgdrillBug extends Error {
  override readonly name = 'PgdrillBug';
  /** The scenario that crashed, when known: the CLI prints the command that replays it for the report. */
  scenario: { readonly plan: string; readonly seed: number; readonly path: string } | null = null;
}

/**
 * How an observed violation is named in reports (`alsoBroken`): its invariant when the plan accepts
 * the whole invariant, `invariant (cause id)` when only its cause is accepted.
 */
export function observedKey(violation: Violation, stopOn: ReadonlySet<string>): string {
  return violation.cause !== undefined && stopOn.has(violation.invariant)
    ? causeKey(violation.invariant, violation.cause)
    : violation.invariant;
}

/** The report name of an accepted cause's breaks: `api-never-500 (runner-deleted-under-request)`. */
export function causeKey(invariant: string, cause: string): string {
  return `${invariant} (${cause})`;
}

function selectInvariants<W extends WorldBase>(domain: Domain<W>, ids: readonly string[]): Invariant<W>[] {
  return ids.map((id) => {
    const invariant = domain.invariants.find((candidate) => candidate.id === id);
    assert(invariant !== undefined, `unknown invariant ${id}`);
    return invariant;
  });
}

export function runScenario<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  options: RunOptions<W>,
): RunResult<W> {
  const world = domain.createWorld(scenarioSettings(plan, scenario));
  const invariants = selectInvariants(domain, options.invariants);
  const always = invariants.filter((invariant) => invariant.scope === 'always');
  const trace: TraceStep[] = [];
  let effectiveSteps = 0;
  let planCursor = 0;
  let deployBlocked = false;
  let before = options.recordChanges ? world.db.snapshot() : null;

  const record = (kind: TraceStepKind, label: string, outcome: OperationOutcome, session?: number): void => {
    let changes: TableChange[] = [];
    if (before !== null) {
      const after = world.db.snapshot();
      changes = diffSnapshots(before, after);
      before = after;
    }
    if (outcome.applied) effectiveSteps++;
    const step = { kind, label, outcome: outcome.summary, changes, bookkeeping: world.bookkeeping };
    trace.push(session === undefined ? step : { ...step, session });
  };

  const stopOn = new Set(options.stopOn ?? options.invariants);
  const acceptedCauses = new Set((plan.acceptedCauses ?? []).map((entry) => entry.cause));
  // A violation of an accepted cause (a known race) is observed, never a failure, whatever its invariant.
  const stops = (violation: Violation): boolean =>
    stopOn.has(violation.invariant) && (violation.cause === undefined || !acceptedCauses.has(violation.cause));
  const observed = new Map<string, Violation>();
  const check = (checks: readonly Invariant<W>[]): RunFailure | null => {
    // Runs after every step: a plain loop, allocating only when something broke.
    let found: Violation[] | null = null;
    for (const invariant of checks) {
      const broken = checkGuarded(invariant, world);
      if (broken === null) continue;
      if (found === null) found = [broken];
      else found.push(broken);
    }
    if (found === null) return null;
    for (const violation of found) {
      const key = observedKey(violation, stopOn);
      if (!stops(violation) && !observed.has(key)) observed.set(key, violation);
    }
    const stopping = found.filter(stops);
    if (stopping.length === 0) return null;
    // The violation the failure is about comes first (an unexpected one, for a plan expected to break another).
    const primary = primaryViolation(plan, stopping)!;
    const violations = [primary, ...stopping.filter((violation) => violation !== primary)];
    const explanation = domain.explain
      ? (violations.map((violation) => domain.explain!(world, violation, trace)).find((text) => text !== null) ?? null)
      : null;
    return { violations, traceIndex: trace.length - 1, explanation };
  };

  const deployNextStep = (): OperationOutcome => {
    const planStep = plan.steps[planCursor]!;
    const kind = domain.steps.get(planStep.step);
    assert(kind !== undefined, `plan ${plan.name} names unknown step ${planStep.step}`);
    planCursor++;
    try {
      return guard(() => kind.run(world, planStep.parameters));
    } catch (error) {
      if (error instanceof PgdrillBug) throw error;
      return migrationFailed(error, planCursor, planStep.step);
    }
  };

  /** A failed migration step (atomic or in the migration session): recorded, and the deploy stops. */
  const migrationFailed = (error: unknown, position: number, step: string): OperationOutcome => {
    // PostgreSQL's detail line names the offending key, which is what a reader needs next.
    const message = isPgError(error)
      ? `${error.code} ${error.message}${error.detail ? ` — ${error.detail}` : ''}`
      : (error as Error).message;
    // Numbered as the printed trace numbers it, with the plan's own step number alongside.
    world.migrationFailures.push(`step ${world.currentStep} (plan step ${position}, ${step}): ${message}`);
    deployBlocked = true;
    return { summary: `FAILED: ${message} — the deploy stops here`, applied: true };
  };

  // Labels are for readers; while searching, nobody reads them, so they stay cheap.
  const labelOf = (call: OperationCall): string =>
    options.recordChanges ? `${call.op} ${describeParameters(call.args)}`.trim() : call.op;
  const planLabel = (): string => {
    const planStep = plan.steps[planCursor]!;
    return options.recordChanges ? `${planStep.step} ${describeParameters(planStep.parameters)}`.trim() : planStep.step;
  };

  const prepare = (call: OperationCall, position: number): OperationCall =>
    options.beforeCall?.(world, call, position) ?? call;
  const concurrency = plan.concurrency;
  let sessions: ConcurrentSessions | null = null;
  if (concurrency !== undefined)
    world.concurrency = { apiWaitBoundMs: concurrency.apiWaitBoundMs, waits: [], now: () => sessions?.now ?? 0 };
  world.buildingLegacy = true;
  for (const [position, original] of scenario.legacy.entries()) {
    world.currentStep = trace.length + 1;
    const call = prepare(original, position);
    const outcome = runCall(domain.legacyOperations, world, call);
    record('legacy', labelOf(call), outcome);
  }
  world.buildingLegacy = false;

  const finish = (failure: RunFailure | null): RunResult<W> => ({ world, trace, failure, effectiveSteps, observed });

  // Sessions open after the legacy data, so building it keeps the single-session engine's speed.
  if (concurrency !== undefined)
    sessions = new ConcurrentSessions(
      world.db,
      sessionCount(concurrency),
      world.concurrency!.waits,
      options.recordChanges,
      options.onSessionStatement ?? null,
    );

  /** Records what a session did; a commit point (or an answered request) is checked. */
  const sessionAction = (action: SessionAction): RunFailure | null => {
    record('session', `s${action.session} ${action.label}`, { summary: action.outcome, applied: true }, action.session);
    return action.ended || action.finished !== null ? check(always) : null;
  };
  const clockAction = (fired: string): RunFailure | null => {
    record('clock', CLOCK_MARKER, { summary: fired, applied: true });
    return check(always);
  };
  /** Runs sessions until `only` (or every session) is idle, in the fixed order of `nextRunnable`. */
  const finishSessions = (only: number | null): RunFailure | null => {
    if (sessions === null) return null;
    for (let actions = 0; only === null ? sessions.anyBusy : sessions.busy(only); actions++) {
      assert(actions < FINISH_BOUND, 'sessions kept running past the bound');
      world.currentStep = trace.length + 1;
      const next = sessions.nextRunnable(only);
      if (next !== null) {
        const failure = guard(() => sessionAction(sessions!.advance(next)));
        if (failure) return failure;
        continue;
      }
      const fired = sessions.advanceClock();
      assert(fired !== null, 'every unfinished session waits and no timer can end a wait');
      const failure = clockAction(fired);
      if (failure) return failure;
    }
    return null;
  };
  /** One call of a concurrent scenario; null, or the failure it ran into. */
  const concurrentCall = (
    concurrent: ConcurrentSessions,
    call: OperationCall,
  ): RunFailure | null | 'skip' | 'atomic' => {
    if (call.op === CLOCK_MARKER) {
      // A migration's or a long transaction's code sends its next statement at once: no time passes before it.
      for (let prompt = concurrent.promptRunnable(); prompt !== null; prompt = concurrent.promptRunnable()) {
        const session = prompt;
        const failure = guard(() => sessionAction(concurrent.advance(session)));
        if (failure) return failure;
      }
      const fired = concurrent.advanceClock();
      return fired === null ? 'skip' : clockAction(fired);
    }
    if (call.op === STEP_MARKER) {
      const session = call.session!;
      return concurrent.runnable(session) ? guard(() => sessionAction(concurrent.advance(session))) : 'skip';
    }
    const kind = domain.trafficOperations.find((candidate) => candidate.name === call.op);
    if (call.session === undefined || kind === undefined || !startsInSession(kind, concurrency)) return 'atomic';
    const session = call.session;
    const finished = finishSessions(session);
    if (finished) return finished;
    world.currentStep = trace.length + 1;
    const started = guard(() => kind.start!(world, call.args));
    const label = labelOf(call);
    if ('summary' in started) {
      record('traffic', label, started, session);
      return 'skip';
    }
    const immediate = concurrent.start(session, label, started, roleOf(kind));
    if (immediate !== null) return sessionAction(immediate);
    record('session', `s${session} ${label}`, { summary: STARTED, applied: true }, session);
    return null;
  };

  const migrationSession = concurrency?.migrations === true ? concurrency.requests + 1 : null;
  /**
   * The next plan step in the migration session, when the plan runs steps there and this one can:
   * the previous step there first runs to its end (a deploy runs its migrations one after another),
   * every other session goes on. 'atomic' when the step runs atomically instead.
   */
  const startMigration = (concurrent: ConcurrentSessions): RunFailure | null | 'atomic' => {
    const planStep = plan.steps[planCursor]!;
    const kind = domain.steps.get(planStep.step);
    assert(kind !== undefined, `plan ${plan.name} names unknown step ${planStep.step}`);
    if (migrationSession === null || kind.start === undefined) return 'atomic';
    const previous = finishSessions(migrationSession);
    if (previous) return previous;
    if (deployBlocked) return null;
    world.currentStep = trace.length + 1;
    const started = guard(() => kind.start!(world, planStep.parameters));
    if (started === null) return 'atomic';
    const label = planLabel();
    planCursor++;
    const position = planCursor;
    const work = function* (tx: Tx): Work<OperationOutcome> {
      try {
        return yield* started.work(tx);
      } catch (error) {
        if (!isPgError(error)) throw error;
        return migrationFailed(error, position, planStep.step);
      }
    };
    const immediate = concurrent.start(migrationSession, label, { work }, 'migration');
    if (immediate !== null) return sessionAction(immediate);
    record('plan', `s${migrationSession} ${label}`, { summary: 'started', applied: true }, migrationSession);
    return null;
  };

  for (const [index, original] of scenario.steps.entries()) {
    world.currentStep = trace.length + 1;
    const call = prepare(original, scenario.legacy.length + index);
    if (sessions !== null && call.op === PLAN_MARKER && planCursor < plan.steps.length && !deployBlocked) {
      const result = startMigration(sessions);
      if (result === null) continue;
      if (result !== 'atomic') return finish(result);
    }
    if (sessions !== null && call.op !== PLAN_MARKER) {
      const result = concurrentCall(sessions, call);
      if (result === 'skip' || result === null) continue;
      if (result !== 'atomic') return finish(result);
    }
    if (sessions !== null) {
      // Atomic operations and plan steps run with no session in flight.
      if (call.op === PLAN_MARKER && (planCursor >= plan.steps.length || deployBlocked)) continue;
      const failure = finishSessions(null);
      if (failure) return finish(failure);
      world.currentStep = trace.length + 1;
    }
    if (call.op === PLAN_MARKER) {
      if (planCursor >= plan.steps.length || deployBlocked) continue;
      const label = planLabel();
      record('plan', label, deployNextStep());
    } else {
      const outcome = runCall(domain.trafficOperations, world, call);
      record('traffic', labelOf(call), outcome);
      if (!outcome.applied) continue;
    }
    const failure = check(always);
    if (failure) return finish(failure);
  }
  const unfinished = finishSessions(null);
  if (unfinished) return finish(unfinished);
  sessions?.detach();
  while (planCursor < plan.steps.length && !deployBlocked) {
    world.currentStep = trace.length + 1;
    const label = planLabel();
    record('plan', label, deployNextStep());
    const failure = check(always);
    if (failure) return finish(failure);
  }
  world.currentStep = trace.length + 1;
  const drained = guard(() => domain.drain(world));
  if (drained.length > 0)
    record('drain', 'background work drained', {
      summary: drained.map((outcome) => outcome.summary).join('; '),
      applied: drained.some((outcome) => outcome.applied),
    });
  return finish(check(invariants));
}

function runCall<W extends WorldBase>(
  kinds: readonly { readonly name: string; run(world: W, args: OperationCall['args']): OperationOutcome }[],
  world: W,
  call: OperationCall,
): OperationOutcome {
  const kind = kinds.find((candidate) => candidate.name === call.op);
  assert(kind !== undefined, `scenario names unknown operation ${call.op}`);
  try {
    return guard(() => kind.run(world, call.args));
  } catch (error) {
    if (error instanceof ScenarioArgumentError)
      throw new ScenarioArgumentError(`step ${world.currentStep} (${call.op}): ${error.message}`);
    throw error;
  }
}

/** `guard(() => invariant.check(world))` without a closure per invariant and step. */
function checkGuarded<W extends WorldBase>(invariant: Invariant<W>, world: W): Violation | null {
  try {
    return invariant.check(world);
  } catch (error) {
    if (error instanceof EngineAssertionError) throw new PgdrillBug(`pgdrill bug: ${error.message}`);
    throw error;
  }
}

/** Engine assertion failures are pgdrill bugs: they must stop the campaign, never count as a verdict. */
function guard<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof EngineAssertionError) throw new PgdrillBug(`pgdrill bug: ${error.message}`);
    throw error;
  }
}

export function describeParameters(parameters: OperationCall['args']): string {
  // Sorted keys: a scenario read back from a file (written with sorted keys) prints the same.
  const entries = Object.entries(parameters).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  if (entries.length === 0) return '';
  return entries.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ');
}

/** The settings a scenario runs with: what it drew, overridden by the plan's own. */
export function scenarioSettings(plan: Plan, scenario: Scenario): Plan['settings'] {
  return scenario.settings === undefined ? plan.settings : { ...scenario.settings, ...plan.settings };
}
