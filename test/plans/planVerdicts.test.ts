import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/harness/checkPlan.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { join } from 'node:path';

/**
 * CI's guard on design changes: every plan's verdict must match its `expect`, and every coverage
 * probe it declares must be hit, under a fixed seed so a landing is reproducible. A plan marked
 * safe that turns unsafe fails here, with the shrunk counterexample in the message.
 */
const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
const SEED = 20241031;
const RUNS = 3000;
// A guard against hangs, not a speed goal: one plan's 3000 runs take seconds on a quiet machine but
// passed 120 s (the suite's default) at load 16 on two cores, which is not a failure of the plan.
const PLAN_TIMEOUT_MS = 600_000;

describe('every plan matches its expectation (seed 20241031)', () => {
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
