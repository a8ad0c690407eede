import fc from 'fast-check';
import { assert } from '../engine/assert.js';
import { drawnUnder, roleOf, sessionCount, startsInSession } from './domain.js';
import type { Domain, OperationKind, Plan, PlanConcurrency, WorldBase } from './domain.js';
import type { JsonObject } from './json.js';

/**
 * A scenario is plain data: legacy operations that build the world before the plan, then an
 * interleaving of traffic operations and `@plan` markers (each marker deploys the plan's next
 * step; steps not yet deployed at the end deploy after all traffic). Being data, a scenario
 * prints, saves and replays without the generator that produced it.
 */
export interface OperationCall {
  readonly op: string;
  readonly args: JsonObject;
  /**
   * Concurrent scenarios only (a plan with `concurrency`): the session, from 1, the operation
   * starts in (it then runs one statement per `@step` of that session), or the session a `@step`
   * advances. Absent: the operation runs as one atomic step.
   */
  readonly session?: number;
}

export const PLAN_MARKER = '@plan';
/** Advances `session` by one statement (concurrent scenarios). */
export const STEP_MARKER = '@step';
/** Moves the virtual clock to the next deadlock check or lock_timeout (concurrent scenarios). */
export const CLOCK_MARKER = '@clock';

/** True for the markers that are not operations. */
export function isMarker(op: string): boolean {
  return op === PLAN_MARKER || op === STEP_MARKER || op === CLOCK_MARKER;
}

/**
 * An operation was given arguments it cannot take (a negative index, a string for a number).
 * The generator never draws such arguments, so in a campaign this is a pgdrill bug; in a
 * counterexample read from a file it is bad input, reported as such.
 */
export class ScenarioArgumentError extends Error {
  override readonly name = 'ScenarioArgumentError';
}

/** Why a call's session does not fit the plan: a session out of range, or one on an operation that cannot start in one. */
function sessionProblem(
  call: OperationCall,
  requests: number,
  sessions: number,
  startable: ReadonlySet<string>,
): string | null {
  if (call.session === undefined) return call.op === STEP_MARKER ? `${STEP_MARKER} needs a session` : null;
  if (sessions === 0) return 'the plan has no concurrency, so no call takes a session';
  if (!Number.isInteger(call.session) || call.session < 1 || call.session > sessions)
    return `session ${call.session} is not one of the plan's sessions 1-${sessions}`;
  if (call.op !== STEP_MARKER && call.session > requests)
    return `session ${call.session} is the migration session: only plan steps start there`;
  if (call.op !== STEP_MARKER && !startable.has(call.op))
    return `${call.op} cannot run in a session (it runs atomically)`;
  return null;
}

/**
 * Why a scenario read from a file cannot run in this domain (an operation it does not have), or
 * null; with the plan, also whether its sessions fit the plan's concurrency.
 */
export function scenarioOperationProblem<W extends WorldBase>(
  domain: Domain<W>,
  scenario: Scenario,
  plan?: Plan,
): string | null {
  const legacy = new Set(domain.legacyOperations.map((kind) => kind.name));
  const traffic = new Set(domain.trafficOperations.map((kind) => kind.name));
  const known = (names: ReadonlySet<string>): string => [...names].sort().join(', ');
  const swarmName = scenario.swarm.find((name) => !traffic.has(name));
  if (swarmName !== undefined)
    return `scenario.swarm names unknown operation ${JSON.stringify(swarmName)} (known: ${known(traffic)})`;
  for (const [index, call] of scenario.legacy.entries()) {
    if (!legacy.has(call.op))
      return `scenario.legacy, step ${index + 1}: unknown legacy operation ${JSON.stringify(call.op)} (known: ${known(legacy)})`;
  }
  const requests = plan?.concurrency?.requests ?? 0;
  const sessions = plan?.concurrency === undefined ? 0 : sessionCount(plan.concurrency);
  const startable = new Set(
    domain.trafficOperations.filter((kind) => startsInSession(kind, plan?.concurrency)).map((kind) => kind.name),
  );
  for (const [index, call] of scenario.steps.entries()) {
    const where = `scenario.steps, step ${index + 1}`;
    if (isMarker(call.op) ? Object.keys(call.args).length > 0 : !traffic.has(call.op)) {
      return `${where}: ${isMarker(call.op) ? `${call.op} takes no arguments` : `unknown operation ${JSON.stringify(call.op)} (known: ${PLAN_MARKER}, ${known(traffic)})`}`;
    }
    if (call.op !== PLAN_MARKER && call.op !== CLOCK_MARKER && plan !== undefined) {
      const problem = sessionProblem(call, requests, sessions, startable);
      if (problem !== null) return `${where}: ${problem}`;
    }
    if ((call.op === PLAN_MARKER || call.op === CLOCK_MARKER) && call.session !== undefined)
      return `${where}: ${call.op} takes no session`;
  }
  return null;
}

export interface Scenario {
  /** Names of the traffic operations this run enabled (swarm testing). */
  readonly swarm: readonly string[];
  /** Settings this scenario drew (sizes and limits), under the plan's own; absent when it drew none. */
  readonly settings?: JsonObject;
  readonly legacy: readonly OperationCall[];
  readonly steps: readonly OperationCall[];
}

export interface ScenarioSizes {
  readonly maxLegacy: number;
  /** Traffic operations at most in a busy phase (between two consecutive plan steps). */
  readonly maxPerPhase: number;
}

export const DEFAULT_SIZES: ScenarioSizes = { maxLegacy: 8, maxPerPhase: 5 };

function callArbitrary<W extends WorldBase>(
  kind: OperationKind<W>,
  weight: number,
): fc.WeightedArbitrary<OperationCall> {
  return { arbitrary: kind.args.map((args) => ({ op: kind.name, args })), weight };
}

/** Lists of single calls, as serial scenarios draw them. */
function callListArbitrary(
  call: fc.Arbitrary<OperationCall>,
): (min: number, max: number) => fc.Arbitrary<OperationCall[]> {
  return (min, max) => fc.array(call, { minLength: min, maxLength: max });
}

/** Bound on the `@step`s drawn right after a start: a request sends a handful of statements. */
const MAX_STEPS_AFTER_START = 6;

/**
 * Lists of calls in a concurrent scenario, drawn as groups. An operation that can run in a
 * session mostly starts in one (drawn from 1 to `sessions`), followed by some `@step`s of that
 * session, so two operations started close together have often both run part of their
 * statements when the next call comes (a race needs the second to read before the first
 * commits). Lone `@step`s of any session, as often as operations, and now and then `@clock`,
 * interleave further. Shrinking prefers the atomic call, fewer steps and lower sessions, so a
 * counterexample keeps only the concurrency it needs.
 */
function concurrentCallListArbitrary<W extends WorldBase>(
  kinds: readonly { readonly kind: OperationKind<W>; readonly weight: number }[],
  concurrency: PlanConcurrency,
): (min: number, max: number) => fc.Arbitrary<OperationCall[]> {
  const session = fc.integer({ min: 1, max: concurrency.requests });
  // Lone steps may also advance the migration session, when the plan runs steps in one.
  const anySession = fc.integer({ min: 1, max: sessionCount(concurrency) });
  const groups: fc.WeightedArbitrary<OperationCall[]>[] = kinds.map(({ kind, weight }) => {
    if (!startsInSession(kind, concurrency))
      return { arbitrary: kind.args.map((args) => [{ op: kind.name, args }]), weight };
    const started = fc
      .tuple(kind.args, session, fc.nat(MAX_STEPS_AFTER_START))
      .map(([args, chosen, steps]): OperationCall[] => [
        { op: kind.name, args, session: chosen },
        ...Array.from({ length: steps }, (): OperationCall => ({ op: STEP_MARKER, args: {}, session: chosen })),
      ]);
    // A long transaction is only ever one in a session: atomically it would hold nothing for any time.
    if (roleOf(kind) === 'longTransaction') return { arbitrary: started, weight };
    const atomic = kind.args.map((args): OperationCall[] => [{ op: kind.name, args }]);
    return { arbitrary: fc.oneof({ arbitrary: atomic, weight: 1 }, { arbitrary: started, weight: 3 }), weight };
  });
  const total = groups.reduce((sum, group) => sum + group.weight, 0);
  groups.push(
    {
      arbitrary: anySession.map((chosen): OperationCall[] => [{ op: STEP_MARKER, args: {}, session: chosen }]),
      weight: total,
    },
    { arbitrary: fc.constant<OperationCall[]>([{ op: CLOCK_MARKER, args: {} }]), weight: 1 },
  );
  const group = fc.oneof(...groups);
  return (min, max) => fc.array(group, { minLength: min, maxLength: max }).map((lists) => lists.flat());
}

/**
 * Scenarios are drawn in phases: phase k is the traffic that runs after plan step k deployed
 * (phase 0 before the first step), so every step has traffic before and after it and an
 * ordered story such as "skipped by the backfill, then assigned, then verified after the FK"
 * is as likely as any other. Each phase shrinks independently, and the `@plan` markers that
 * separate phases are never removed, so shrinking keeps the plan's order and positions.
 *
 * Phases are bursty (mostly empty, sometimes up to `maxPerPhase` operations).
 *
 * Swarm testing: each scenario enables a random non-empty subset of the traffic operations,
 * each with a random weight, so rare combinations get whole runs to themselves.
 */
export function scenarioArbitrary<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  sizes: ScenarioSizes = DEFAULT_SIZES,
): fc.Arbitrary<Scenario> {
  const planLength = plan.steps.length;
  const traffic = (
    plan.traffic === null
      ? domain.trafficOperations
      : domain.trafficOperations.filter((kind) => plan.traffic!.includes(kind.name))
  ).filter((kind) => drawnUnder(kind, plan.concurrency));
  assert(traffic.length > 0, `domain ${domain.name} has no traffic operations`);
  assert(planLength > 0, 'a plan has at least one step');
  const legacyCalls = fc.oneof(...domain.legacyOperations.map((kind) => callArbitrary(kind, 1)));
  const swarmArbitrary = fc.uniqueArray(
    fc.tuple(fc.integer({ min: 0, max: traffic.length - 1 }), fc.integer({ min: 1, max: 4 })),
    {
      minLength: 1,
      maxLength: traffic.length,
      selector: ([index]) => index,
    },
  );
  const marker: OperationCall = { op: PLAN_MARKER, args: {} };
  const concurrency = plan.concurrency;
  return swarmArbitrary.chain((swarm) => {
    const enabled = [...swarm].sort(([left], [right]) => left - right);
    // A list of calls: single calls, or in a concurrent scenario groups (a start and its first @steps).
    const callList =
      concurrency === undefined
        ? callListArbitrary(fc.oneof(...enabled.map(([index, weight]) => callArbitrary(traffic[index]!, weight))))
        : concurrentCallListArbitrary(
            enabled.map(([index, weight]) => ({ kind: traffic[index]!, weight })),
            concurrency,
          );
    const perPhase = sizes.maxPerPhase;
    // Bursty time: most phases are quiet and a few are busy, so a story of several operations
    // on the same rows tends to land inside one window between two plan steps.
    const phase = fc.oneof(
      { arbitrary: fc.constant<OperationCall[]>([]), weight: 2 },
      { arbitrary: callList(1, perPhase), weight: 1 },
    );
    return fc
      .record({
        swarm: fc.constant(enabled.map(([index]) => traffic[index]!.name)),
        settings: domain.sizeArbitrary ?? fc.constant<JsonObject>({}),
        legacy:
          domain.legacyOperations.length === 0
            ? fc.constant([])
            : fc.array(legacyCalls, { maxLength: sizes.maxLegacy }),
        phases: fc.array(phase, { minLength: planLength, maxLength: planLength }),
        // One window between two plan steps, chosen at random, always gets a burst of traffic, so a
        // story that must fit between two particular steps has a fair chance in every scenario.
        focus: fc.nat(planLength - 1),
        burst:
          concurrency === undefined
            ? callList(1, 2 * perPhase).map((calls) => sharingArguments(calls))
            : fc
                .tuple(
                  callList(1, 2 * perPhase),
                  fc.array(fc.boolean(), { minLength: SHARED_NAMES, maxLength: SHARED_NAMES }),
                )
                .map(([calls, shared]) => sharingArguments(calls, shared)),
        // After the whole deploy comes the steady state, where most outages surface: it always has traffic.
        afterDeploy: callList(1, 2 * perPhase),
      })
      .map(
        ({ swarm: names, settings, legacy, phases, focus, burst, afterDeploy }): Scenario => ({
          swarm: names,
          ...(Object.keys(settings).length > 0 ? { settings } : {}),
          legacy,
          steps: [
            ...phases.flatMap((calls, index) => (index === focus ? [...calls, ...burst, marker] : [...calls, marker])),
            ...afterDeploy,
          ],
        }),
      );
  });
}

/** How many argument names a concurrent burst decides to share or not, in order of appearance. */
const SHARED_NAMES = 8;

/**
 * Makes a burst a story about the same things: every argument a later operation shares by name
 * with an earlier one takes the earlier value (the same runner, the same project, the same
 * system id). Bugs live in sequences of operations on one entity, which independent draws
 * rarely produce. A concurrent burst shares only the names `shared` picks (the i-th name to
 * appear shares when `shared[i]`): a race is often about one runner and two different projects.
 */
function sharingArguments(calls: OperationCall[], shared?: readonly boolean[]): OperationCall[] {
  const chosen = new Map<string, OperationCall['args'][string]>();
  const order: string[] = [];
  return calls.map((call) => {
    const args: Record<string, OperationCall['args'][string]> = { ...call.args };
    for (const [name, value] of Object.entries(call.args)) {
      if (!order.includes(name)) order.push(name);
      if (shared !== undefined && shared[order.indexOf(name)] !== true) continue;
      if (chosen.has(name)) args[name] = chosen.get(name)!;
      else chosen.set(name, value);
    }
    return { ...call, args };
  });
}
