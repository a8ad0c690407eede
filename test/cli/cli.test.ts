import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from '../support/runCliInProcess.js';
import { temporaryDirectory } from '../support/temporaryDirectory.js';
import { runnersCliConfig } from '../../model/runners/cli.js';

const run = (argv: string[]) => runInProcess(argv);

describe('pgdrill check', () => {
  it('finds the incident, prints one JSON object with the documented fields, and saves the counterexample', async () => {
    const result = await run(['check', 'incident-2024-10-31', '--seed', '1', '--runs', '300', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { seed: number; plans: Array<Record<string, unknown>> };
    expect(report.seed).toBe(1);
    const plan = report.plans[0]!;
    expect(Object.keys(plan).sort()).toEqual([
      'accepted',
      'alsoBroken',
      'expect',
      'failure',
      'matched',
      'missingProbes',
      'ms',
      'name',
      'optedOut',
      'probes',
      'runs',
      'timeToFindMs',
      'verdict',
    ]);
    expect(plan).toMatchObject({
      name: 'incident-2024-10-31',
      expect: { breaks: 'api-never-500' },
      verdict: { breaks: 'api-never-500' },
      matched: true,
    });
    const failure = plan.failure as Record<string, unknown>;
    expect(Object.keys(failure).sort()).toEqual([
      'counterexampleFile',
      'explanation',
      'invariant',
      'message',
      'path',
      'replay',
      'seed',
      'shrunkSteps',
    ]);
    expect(failure.shrunkSteps).toBeLessThanOrEqual(8);
    expect(failure.replay).toBe(
      `npx pgdrill replay incident-2024-10-31 --seed ${String(failure.seed)} --path "${String(failure.path)}"`,
    );
    const saved = JSON.parse(readFileSync(join(result.directory, 'incident-2024-10-31.json'), 'utf8')) as {
      outcome: string;
    };
    expect(saved.outcome).toBe('api-never-500');
  });

  it.each([
    [['check', 'no-such-plan'], /^pgdrill: unknown plan "no-such-plan" \(known: .*incident-2024-10-31.*\)\n$/],
    [
      ['check', '--seed', 'x1'],
      /^pgdrill: invalid seed "x1": expected a 32-bit integer or a 40-character git commit hash\n$/,
    ],
    [
      ['check', '/nonexistent/plan.json'],
      /^pgdrill: cannot read plan file \/nonexistent\/plan\.json: no such file or directory\n$/,
    ],
    [
      ['replay', 'incident-2024-10-31', '--seed', '1'],
      /^pgdrill: replay PLAN needs --seed and --path \(as printed by pgdrill check\)\n$/,
    ],
  ])('%j fails with one line and exit code 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['{not json', /^pgdrill: \S+bad\.json: not valid JSON \(at line 1, column 2\)\n$/],
    [
      JSON.stringify({
        name: 'bad',
        description: 'd',
        comment: 'c',
        expect: 'safe',
        steps: [{ step: 'add_concurrent_foreign_key', source: 'a', target: 'b', columns: 'c', validate: 'yes' }],
      }),
      /^pgdrill: \S+bad\.json:1:\d+: step 1 \(add_concurrent_foreign_key\): field "validate" must be true or false\n$/,
    ],
    [
      JSON.stringify({
        name: 'bad',
        description: 'd',
        comment: 'c',
        expect: 'safe',
        steps: [{ step: 'add_column', table: 'ci_runner', column: 'x', type: 'bigint' }],
      }),
      /^pgdrill: \S+bad\.json:1:\d+: step 1 \(add_column\): table "ci_runner" does not exist at this point of the plan; closest existing: ci_runners, .*\n$/,
    ],
  ])('a bad plan file %# gives one line naming the file, step and field', async (content, message) => {
    const file = join(temporaryDirectory('plan'), 'bad.json');
    writeFileSync(file, content);
    const result = await run(['check', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});

describe('pgdrill replay', () => {
  it('prints byte-identical output for the same seed and path, and reproduces from the saved file', async () => {
    const check = await run(['check', 'incident-2024-10-31', '--seed', '3', '--runs', '300', '--json']);
    const failure = (JSON.parse(check.stdout) as { plans: Array<{ failure: { seed: number; path: string } }> })
      .plans[0]!.failure;
    const first = await run(['replay', 'incident-2024-10-31', '--seed', String(failure.seed), '--path', failure.path]);
    const second = await run(['replay', 'incident-2024-10-31', '--seed', String(failure.seed), '--path', failure.path]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('✗ api-never-500: POST /runners/verify for runner');
    expect(first.stdout).toMatch(/why: runner \d+ is missing from ci_runners_e59bb2812d/);
    const fromFile = await run(['replay', join(check.directory, 'incident-2024-10-31.json')]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(first.stdout);
  });

  it('exports a concurrent counterexample as an isolation spec (--sql) and a Node script (--node)', async () => {
    const file = join('test', 'corpus', 'ensure-copy-races-heartbeat.json');
    const spec = await run(['replay', file, '--sql']);
    expect(spec.code).toBe(0);
    expect(spec.stdout).toContain('session "s1"');
    expect(spec.stdout).toMatch(/\npermutation "s2_1" .* "s1_5" "s2_6" "s2_7" "check_invariant"\n/);
    const script = await run(['replay', file, '--node']);
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(script.stdout).toContain('"invariant": "copy-equals-source-where-present"');
    const serial = await run(['replay', join('test', 'corpus', 'incident-2024-10-31.json'), '--node']);
    expect(serial.code).toBe(2);
    expect(serial.stderr).toMatch(/^pgdrill: plan incident-2024-10-31 runs no concurrent sessions: .*\n$/);
    const both = await run(['replay', file, '--node', '--sql']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--node and --sql contradict each other\n$/);
  });
});

describe('pgdrill plans', () => {
  it('lists every plan with its expectation', async () => {
    const result = await run(['plans', '--json']);
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { plans: Array<{ name: string }> }).plans.map((plan) => plan.name);
    expect(names).toContain('incident-2024-10-31');
    expect(names).toContain('runner-machines-fk-not-valid');
  });
});

describe('distributed campaigns', () => {
  const essentials = (stdout: string) =>
    (JSON.parse(stdout) as { plans: Array<Record<string, unknown>> }).plans.map((plan) => {
      const failure = plan.failure as Record<string, unknown> | null;
      return {
        name: plan.name,
        verdict: plan.verdict,
        matched: plan.matched,
        runs: plan.runs,
        failure: failure && {
          invariant: failure.invariant,
          seed: failure.seed,
          path: failure.path,
          shrunkSteps: failure.shrunkSteps,
          message: failure.message,
        },
      };
    });

  // In-process, a shard's chunks that the single run already ran are answered with its results
  // (test/support/sharedChunks.ts): this test holds the shard split, the reports and the merge; that
  // a chunk gives the same result in another thread and order is test/cli/workers.test.ts.
  it('two shards merged give the same verdicts, counterexample and run count as one run', async () => {
    // One plan that breaks and one safe plan, whose runs are summed over the shards (taggings-tags-fk:
    // a fifth of the CPU of runner-machines-fk-not-valid, which carried this before).
    const plans = ['incident-2024-10-31', 'taggings-tags-fk'];
    const single = await run(['check', ...plans, '--seed', '5', '--runs', '750', '--json', '--no-save']);
    const first = await run(['check', ...plans, '--seed', '5', '--runs', '750', '--shard', '1/2']);
    const second = await run(['check', ...plans, '--seed', '5', '--runs', '750', '--shard', '2/2']);
    const directory = temporaryDirectory('shards');
    writeFileSync(join(directory, 'shard-1.json'), first.stdout);
    writeFileSync(join(directory, 'shard-2.json'), second.stdout);
    const merged = await run([
      'merge',
      join(directory, 'shard-2.json'),
      join(directory, 'shard-1.json'),
      '--json',
      '--no-save',
    ]);
    expect(merged.code).toBe(single.code);
    expect(essentials(merged.stdout)).toEqual(essentials(single.stdout));
    const missing = await run(['merge', join(directory, 'shard-1.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('pgdrill: shard 2/2 is missing: a merge needs every shard of the campaign\n');
  });

  it('a fuzzing campaign (time limit, no run count) stops cleanly and lists distinct failures', async () => {
    const result = await run([
      'check',
      'incident-2024-10-31',
      '--seed',
      '9',
      '--time-limit',
      '2',
      '--json',
      '--no-save',
    ]);
    expect(result.code).toBe(0);
    const plan = (
      JSON.parse(result.stdout) as {
        plans: Array<{ distinctFailures: Array<{ invariant: string; why: string }>; runs: number }>;
      }
    ).plans[0]!;
    expect(plan.distinctFailures.length).toBeGreaterThan(0);
    expect(plan.distinctFailures.every((failure) => failure.invariant === 'api-never-500')).toBe(true);
    // Distinct by cause: every entry explains itself, and no two give the same reason.
    expect(plan.distinctFailures.every((failure) => failure.why.length > 0)).toBe(true);
    const causes = plan.distinctFailures.map((failure) => `${failure.invariant}|${failure.why.replace(/\d+/g, '#')}`);
    expect(new Set(causes).size).toBe(causes.length);
    // Totals count every run of every chunk, not only the chunks up to the first failing one.
    expect(plan.runs).toBeGreaterThanOrEqual(plan.distinctFailures.length);
  });
});

describe('pgdrill steps, invariants, probes, operations and new-plan', () => {
  it('lists every invariant with its sentence, as JSON', async () => {
    const result = await run(['invariants', '--json']);
    expect(result.code).toBe(0);
    const { invariants } = JSON.parse(result.stdout) as {
      invariants: { id: string; sentence: string; scope: string }[];
    };
    expect(invariants.map((invariant) => invariant.id)).toEqual(
      runnersCliConfig().domain.invariants.map((invariant) => invariant.id),
    );
    for (const invariant of invariants) expect(invariant.sentence).toMatch(/^\S.{20,}\.\)?$/);
  });

  it.each([
    ['steps', 'run_background_migration_batches'],
    ['probes', 'verify-runner-missing-from-copy'],
    ['operations', 'verifyRunner'],
  ])('pgdrill %s lists %s, in text and as JSON', async (listing, example) => {
    const text = await run([listing]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(example);
    const json = await run([listing, '--json']);
    const entries = (JSON.parse(json.stdout) as Record<string, { name: string; description: string }[]>)[listing]!;
    expect(entries.find((entry) => entry.name === example)?.description).toMatch(/\S/);
  });

  it('new-plan writes a plan that loads and checks, from scratch or from a built-in, and never overwrites', async () => {
    const directory = temporaryDirectory('new');
    const fresh = await run(['new-plan', join(directory, 'my-design')]);
    expect(fresh.code).toBe(0);
    const written = JSON.parse(readFileSync(join(directory, 'my-design.json'), 'utf8')) as {
      $schema: string;
      name: string;
    };
    expect(written.name).toBe('my-design');
    expect(written.$schema).toMatch(/schema\/plan\.schema\.json$/);
    const copy = await run(['new-plan', join(directory, 'my-incident'), '--from', 'incident-2024-10-31']);
    expect(copy.code).toBe(0);
    const checked = await run([
      'check',
      join(directory, 'my-incident.json'),
      '--runs',
      '250',
      '--seed',
      '1',
      '--json',
      '--no-save',
    ]);
    expect((JSON.parse(checked.stdout) as { plans: { verdict: unknown }[] }).plans[0]!.verdict).toEqual({
      breaks: 'api-never-500',
    });
    const again = await run(['new-plan', join(directory, 'my-design')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/my-design\.json already exists; new-plan never overwrites a file\n$/);
    expect((await run(['new-plan', 'Bad Name'])).code).toBe(2);
  });
});
