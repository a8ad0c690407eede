import { assert } from '../engine/assert.js';
import type { Domain, Plan, WorldBase } from './domain.js';
import { planInvariants } from './planFile.js';
import { removeRetargeted } from './retarget.js';
import { runScenario } from './runScenario.js';
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
 */
const MAX_PASSES = 12;

export function normalizeCounterexample<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  invariant: string,
  stopOn: readonly string[],
): Scenario {
  const invariants = planInvariants(domain, plan);
  const measure = (candidate: Scenario): number | null => {
    const result = runScenario(domain, plan, candidate, { recordChanges: false, invariants, stopOn });
    return result.failure?.violations.some((violation) => violation.invariant === invariant)
      ? result.effectiveSteps
      : null;
  };
  let current = scenario;
  let best = measure(current);
  assert(best !== null, 'normalizing a scenario that does not fail');
  const accept = (candidate: Scenario): boolean => {
    const length = measure(candidate);
    if (length === null || length > best!) return false;
    current = candidate;
    best = length;
    return true;
  };
  // When a plain deletion loses the failure, the same deletion with later index arguments kept on
  // the entities they designated (retarget.ts) may not: the deleted call's effects were unread.
  const retarget = (position: number): boolean => {
    const candidate = removeRetargeted(domain, plan, current, position, { recordChanges: false, invariants, stopOn });
    return candidate !== null && accept(candidate);
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
    if (!changed) break;
  }
  return current;
}
