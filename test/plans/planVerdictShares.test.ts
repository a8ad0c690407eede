import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { SHARES, plansOfShare } from './planVerdictCases.js';

describe('the plan-verdict shares', () => {
  it('cover every plan exactly once, with one test file per share', () => {
    const all = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans')).map((plan) => plan.name);
    const shared = Array.from({ length: SHARES }, (_, index) =>
      plansOfShare(index + 1).map((plan) => plan.name),
    ).flat();
    expect([...shared].sort()).toEqual([...all].sort());
    const files = readdirSync(join(packageRoot(), 'test', 'plans')).filter((name) =>
      /^planVerdicts\.\d+\.test\.ts$/.test(name),
    );
    expect(files.sort()).toEqual(Array.from({ length: SHARES }, (_, index) => `planVerdicts.${index + 1}.test.ts`));
  });
});
