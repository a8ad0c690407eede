/**
 * `pgdrill check --concurrency`: a campaign mode that forces concurrency onto plans shipped
 * serial. The report must say so (a forced verdict is never mistaken for the shipped one), a
 * failure's replay command must carry the flag, and a bad value is one line with exit code 2.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../support/runCliInProcess.js';

/** Shipped serial; with concurrency forced on it breaks api-never-500 as it expects. */
const PLAN = 'incident-2024-10-31';
const CONCURRENT_PLAN = 'verify-races-runner-deletion';

describe('pgdrill check --concurrency', () => {
  it('forces concurrency onto a serial plan, says so in the JSON, and prints a replay that reproduces', async () => {
    const result = await runInProcess(['check', PLAN, '--concurrency', '--seed', '7', '--runs', '60', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      forcedConcurrency: unknown;
      plans: Array<{
        name: string;
        concurrencyForced: boolean;
        failure: { replay: string; seed: number; path: string; counterexampleFile: string | null } | null;
      }>;
    };
    expect(report.forcedConcurrency).toEqual({ requests: 2, workers: true, longTransactions: true });
    expect(report.plans.map((plan) => [plan.name, plan.concurrencyForced])).toEqual([[PLAN, true]]);
    const failure = report.plans[0]!.failure!;
    expect(failure.replay).toBe(
      `npx pgdrill replay ${PLAN} --seed ${failure.seed} --path "${failure.path}" --concurrency`,
    );
    // The shipped plan's counterexample file would replay serial, so none is written for a forced run.
    expect(failure.counterexampleFile).toBeNull();
    expect(existsSync(join(result.directory, `${PLAN}.json`))).toBe(false);
    const replayed = await runInProcess([
      'replay',
      PLAN,
      '--seed',
      String(failure.seed),
      '--path',
      failure.path,
      '--concurrency',
    ]);
    expect(replayed.code).toBe(0);
  });

  it('keeps the concurrency of a plan that sets its own', async () => {
    const result = await runInProcess([
      'check',
      CONCURRENT_PLAN,
      '--concurrency=1',
      '--seed',
      '7',
      '--runs',
      '5',
      '--json',
    ]);
    const report = JSON.parse(result.stdout) as { forcedConcurrency: unknown; plans: Array<Record<string, unknown>> };
    expect(report.forcedConcurrency).toEqual({ requests: 1, workers: true, longTransactions: true });
    expect(report.plans[0]!.concurrencyForced).toBe(false);
  });

  it('leaves the JSON report of a check without the flag as it was', async () => {
    const result = await runInProcess(['check', PLAN, '--seed', '7', '--runs', '5', '--json']);
    const report = JSON.parse(result.stdout) as { plans: Array<Record<string, unknown>> };
    expect(Object.keys(report)).not.toContain('forcedConcurrency');
    expect(Object.keys(report.plans[0]!)).not.toContain('concurrencyForced');
  });

  it.each([
    [
      ['check', PLAN, '--concurrency=lots'],
      /^pgdrill: --concurrency takes full or a number of requests from 1 to 4, not "lots"\n$/,
    ],
    [
      ['check', PLAN, '--concurrency=9'],
      /^pgdrill: --concurrency takes full or a number of requests from 1 to 4, not "9"\n$/,
    ],
    [
      ['check', PLAN, '--concurrency', '--shard', '1/2'],
      /^pgdrill: check --concurrency runs in one process: it takes no --shard\n$/,
    ],
  ])('%j fails with one line and exit code 2', async (argv, message) => {
    const result = await runInProcess(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
