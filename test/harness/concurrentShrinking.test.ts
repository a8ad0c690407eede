/**
 * The deterministic pass after shrinking (src/harness/normalize.ts) leaves a concurrent
 * counterexample with no more sessions and context switches than its race needs: started from the
 * corpus races with their sessions renumbered upwards (in a plan allowing three), it comes back to
 * sessions 1 and 2 and to the two switches of a race (one session's statements on both sides of
 * the other's), and it still breaks the same invariant.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { stopOnFor } from '../../src/harness/campaign.js';
import { loadCounterexample } from '../../src/harness/corpus.js';
import type { Plan } from '../../src/harness/domain.js';
import { concurrencyOf, normalizeCounterexample } from '../../src/harness/normalize.js';
import { loadPlanDirectory, planInvariants } from '../../src/harness/planFile.js';
import { runScenario } from '../../src/harness/runScenario.js';
import type { Scenario } from '../../src/harness/scenario.js';

const root = packageRoot();
const plans = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans'));

function story(plan: Plan, scenario: Scenario) {
  const invariants = planInvariants(runnersDomain, plan);
  const result = runScenario(runnersDomain, plan, scenario, {
    recordChanges: false,
    invariants,
    stopOn: stopOnFor(plan, invariants),
  });
  return { broke: result.failure?.violations[0]?.invariant ?? null, ...concurrencyOf(result.trace) };
}

const shifted = (scenario: Scenario): Scenario => ({
  ...scenario,
  steps: scenario.steps.map((call) => (call.session === undefined ? call : { ...call, session: call.session + 1 })),
});

const inOneSession = (scenario: Scenario): Scenario => ({
  ...scenario,
  steps: scenario.steps.map((call) => (call.session === undefined ? call : { ...call, session: 1 })),
});

describe('shrinking a concurrent counterexample minimises sessions and context switches', () => {
  it.each(['assign-to-concurrent', 'ensure-copy-races-heartbeat'])('%s', (name) => {
    const shipped = plans.find((plan) => plan.name === name)!;
    const plan: Plan = { ...shipped, concurrency: { ...shipped.concurrency!, requests: 3 } };
    const counterexample = loadCounterexample(join(root, 'test', 'corpus', `${name}.json`));
    const invariant = counterexample.outcome;
    // One session is not enough: run serially, the same requests break nothing.
    expect(story(plan, inOneSession(counterexample.scenario)).broke).toBeNull();
    const start = shifted(counterexample.scenario);
    const before = story(plan, start);
    expect(before).toMatchObject({ broke: invariant, sessions: 2, highest: 3 });
    const invariants = planInvariants(runnersDomain, plan);
    const normalized = normalizeCounterexample(runnersDomain, plan, start, invariant, stopOnFor(plan, invariants));
    const after = story(plan, normalized);
    expect(after).toEqual({ broke: invariant, sessions: 2, switches: 2, highest: 2 });
    expect(after.switches).toBeLessThanOrEqual(before.switches);
    const used = new Set(normalized.steps.flatMap((call) => (call.session === undefined ? [] : [call.session])));
    expect([...used].sort()).toEqual([1, 2]);
  });

  it('assign-to-concurrent: the corpus story had a switch more than the race needs, which the pass removes', () => {
    const plan = plans.find((candidate) => candidate.name === 'assign-to-concurrent')!;
    const counterexample = loadCounterexample(join(root, 'test', 'corpus', 'assign-to-concurrent.json'));
    expect(story(plan, counterexample.scenario).switches).toBe(3);
    const invariants = planInvariants(runnersDomain, plan);
    const normalized = normalizeCounterexample(
      runnersDomain,
      plan,
      counterexample.scenario,
      counterexample.outcome,
      stopOnFor(plan, invariants),
    );
    expect(story(plan, normalized)).toMatchObject({ broke: counterexample.outcome, sessions: 2, switches: 2 });
  });
});
