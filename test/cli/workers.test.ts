import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Worker threads need the compiled CLI (`npm install`/`npm ci` builds dist/ through `prepare`).
 * The same campaign on two worker threads must give the single-thread verdict. The plans are
 * carriers: two that break within their first chunk, cheaply (org-id-check-before-backfill finds
 * and shrinks its break in a tenth of the CPU copy-incomplete-after-orphan-assigned took here; every
 * plan's own verdict is the plan-verdict guard's, test/plans).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (args: string[]): { plans: Array<Record<string, unknown>> } =>
  JSON.parse(execFileSync('node', ['bin/pgdrill.js', ...args], { cwd: root, encoding: 'utf8' })) as {
    plans: Array<Record<string, unknown>>;
  };

describe('pgdrill check --workers', () => {
  it('gives the same verdicts and counterexample on two worker threads as in one thread', () => {
    expect(existsSync(`${root}/dist/model/runners/checkWorker.js`), 'dist/ is missing: run npm run build').toBe(true);
    const args = [
      'check',
      'incident-2024-10-31',
      'org-id-check-before-backfill',
      '--seed',
      '11',
      '--runs',
      '1000',
      '--json',
      '--no-save',
    ];
    const strip = (report: { plans: Array<Record<string, unknown>> }) =>
      report.plans.map((plan) => ({
        name: plan.name,
        verdict: plan.verdict,
        runs: plan.runs,
        failure: plan.failure && { ...(plan.failure as Record<string, unknown>), counterexampleFile: null },
      }));
    expect(strip(cli([...args, '--workers', '2']))).toEqual(strip(cli(args)));
  });
});
