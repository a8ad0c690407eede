import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayScenario } from '../src/harness/checkPlan.js';
import { listCounterexamples, loadCounterexample } from '../src/harness/corpus.js';
import { loadPlanDirectory } from '../src/harness/planFile.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';

/**
 * The regression corpus: saved counterexamples are concrete scenarios, replayed on every run
 * without the generators, so they stay meaningful when generators change. Each must still end
 * with the outcome it recorded; a design fix changes the outcome and must update the file.
 */
const root = packageRoot();
const plans = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans'));
const files = listCounterexamples(join(root, 'test', 'corpus'));

describe('regression corpus', () => {
  it('holds at least one counterexample per plan expected to break', () => {
    const covered = new Set(files.map((file) => loadCounterexample(file).plan));
    const unsafe = plans.filter((plan) => plan.expect !== 'safe').map((plan) => plan.name);
    expect(unsafe.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(files.map((file) => [file.slice(root.length + 1), file] as const))(
    '%s replays to its recorded outcome',
    (_name, file) => {
      const counterexample = loadCounterexample(file);
      const plan = plans.find((candidate) => candidate.name === counterexample.plan);
      expect(plan, `plan ${counterexample.plan}`).toBeDefined();
      const result = replayScenario(runnersDomain, plan!, counterexample.scenario);
      const outcome = result.failure?.violations[0]?.invariant ?? 'safe';
      expect(outcome).toBe(counterexample.outcome);
      expect(result.failure?.violations[0]?.message ?? '').toBe(counterexample.message);
    },
  );
});
