import fc from 'fast-check';
import { assert } from '../engine/assert.js';
import type { Domain, OperationKind, Plan, WorldBase } from './domain.js';
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
}

export const PLAN_MARKER = '@plan';

/**
 * An operation was given arguments it cannot take (a negative index, a string for a number).
 * The generator never draws such arguments, so in a campaign this is a pgdrill bug; in a
 * counterexample read from a file it is bad input, reported as such.
 */
export class ScenarioArgumentError extends Error {
  override readonly name = 'ScenarioArgumentError';
}

/** Why a scenario read from a file cannot run in this domain (an operation it does not have), or null. */
export function scenarioOperationProblem<W extends WorldBase>(domain: Domain<W>, scenario: Scenario): string | null {
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
  for (const [index, call] of scenario.steps.entries()) {
    if (call.op === PLAN_MARKER ? Object.keys(call.args).length > 0 : !traffic.has(call.op)) {
      return `scenario.steps, step ${index + 1}: ${call.op === PLAN_MARKER ? `${PLAN_MARKER} takes no arguments` : `unknown operation ${JSON.stringify(call.op)} (known: ${PLAN_MARKER}, ${known(traffic)})`}`;
    }
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
  const traffic =
    plan.traffic === null
      ? domain.trafficOperations
      : domain.trafficOperations.filter((kind) => plan.traffic!.includes(kind.name));
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
  return swarmArbitrary.chain((swarm) => {
    const enabled = [...swarm].sort(([left], [right]) => left - right);
    const call = fc.oneof(...enabled.map(([index, weight]) => callArbitrary(traffic[index]!, weight)));
    // Bursty time: most phases are quiet and a few are busy, so a story of several operations
    // on the same rows tends to land inside one window between two plan steps.
    const phase = fc.oneof(
      { arbitrary: fc.constant<OperationCall[]>([]), weight: 2 },
      { arbitrary: fc.array(call, { minLength: 1, maxLength: sizes.maxPerPhase }), weight: 1 },
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
        burst: fc.array(call, { minLength: 1, maxLength: 2 * sizes.maxPerPhase }).map(sharingArguments),
        // After the whole deploy comes the steady state, where most outages surface: it always has traffic.
        afterDeploy: fc.array(call, { minLength: 1, maxLength: 2 * sizes.maxPerPhase }),
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

/**
 * Makes a burst a story about the same things: every argument a later operation shares by name
 * with an earlier one takes the earlier value (the same runner, the same project, the same
 * system id). Bugs live in sequences of operations on one entity, which independent draws
 * rarely produce.
 */
function sharingArguments(calls: OperationCall[]): OperationCall[] {
  const chosen = new Map<string, OperationCall['args'][string]>();
  return calls.map((call) => {
    const args: Record<string, OperationCall['args'][string]> = { ...call.args };
    for (const [name, value] of Object.entries(call.args)) {
      if (chosen.has(name)) args[name] = chosen.get(name)!;
      else chosen.set(name, value);
    }
    return { op: call.op, args };
  });
}
