import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayScenario, stopOnFor } from '../../src/harness/checkPlan.js';
import { loadCounterexample } from '../../src/harness/corpus.js';
import { normalizeCounterexample } from '../../src/harness/normalize.js';
import { loadPlanDirectory, planInvariants } from '../../src/harness/planFile.js';
import { removeRetargeted } from '../../src/harness/retarget.js';
import type { OperationCall, Scenario } from '../../src/harness/scenario.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';

/**
 * The shrink pass that removes operations whose effects no later step reads: the incident's
 * counterexample padded with seven runner creations nobody uses, the verify request pointed back
 * at the legacy runner (index 7, newest first). Plain deletion cannot remove any creation (each
 * shifts the index onto another runner); retargeted deletion removes all seven.
 */
const root = packageRoot();
const plan = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans')).find(
  (candidate) => candidate.name === 'incident-2024-10-31',
)!;
const corpus = loadCounterexample(join(root, 'test', 'corpus', 'incident-2024-10-31.json'));
const invariants = planInvariants(runnersDomain, plan);
const stopOn = stopOnFor(plan, invariants);

const createRunner: OperationCall = { op: 'createRunner', args: { type: 1, project: 0, group: 0, extraProjects: 0 } };
const marker: OperationCall = { op: '@plan', args: {} };

function padded(): Scenario {
  return {
    swarm: ['createRunner', 'verifyRunner'],
    legacy: corpus.scenario.legacy,
    steps: [
      marker,
      marker,
      marker,
      marker,
      ...Array.from({ length: 7 }, () => createRunner),
      { op: 'verifyRunner', args: { runner: 7, system: 0 } },
      marker,
      marker,
      marker,
    ],
  };
}

describe('retargeted deletion', () => {
  it('the padded scenario still breaks api-never-500 on the legacy runner, and no single plain deletion keeps it', () => {
    const scenario = padded();
    const result = replayScenario(runnersDomain, plan, scenario);
    expect(result.failure?.violations[0]?.invariant).toBe('api-never-500');
    expect(result.effectiveSteps).toBe(13);
    scenario.steps.forEach((call, index) => {
      if (call.op !== 'createRunner') return;
      const without = { ...scenario, steps: scenario.steps.filter((_, other) => other !== index) };
      expect(replayScenario(runnersDomain, plan, without).failure).toBeNull();
    });
  });

  it('rewrites the later index so the request stays on the same runner', () => {
    const scenario = padded();
    const position = scenario.legacy.length + 4;
    const candidate = removeRetargeted(runnersDomain, plan, scenario, position, {
      recordChanges: false,
      invariants,
      stopOn,
    });
    expect(candidate).not.toBeNull();
    expect(candidate!.steps.filter((call) => call.op === 'createRunner')).toHaveLength(6);
    expect(candidate!.steps.find((call) => call.op === 'verifyRunner')!.args).toEqual({ runner: 6, system: 0 });
  });

  it('keeps a creation whose runner a later step uses', () => {
    const scenario: Scenario = {
      ...padded(),
      steps: [
        ...padded().steps.slice(0, 11),
        { op: 'verifyRunner', args: { runner: 0, system: 0 } },
        ...padded().steps.slice(11),
      ],
    };
    const position = scenario.legacy.length + 10;
    const candidate = removeRetargeted(runnersDomain, plan, scenario, position, {
      recordChanges: false,
      invariants,
      stopOn,
    });
    // The newest runner's verify had nothing to retarget to; the legacy runner's verify moved to 6.
    expect(candidate!.steps.filter((call) => call.op === 'verifyRunner').map((call) => call.args.runner)).toEqual([
      0, 6,
    ]);
  });

  it('normalization shrinks the padded trace back to the six steps of the corpus counterexample', () => {
    const normalized = normalizeCounterexample(runnersDomain, plan, padded(), 'api-never-500', stopOn);
    const result = replayScenario(runnersDomain, plan, normalized);
    expect(result.failure?.violations[0]?.invariant).toBe('api-never-500');
    expect(result.effectiveSteps).toBe(6);
    expect(normalized.steps.some((call) => call.op === 'createRunner')).toBe(false);
  });
});
