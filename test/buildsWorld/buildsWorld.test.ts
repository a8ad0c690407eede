import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPlan, replayScenario } from '../../src/harness/checkPlan.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { buildsDomain } from './buildsDomain.js';
import { BUILDS_COPY } from './buildsWorld.js';

/**
 * A second world reuses GitLab's helpers unchanged (issue 9): its plans load, run through the
 * harness and get the verdicts their `expect` names, under a fixed seed. The safe plan must also
 * reach the dangling-builds clean-up (its probe), or its verdict would mean nothing.
 */
const plans = loadPlanDirectory(buildsDomain, join(fileURLToPath(new URL('.', import.meta.url)), 'plans'));
const SEED = 20241031;

describe('the builds world, through the harness', () => {
  it('has the copy named by GitLab hashing that its plans reference', () => {
    expect(BUILDS_COPY).toBe('ci_builds_ca78635db7');
    expect(plans.map((plan) => plan.name).sort()).toEqual(['builds-fk-after-cleanup', 'builds-fk-before-cleanup']);
  });

  it.each(plans.map((plan) => [plan.name, plan] as const))('%s matches its expectation', (_name, plan) => {
    const verdict = checkPlan(buildsDomain, plan, { runs: 300, seed: SEED });
    expect({ matched: verdict.matched, missingProbes: verdict.missingProbes }).toEqual({
      matched: true,
      missingProbes: [],
    });
    if (plan.expect === 'safe') return;
    const failure = verdict.failure!;
    expect(failure.invariant).toBe('migrations-succeed');
    expect(failure.violations[0]!.message).toContain('Migration failed intentionally due to ForeignKeyViolation');
    // The shrunk story: a dangling legacy build, the partitioning steps, the failing foreign key.
    const replay = replayScenario(buildsDomain, plan, failure.scenario);
    const labels = replay.trace.map((step) => step.label);
    expect(labels.some((label) => label.startsWith('legacyCreateBuild') && label.includes('dangling=true'))).toBe(true);
    expect(replay.trace.at(-1)!.outcome).toContain('FAILED');
  });
});
