import { assert } from '../engine/assert.js';
import type { Domain, Plan, WorldBase } from './domain.js';
import { planInvariants } from './planFile.js';
import { removeRetargeted } from './retarget.js';
import { runScenario, STARTED } from './runScenario.js';
import type { TraceStep } from './runScenario.js';
import type { OperationCall, Scenario } from './scenario.js';
import { PLAN_MARKER } from './scenario.js';

/**
 * A deterministic pass after fast-check's shrinking. fast-check deletes and simplifies steps but
 * never moves one; a request that fails right after an early plan step often sits in a later
 * phase, dragging every plan step before it into the counterexample. This pass greedily deletes
 * single steps (keeping later steps on the entities they designated, see retarget.ts) and moves
 * traffic to earlier phases while the same invariant still breaks and the story gets no longer,
 * until nothing changes. Replaying a seed applies the same pass, so the
 * printed replay command reproduces exactly the printed scenario.
 *
 * In a concurrent scenario a shorter story is not yet the simplest: fewer sessions and fewer
 * context switches (a session's statement right after another session's) show only the
 * interleaving the failure needs, even when a request more runs to get there. So candidates are
 * ranked by sessions, then switches, then length, then the highest session number (a serial
 * scenario has none of these: its rank is its length, as before), and the pass also tries to
 * renumber the sessions from 1, to move every call of one session into a lower one (merging two
 * sessions), to exchange two sessions, and to swap two neighbouring calls of different sessions;
 * these are kept only when the rank strictly improves.
 */
const MAX_PASSES = 12;

/** How simple a failing story is: by sessions, then context switches, then length, then session numbers. */
export interface StoryRank {
  readonly length: number;
  readonly sessions: number;
  readonly switches: number;
  /** The highest session number that acted (0 when none): `s1` and `s2` read better than `s2` and `s3`. */
  readonly highest: number;
}

/**
 * Sessions that acted and context switches in a run's trace: a switch is a session's statement
 * (or answer) right after another session's. Starting an operation runs no statement: not a switch.
 */
export function concurrencyOf(trace: readonly TraceStep[]): Omit<StoryRank, 'length'> {
  const used = new Set<number>();
  let switches = 0;
  let last: number | null = null;
  for (const step of trace) {
    if (step.session === undefined) continue;
    used.add(step.session);
    if (step.outcome === STARTED) continue;
    if (last !== null && step.session !== last) switches += 1;
    last = step.session;
  }
  return { sessions: used.size, switches, highest: Math.max(0, ...used) };
}

function compareRanks(left: StoryRank, right: StoryRank): number {
  return (
    left.sessions - right.sessions ||
    left.switches - right.switches ||
    left.length - right.length ||
    left.highest - right.highest
  );
}

/** The scenario with its sessions renamed by `rename` (sessions it does not name stay). */
function withSessions(scenario: Scenario, rename: ReadonlyMap<number, number>): Scenario {
  return {
    ...scenario,
    steps: scenario.steps.map((call) =>
      call.session !== undefined && rename.has(call.session) ? { ...call, session: rename.get(call.session)! } : call,
    ),
  };
}

function sessionsOf(scenario: Scenario): number[] {
  const sessions = new Set<number>();
  for (const call of scenario.steps) if (call.session !== undefined) sessions.add(call.session);
  return [...sessions].sort((left, right) => left - right);
}

export function normalizeCounterexample<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  invariant: string,
  stopOn: readonly string[],
): Scenario {
  const invariants = planInvariants(domain, plan);
  const measure = (candidate: Scenario): StoryRank | null => {
    const result = runScenario(domain, plan, candidate, { recordChanges: false, invariants, stopOn });
    return result.failure?.violations.some((violation) => violation.invariant === invariant)
      ? { length: result.effectiveSteps, ...concurrencyOf(result.trace) }
      : null;
  };
  let current = scenario;
  let best = measure(current);
  assert(best !== null, 'normalizing a scenario that does not fail');
  /** Keeps the candidate when it still fails and ranks no worse (`strictly`: better) than the current story. */
  const accept = (candidate: Scenario, strictly = false): boolean => {
    const rank = measure(candidate);
    if (rank === null) return false;
    const order = compareRanks(rank, best!);
    if (order > 0 || (strictly && order === 0)) return false;
    current = candidate;
    best = rank;
    return true;
  };
  // When a plain deletion loses the failure, the same deletion with later index arguments kept on
  // the entities they designated (retarget.ts) may not: the deleted call's effects were unread.
  const retarget = (position: number): boolean => {
    const candidate = removeRetargeted(domain, plan, current, position, { recordChanges: false, invariants, stopOn });
    return candidate !== null && accept(candidate);
  };
  /**
   * Renumbers the sessions 1…n in their order (when finishing, the lowest busy session goes first,
   * so only their order matters), merges one into a lower one, exchanges two, then swaps
   * neighbouring calls of different sessions.
   */
  const fewerSessionsAndSwitches = (): boolean => {
    let changed = false;
    const used = sessionsOf(current);
    if (accept(withSessions(current, new Map(used.map((session, index) => [session, index + 1]))), true))
      changed = true;
    for (const from of sessionsOf(current).reverse())
      for (let to = 1; to < from; to++) {
        if (accept(withSessions(current, new Map([[from, to]])), true)) changed = true;
        else if (
          accept(
            withSessions(
              current,
              new Map([
                [from, to],
                [to, from],
              ]),
            ),
            true,
          )
        )
          changed = true;
      }
    for (let index = 1; index < current.steps.length; index++) {
      const [before, after] = [current.steps[index - 1]!, current.steps[index]!];
      if (before.session === undefined || after.session === undefined || before.session === after.session) continue;
      const swapped: OperationCall[] = [...current.steps];
      swapped[index - 1] = after;
      swapped[index] = before;
      if (accept({ ...current, steps: swapped }, true)) changed = true;
    }
    return changed;
  };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    for (let index = current.legacy.length - 1; index >= 0; index--) {
      changed =
        accept({ ...current, legacy: current.legacy.filter((_, other) => other !== index) }) ||
        retarget(index) ||
        changed;
    }
    for (let index = current.steps.length - 1; index >= 0; index--) {
      if (current.steps[index]?.op === PLAN_MARKER) continue;
      changed =
        accept({ ...current, steps: current.steps.filter((_, other) => other !== index) }) ||
        retarget(current.legacy.length + index) ||
        changed;
    }
    for (let index = 1; index < current.steps.length; index++) {
      const step = current.steps[index]!;
      if (step.op === PLAN_MARKER || current.steps[index - 1]!.op !== PLAN_MARKER) continue;
      const moved: OperationCall[] = [...current.steps];
      moved[index - 1] = step;
      moved[index] = current.steps[index - 1]!;
      if (accept({ ...current, steps: moved })) changed = true;
    }
    if (plan.concurrency !== undefined) changed = fewerSessionsAndSwitches() || changed;
    if (!changed) break;
  }
  return current;
}
