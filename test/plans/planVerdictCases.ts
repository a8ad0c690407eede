/**
 * CI's guard on design changes: every plan's verdict must match its `expect`, and every coverage
 * probe it declares must be hit, under a fixed seed so a landing is reproducible. A plan marked
 * safe that turns unsafe fails here, with the shrunk counterexample in the message.
 *
 * The plans are dealt over several test files (`planVerdicts.<k>.test.ts`, one share each) only so
 * that vitest runs the shares on different workers at once: each plan still runs its whole default
 * budget, with the same seed, exactly as `npm start` does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/harness/checkPlan.js';
import type { Plan } from '../../src/harness/domain.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';

const SEED = 20241031;
const RUNS = 3000;
// A guard against hangs, not a speed goal: one plan's 3000 runs take seconds on a quiet machine but
// passed 120 s (the suite's default) at load 16 on two cores, which is not a failure of the plan.
const PLAN_TIMEOUT_MS = 600_000;

/** How many files share the plans; each `planVerdicts.<k>.test.ts` with k in 1…SHARES takes one share. */
export const SHARES = 3;

/**
 * The plans of share `share` (1-based). Safe plans run every one of their runs and cost the most, so
 * they are dealt round the shares first, then the plans expected to break; both in name order.
 */
export function plansOfShare(share: number): Plan[] {
  if (!Number.isInteger(share) || share < 1 || share > SHARES) throw new Error(`no plan share ${share}`);
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  const byName = (a: Plan, b: Plan): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const dealt = [
    ...plans.filter((plan) => plan.expect === 'safe').sort(byName),
    ...plans.filter((plan) => plan.expect !== 'safe').sort(byName),
  ];
  return dealt.filter((_, index) => index % SHARES === share - 1);
}

/** The verdict tests of one share of the plans. */
export function describePlanVerdicts(share: number): void {
  const plans = plansOfShare(share);
  describe(`every plan matches its expectation (seed ${SEED}, share ${share} of ${SHARES})`, () => {
    it.each(plans.map((plan) => [plan.name, plan] as const))(
      '%s',
      (_name, plan) => {
        const verdict = checkPlan(runnersDomain, plan, { runs: RUNS, seed: SEED });
        const found = verdict.failure
          ? `${verdict.failure.invariant}: ${verdict.failure.violations[0]?.message} (shrunk to ${verdict.failure.shrunkSteps} steps, replay with --seed ${verdict.failure.seed} --path "${verdict.failure.path}")`
          : 'no failure';
        expect({ matched: verdict.matched, found }).toEqual({
          matched: true,
          found: expect.any(String) as unknown as string,
        });
        expect(verdict.missingProbes).toEqual([]);
        // A concurrent counterexample counts each statement a session ran as a step.
        if (plan.expect !== 'safe')
          expect(verdict.failure!.shrunkSteps).toBeLessThanOrEqual(
            plan.name === 'incident-2024-10-31' ? 8 : plan.concurrency !== undefined ? 40 : 20,
          );
      },
      PLAN_TIMEOUT_MS,
    );
  });
}
