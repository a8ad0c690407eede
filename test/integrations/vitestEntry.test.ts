import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `pgdrill/vitest` from a project that is not this repository: a temporary directory outside the
 * checkout, with pgdrill and vitest linked into its node_modules as `npm link` would, and one test
 * file that imports `pgdrill/vitest` through the package's "exports". vitest runs there with that
 * directory as its root (no configuration of ours). One plan matches its expectation, one plan
 * file claims a broken design is safe: that test must fail with the full report.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const TEST_FILE = `import { expect, test } from 'vitest';
import { CAMPAIGN_V8_FLAGS } from 'pgdrill';
import { checkPlan, testPlan } from 'pgdrill/vitest';

test('the config hands the workers pgdrill\\'s compiler settings', () => {
  expect(CAMPAIGN_V8_FLAGS.length).toBeGreaterThan(0);
  expect(process.execArgv).toEqual(expect.arrayContaining([...CAMPAIGN_V8_FLAGS]));
});

testPlan('incident-2024-10-31', { runs: 300 });
testPlan(new URL('./claims-safe.json', import.meta.url), { runs: 300 });

test('checkPlan returns the verdict', () => {
  const result = checkPlan('org-id-check-before-backfill', { runs: 300, seed: 7 });
  expect(result.verdict).toEqual({ breaks: 'api-never-500' });
  expect(result.failure?.replay).toMatch(/^npx pgdrill replay org-id-check-before-backfill --seed -?\\d+ --path "[\\d:]+"$/);
});
`;

describe('pgdrill/vitest outside the repository', () => {
  it('passes a matching plan and fails a mismatching one with the counterexample and replay command', () => {
    const entry = join(root, 'dist', 'model', 'runners', 'vitest.js');
    expect(existsSync(entry), 'dist/ is missing: run npm run build').toBe(true);
    const project = mkdtempSync(join(tmpdir(), 'pgdrill-consumer-'));
    try {
      expect(project.startsWith(root)).toBe(false);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(root, join(project, 'node_modules', 'pgdrill'), 'dir');
      symlinkSync(join(root, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
      const incident = JSON.parse(
        readFileSync(join(root, 'model', 'plans', 'incident-2024-10-31.json'), 'utf8'),
      ) as Record<string, unknown>;
      writeFileSync(
        join(project, 'claims-safe.json'),
        // A safe plan accepts no break: the incident's other consequences are opted out instead, so
        // the failure reported is the 500 this test reads.
        JSON.stringify({
          ...incident,
          name: 'claims-safe',
          expect: 'safe',
          accepts: undefined,
          optOut: {
            'migrations-succeed': 'The same missing copy rows fail VALIDATE; this plan is about the 500.',
            'background-work-succeeds': 'The same missing copy rows fail the managers backfill.',
            'copy-complete-after-backfill': 'An orphan assigned a project after the backfill passed it.',
          },
        }),
      );
      writeFileSync(join(project, 'plans.test.ts'), TEST_FILE);
      // As README's "In a vitest suite" shows: the workers get the compiler settings pgdrill's CLI uses.
      writeFileSync(
        join(project, 'vitest.config.mjs'),
        "import { CAMPAIGN_V8_FLAGS } from 'pgdrill';\nexport default { test: { execArgv: [...CAMPAIGN_V8_FLAGS] } };\n",
      );
      const run = spawnSync(
        process.execPath,
        [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'],
        {
          cwd: project,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
          timeout: 180_000,
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output).toBe(1);
      expect(output).toMatch(/✓ .*pgdrill plan incident-2024-10-31/);
      expect(output).toMatch(/✓ .*checkPlan returns the verdict/);
      expect(output).toMatch(/× .*pgdrill plan claims-safe\.json/);
      expect(output).toContain(
        'PlanExpectationError: pgdrill: plan claims-safe was expected to be safe, but api-never-500 broke',
      );
      expect(output).toContain('counterexample, shrunk to');
      expect(output).toMatch(/✗ api-never-500: POST \/runners\/verify/);
      expect(output).toMatch(/replay: npx pgdrill replay claims-safe\.json --seed -?\d+ --path "[\d:]+"/);
      expect(output).toMatch(/✓ .*the config hands the workers pgdrill's compiler settings/);
      expect(output).toMatch(/Tests +1 failed \| 3 passed/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
