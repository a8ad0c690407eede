import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checkPlan } from '../../src/harness/checkPlan.js';
import { withConcurrencyOn } from '../../src/harness/forcedConcurrency.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { verdictText } from '../../src/harness/report.js';

/**
 * The second verdict of every plan shipped serial: with concurrency forced on (`pgdrill check
 * --concurrency`: two requests, workers and long transactions in sessions), the plan must match its
 * `underConcurrency` verdict, or its own `expect` when it declares none. So a safe plan whose design
 * races cannot pass as safe, and a known race it meets is accepted only by name (a cause), with
 * its reason. A plan expected to break X both ways may miss X within this budget (the serial
 * verdict finds it) but must break nothing else. Fewer runs than the serial verdicts (concurrent
 * runs are slower); the deep campaigns
 * with fresh seeds are `pgdrill check --concurrency --time-limit S` (docs/concurrency.md).
 */
const allPlans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
const plans = allPlans.filter((plan) => plan.concurrency === undefined);
const SEED = 20241031;
const RUNS = 500;

describe('every serial plan matches its verdict under forced concurrency (seed 20241031)', () => {
  it.each(plans.map((plan) => [plan.name, plan] as const))('%s', (_name, plan) => {
    const verdict = checkPlan(runnersDomain, withConcurrencyOn(plan), { runs: RUNS, seed: SEED });
    const found = verdict.failure
      ? `${verdict.failure.invariant}: ${verdict.failure.violations[0]?.message} (replay with --seed ${verdict.failure.seed} --path "${verdict.failure.path}" --concurrency; why: ${verdict.failure.result.failure?.explanation})`
      : 'no failure';
    // A plan that breaks X serially and under concurrency alike may keep X out of reach of this
    // budget (the serial verdict finds it); it must not break anything else. A verdict that
    // differs from the serial one (the design's own race) must be found.
    const concurrentExpect = plan.underConcurrency?.expect ?? plan.expect;
    const sameBreak = concurrentExpect !== 'safe' && JSON.stringify(concurrentExpect) === JSON.stringify(plan.expect);
    const acceptable = verdict.matched || (sameBreak && verdict.verdict === 'safe');
    expect({ acceptable, found }).toEqual({
      acceptable: true,
      found: expect.any(String) as unknown as string,
    });
    // A design's own race is never reported as safe, reached or not.
    if ((plan.underConcurrency?.ownRaces.length ?? 0) > 0)
      expect(verdictText(verdict)).toMatch(/^not safe: its own race /);
  });

  it('every known race is shown by shipped concurrent plans that break its invariant or accept it as a consequence', () => {
    for (const cause of runnersDomain.causes ?? [])
      for (const name of cause.plans) {
        const plan = allPlans.find((candidate) => candidate.name === name);
        expect(plan, `${cause.id}: ${name}`).toBeDefined();
        // A race whose invariant the plan expects to break, or lists as an accepted consequence of that break (the same
        // flaw seen by a second denormalised table), is shown by the plan either way.
        const shown =
          JSON.stringify(plan?.expect) === JSON.stringify({ breaks: cause.invariant }) ||
          (plan?.accepts ?? []).some((accepted) => accepted.invariant === cause.invariant);
        expect(shown, `${cause.id}: ${name}`).toBe(true);
      }
  });
});
