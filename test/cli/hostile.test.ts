import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from '../support/runCliInProcess.js';
import type { CliRun } from '../support/runCliInProcess.js';
import { temporaryDirectory } from '../support/temporaryDirectory.js';

/**
 * The CLI contract under hostile input (issue 14): every bad argument, plan file, counterexample
 * or shard report ends with exit code 2 and exactly one line on standard error that names what
 * was wrong, with nothing on standard output, no stack trace, nothing written, and nothing
 * from the input echoed raw to the terminal.
 */
const run = (argv: readonly string[]): Promise<CliRun> => runInProcess(argv);

function expectOneLineRefusal(result: CliRun, message: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  expect(result.stderr).toMatch(/^pgdrill: [^\n]*\n$/);
  expect(result.stderr).toMatch(message);
  // Nothing raw from the input: no escape, carriage return or other control character.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that no control character got through
  expect(result.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const PLAN = 'incident-2024-10-31';

describe('bad arguments: exit 2 with one line, before any work starts', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['plans', 'extra'], /plans takes no arguments/],
    [['check', '--runs', '0'], /--runs takes a positive whole number, not "0"/],
    [['check', '--runs', '-1'], /--runs takes a positive whole number/],
    [['check', '--runs', '1.5'], /--runs takes a positive whole number/],
    [['check', '--runs', '1e3'], /--runs takes a positive whole number/],
    [['check', '--runs', '99999999999'], /--runs is at most 1000000000/],
    [['check', '--runs', '9'.repeat(400)], /--runs takes a positive whole number/],
    [['check', '--runs'], /--runs needs a value/],
    [['check', '--workers', '0'], /--workers takes a positive whole number/],
    [['check', '--workers', '65'], /--workers is at most 64, not 65/],
    [['check', '--workers', '100000'], /--workers is at most 64/],
    [['check', '--shard', '0/2'], /invalid --shard "0\/2"/],
    [['check', '--shard', '3/2'], /invalid --shard "3\/2"/],
    [['check', '--shard', '1/0'], /invalid --shard "1\/0"/],
    [['check', '--shard', 'a/b'], /invalid --shard "a\/b"/],
    [['check', '--shard', '1/10001'], /a campaign has at most 10000 shards/],
    [['check', '--shard', '1/99999999999'], /a campaign has at most 10000 shards/],
    [['check', '--seed', '4294967296'], /invalid seed "4294967296"/],
    [['check', '--seed', '-2147483649'], /invalid seed/],
    [['check', '--seed', '1e3'], /invalid seed/],
    [['check', '--seed', 'a'.repeat(41)], /invalid seed/],
    [['check', '--seed', '\u001b[2J'], /invalid seed "\\x1b\[2J"/],
    [['check', '--time-limit', '0'], /--time-limit takes a positive whole number/],
    [['check', '--time-limit', '604801'], /--time-limit is at most 604800/],
    [['check', '--json=1'], /--json takes no value/],
    [['check', '--path', '1'], /check does not take --path/],
    [['replay'], /replay takes one plan name or one counterexample file/],
    [['replay', PLAN, PLAN], /replay takes one plan name or one counterexample file/],
    [['replay', PLAN, '--seed', '7'], /replay PLAN needs --seed and --path/],
    [['replay', PLAN, '--seed', '7', '--path', '999:999:999'], /it starts with run 999, but a chunk has 250 runs/],
    [
      ['replay', PLAN, '--seed', '7', '--path', '99999999999999999999999'],
      /it starts with run 99999999999999999999999/,
    ],
    [['replay', PLAN, '--seed', '7', '--path', '1000000000'], /it starts with run 1000000000/],
    [
      ['replay', PLAN, '--seed', '7', '--path', Array.from({ length: 60_000 }, () => '0').join(':')],
      /60000 parts, but a path printed by pgdrill check has at most 5000/,
    ],
    [['replay', PLAN, '--seed', '7', '--path', '0:1000001'], /shrink index 1000001 is past 1000000/],
    [
      ['replay', PLAN, '--seed', '7', '--path', '0:99999999999999999999999'],
      /shrink index 99999999999999999999999 is past/,
    ],
    [['replay', PLAN, '--seed', '7', '--path', '1::2'], /invalid path "1::2"/],
    [['replay', PLAN, '--seed', '7', '--path', '-1'], /invalid path "-1"/],
    [['replay', PLAN, '--seed', '7', '--path', ''], /invalid path ""/],
    [['replay', PLAN, '--seed', '7', '--path', '0:\r1'], /invalid path "0:\\r1"/],
    [['replay', PLAN, '--seed', '7', '--path', '0:9999'], /lead to no scenario of plan incident-2024-10-31/],
    [['diff', 'x'], /diff takes no arguments/],
    [['diff', '--runs', '0'], /--runs takes a positive whole number/],
    [['diff', '--sessions', '0'], /--sessions takes a positive whole number, not "0"/],
    [['diff', '--sessions', '17'], /--sessions is at most 16, not 17/],
    [['diff', '--sessions', '2', '--plan', PLAN], /diff --sessions .* takes no --plan or --regress/],
    [['diff', '--sessions', '2', '--regress'], /diff --sessions .* takes no --plan or --regress/],
    [['diff', '--against', 'server'], /--against .* needs --sessions N/],
    [
      ['diff', '--sessions', '2', '--against', 'mysql\u001b[2J'],
      /--against takes engine or server, not "mysql\\x1b\[2J"/,
    ],
    [['check', 'no-such-plan'], /unknown plan "no-such-plan"/],
    [['check', 'evil\u001b]0;owned\u0007'], /unknown plan "evil\\x1b\]0;owned\\x07"/],
    [['check', '/nonexistent/plan.json'], /cannot read plan file \/nonexistent\/plan\.json: no such file or directory/],
    [['check', '/'], /cannot read plan file \/: it is a directory/],
    [['check', '/dev/null'], /cannot read plan file \/dev\/null: not a regular file/],
    [
      ['replay', '/nonexistent/counterexample.json'],
      /cannot read counterexample \/nonexistent\/counterexample\.json: no such file or directory/,
    ],
    [['merge'], /merge needs the shard reports/],
    [['merge', '/nonexistent/shard.json'], /cannot read shard report/],
  ])('%j', async (argv, message) => {
    expectOneLineRefusal(await run(argv), message);
  });
});

/** A valid plan file (the incident's content) with `change` applied, written to a scratch directory. */
function planFile(change: (plan: Record<string, unknown>) => unknown, name = 'plan.json'): string {
  const plan = JSON.parse(
    readFileSync(new URL('../../model/plans/incident-2024-10-31.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const file = join(temporaryDirectory('plan'), name);
  const changed = change(plan);
  writeFileSync(file, typeof changed === 'string' ? changed : JSON.stringify(changed ?? plan));
  return file;
}

const withStep = (step: Record<string, unknown>) => (plan: Record<string, unknown>) => ({
  ...plan,
  steps: [...(plan.steps as unknown[]), step],
});
const nested = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown => {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = wrap(value);
  return value;
};

describe('hostile plan files: exit 2 with one line naming the file and field', () => {
  it.each([
    ['an empty file', () => '', /not valid JSON \(the file is empty\)/],
    [
      'a password file, whose content must not be echoed',
      () => 'root:x:0:0:root:/root:/bin/bash\n',
      /not valid JSON \(unexpected text\)$/m,
    ],
    ['truncated JSON', () => '[1,', /not valid JSON \(it ends too early\)/],
    ['JSON with an error on line 3', () => '{\n"name": "x",\n oops }', /not valid JSON \(at line 3, column 2\)/],
    ['a JSON array', () => '[]', /a plan must be a JSON object/],
    [
      'an upper-case name',
      (plan: Record<string, unknown>) => ({ ...plan, name: 'Evil' }),
      /field "name" must be a lower-case name/,
    ],
    [
      'a 101-character name',
      (plan: Record<string, unknown>) => ({ ...plan, name: 'a'.repeat(101) }),
      /field "name" must be a lower-case name/,
    ],
    [
      'a name with a newline',
      (plan: Record<string, unknown>) => ({ ...plan, name: 'a\nb' }),
      /field "name" must be a lower-case name/,
    ],
    [
      'an unknown probe',
      (plan: Record<string, unknown>) => ({ ...plan, probes: ['no-such-probe'] }),
      /field "probes\[0\]" must be one of "[a-z-]+", (?:"[a-z-]+", )*"backfill-overlaps-traffic"/,
    ],
    [
      'a table name with a NUL',
      withStep({ step: 'validate_foreign_key', table: 'ci_runners\u0000', name: 'x' }),
      /field "table" contains a NUL byte/,
    ],
    [
      'a 64-byte constraint name',
      withStep({ step: 'validate_foreign_key', table: 'ci_runners', name: 'n'.repeat(64) }),
      /field "name" is 64 bytes long; PostgreSQL identifiers are at most 63 bytes/,
    ],
    [
      'a 22-character name of 66 bytes',
      withStep({ step: 'validate_foreign_key', table: 'ci_runners', name: '€'.repeat(22) }),
      /field "name" is 66 bytes long/,
    ],
    [
      'a 64-byte sequence',
      withStep({ step: 'ensure_unique_id', table: 'ci_runners', seq: 's'.repeat(64) }),
      /field "seq" is 64 bytes long/,
    ],
    [
      'a 64-byte column in a list',
      withStep({ step: 'add_concurrent_foreign_key', source: 'a', target: 'b', columns: ['c'.repeat(64)] }),
      /column name "c{64}" is 64 bytes long/,
    ],
    [
      'a CHECK 100 levels deep',
      withStep({
        step: 'add_check_constraint',
        table: 'ci_runners',
        name: 'c',
        expr: nested(100, { isNull: 'id' }, (inner) => ({ not: inner })),
      }),
      /nested more than 64 levels deep|nests expressions more than 32 deep/,
    ],
    [
      'a CHECK literal with a NUL',
      withStep({ step: 'add_check_constraint', table: 'ci_runners', name: 'c', expr: { eq: ['id', 'a\u0000b'] } }),
      /contains a NUL byte/,
    ],
    [
      'a CHECK column of 64 bytes',
      withStep({ step: 'add_check_constraint', table: 'ci_runners', name: 'c', expr: { isNull: 'x'.repeat(64) } }),
      /column name is 64 bytes long/,
    ],
    [
      'settings nested a million deep',
      () =>
        `{"name":"x","description":"d","comment":"c","expect":"safe","steps":[{"step":"deploy_code"}],"settings":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
      /not valid JSON: nested more than 64 levels deep/,
    ],
    ['an unknown step with an escape sequence', withStep({ step: 'drop\u001b[2J' }), /unknown step "drop\\u001b\[2J"/],
  ])('%s', async (_label, change, message) => {
    const file = planFile(change as (plan: Record<string, unknown>) => unknown);
    const result = await run(['check', file, '--runs', '1', '--no-save']);
    expectOneLineRefusal(result, message);
    expect(result.stderr).not.toContain('root:x');
  });

  it('a hostile but valid description and comment are escaped in every report', async () => {
    const file = planFile((plan) => ({
      ...plan,
      description: 'evil \u001b]0;owned\u0007 \r\nforged line\u202e',
      comment: 'c\u001b[2J',
    }));
    const result = await run(['check', file, '--runs', '1', '--seed', '1', '--no-save']);
    expect(result.stdout).toContain('evil \\x1b]0;owned\\x07 \\r\\nforged line\\u202e');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that no control character got through
    expect(result.stdout + result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});

/** A counterexample of the incident, saved by a real check (once), that tests then corrupt. */
let saved: string | null = null;
async function savedCounterexample(): Promise<Record<string, unknown>> {
  if (saved === null) {
    const result = await run(['check', PLAN, '--seed', '1', '--runs', '300']);
    expect(result.code).toBe(0);
    saved = readFileSync(join(result.directory, `${PLAN}.json`), 'utf8');
  }
  return JSON.parse(saved) as Record<string, unknown>;
}

describe('hostile counterexamples: exit 2 with one line, nothing replayed', () => {
  type Counterexample = Record<string, unknown> & {
    scenario: {
      swarm: string[];
      legacy: Array<{ op: string; args: Record<string, unknown> }>;
      steps: Array<{ op: string; args: Record<string, unknown> }>;
    };
  };
  const cases: Array<[string, (counterexample: Counterexample) => unknown, RegExp]> = [
    ['a JSON array', () => [], /a counterexample must be a JSON object/],
    [
      'another format',
      (ce) => ({ ...ce, format: 'pgdrill-counterexample/9' }),
      /field "format" must be "pgdrill-counterexample\/1"/,
    ],
    ['a plan field that is a path', (ce) => ({ ...ce, plan: '/etc/passwd' }), /field "plan" must be a plan name/],
    ['a plan field naming a .json file', (ce) => ({ ...ce, plan: 'x.json' }), /field "plan" must be a plan name/],
    ['an unknown plan', (ce) => ({ ...ce, plan: 'no-such-plan' }), /unknown plan "no-such-plan"/],
    [
      'a plan source that is missing',
      (ce) => ({ ...ce, planSource: '/nonexistent/plan.json' }),
      /the plan file it was made from, \/nonexistent\/plan\.json, no longer exists/,
    ],
    [
      'a plan source that is not a plan file',
      (ce) => ({ ...ce, planSource: '/etc/passwd' }),
      /its plan source must be "builtin" or a plan file ending in \.json/,
    ],
    ['a malformed plan hash', (ce) => ({ ...ce, planHash: 'zz' }), /field "planHash" must be 16 hexadecimal digits/],
    ['a seed that is a string', (ce) => ({ ...ce, seed: '7' }), /field "seed" must be a whole number/],
    ['no scenario', (ce) => ({ ...ce, scenario: undefined }), /field "scenario" must be an object/],
    [
      'a swarm that is not a list',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, swarm: 'x' } }),
      /field "scenario.swarm" must be an array/,
    ],
    [
      'steps that are not a list',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: {} } }),
      /field "scenario.steps" must be an array of \{op, args\}/,
    ],
    [
      'an unknown traffic operation',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: [{ op: 'rm -rf', args: {} }] } }),
      /scenario.steps, step 1: unknown operation "rm -rf"/,
    ],
    [
      'an unknown legacy operation',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, legacy: [{ op: 'verifyRunner', args: {} }] } }),
      /scenario.legacy, step 1: unknown legacy operation "verifyRunner"/,
    ],
    [
      'an unknown swarm operation',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, swarm: ['nope'] } }),
      /scenario.swarm names unknown operation "nope"/,
    ],
    [
      'a plan marker with arguments',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: [{ op: '@plan', args: { x: 1 } }] } }),
      /@plan takes no arguments/,
    ],
    [
      'a negative argument',
      (ce) => ({
        ...ce,
        scenario: { ...ce.scenario, steps: [{ op: 'verifyRunner', args: { runner: -1, system: 0 } }] },
      }),
      /step \d+ \(verifyRunner\): argument "runner" must be a natural number, got -1/,
    ],
    [
      'a non-numeric argument',
      (ce) => ({
        ...ce,
        scenario: { ...ce.scenario, steps: [{ op: 'verifyRunner', args: { runner: 'one', system: 0 } }] },
      }),
      /argument "runner" must be a natural number, got "one"/,
    ],
    [
      'a missing argument',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: [{ op: 'verifyRunner', args: {} }] } }),
      /argument "runner" must be a natural number, got undefined/,
    ],
    [
      'a deeply nested argument',
      (ce) => JSON.stringify(ce).replace('"orphan":false', `"orphan":${'['.repeat(200_000)}${']'.repeat(200_000)}`),
      /argument "orphan" must be a number, string, boolean or null/,
    ],
    [
      'an argument that is an object',
      (ce) => ({
        ...ce,
        scenario: { ...ce.scenario, steps: [{ op: 'verifyRunner', args: { runner: { valueOf: 1 } } }] },
      }),
      /argument "runner" must be a number/,
    ],
    [
      'an extra field in a call',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: [{ op: 'verifyRunner', args: {}, sql: 'DROP' }] } }),
      /has unknown field "sql"/,
    ],
    [
      'twenty thousand steps',
      (ce) => ({
        ...ce,
        scenario: { ...ce.scenario, steps: Array.from({ length: 20_000 }, () => ({ op: '@plan', args: {} })) },
      }),
      /has 20000 steps, more than 10000/,
    ],
    [
      'a hundred arguments',
      (ce) => ({
        ...ce,
        scenario: {
          ...ce.scenario,
          steps: [
            {
              op: 'verifyRunner',
              args: Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`a${index}`, 0])),
            },
          ],
        },
      }),
      /has more than 32 arguments/,
    ],
    [
      'an op name with an escape sequence',
      (ce) => ({ ...ce, scenario: { ...ce.scenario, steps: [{ op: '\u001b[2J', args: {} }] } }),
      /unknown operation "\\u001b\[2J"/,
    ],
  ];

  it.each(cases)('%s', async (_label, corrupt, message) => {
    const original = (await savedCounterexample()) as Counterexample;
    const file = join(temporaryDirectory('counterexample'), 'hostile.json');
    const corrupted = corrupt(original);
    writeFileSync(file, typeof corrupted === 'string' ? corrupted : JSON.stringify(corrupted));
    for (const argv of [
      ['replay', file],
      ['replay', file, '--sql'],
      ['replay', file, '--json'],
    ])
      expectOneLineRefusal(await run(argv), message);
  });

  it('a directory or a missing file is one line too', async () => {
    const directory = join(temporaryDirectory('counterexample'), 'dir.json');
    mkdirSync(directory);
    expectOneLineRefusal(await run(['replay', directory]), /cannot read counterexample .*dir\.json: it is a directory/);
  });
});

describe('plan files and their counterexamples', () => {
  it('a plan file reusing a built-in name never overwrites the built-in counterexample, and replays from its own file', async () => {
    const builtin = await run(['check', PLAN, '--seed', '1', '--runs', '300']);
    const directory = builtin.directory;
    const builtinFile = join(directory, `${PLAN}.json`);
    const before = readFileSync(builtinFile, 'utf8');
    const file = planFile((plan) => ({ ...plan, description: 'a copy from a merge request' }));
    const copy = await runInProcess(['check', file, '--seed', '1', '--runs', '300'], { directory });
    expect(copy.code).toBe(0);
    expect(readFileSync(builtinFile, 'utf8')).toBe(before);
    const saved = readdirSync(directory).filter((name) => name !== `${PLAN}.json`);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^incident-2024-10-31\.file-[0-9a-f]{16}\.json$/);
    const counterexample = JSON.parse(readFileSync(join(directory, saved[0]!), 'utf8')) as {
      planSource: string;
      planHash: string;
    };
    expect(counterexample.planSource).toBe(file);
    const replay = await run(['replay', join(directory, saved[0]!)]);
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });
    expect(replay.stdout).toContain('incident-2024-10-31: a copy from a merge request');
    // The built-in's counterexample still replays against the built-in plan.
    const replayBuiltin = await run(['replay', builtinFile]);
    expect(replayBuiltin.code).toBe(0);
    expect(replayBuiltin.stdout).not.toContain('a copy from a merge request');
  });

  it('a plan changed since its counterexample was saved is reported as changed', async () => {
    const file = planFile((plan) => plan);
    const check = await run(['check', file, '--seed', '1', '--runs', '300']);
    const saved = join(check.directory, readdirSync(check.directory)[0]!);
    writeFileSync(
      file,
      JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), comment: 'edited after the run' }),
    );
    const replay = await run(['replay', saved]);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toMatch(
      /^pgdrill: warning: .*: plan incident-2024-10-31 changed since then \(content hash [0-9a-f]{16}, now [0-9a-f]{16}\); replaying against the plan as it is now\n$/,
    );
  });
});

describe('saving a counterexample never loses the verdict', () => {
  it.each([
    [
      'the counterexample directory is a file',
      (directory: string) => {
        const file = join(directory, 'not-a-directory');
        writeFileSync(file, '');
        return join(file, 'counterexamples');
      },
      /a part of the path is not a directory/,
    ],
    [
      'the counterexample target is a directory',
      (directory: string) => {
        mkdirSync(join(directory, `${PLAN}.json`));
        return directory;
      },
      /it is a directory/,
    ],
  ])('%s', async (_label, prepare, reason) => {
    const scratch = temporaryDirectory('save');
    const target = prepare(scratch);
    const result = await runInProcess(['check', PLAN, '--seed', '1', '--runs', '300'], { directory: target });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('every plan matched its expectation');
    expect(result.stdout).toContain('replay: npx pgdrill replay incident-2024-10-31 --seed');
    expect(result.stderr).toMatch(
      /^pgdrill: warning: could not save the counterexample of incident-2024-10-31 to .*: /,
    );
    expect(result.stderr).toMatch(reason);
    const json = await runInProcess(['check', PLAN, '--seed', '1', '--runs', '300', '--json'], { directory: target });
    expect(
      (JSON.parse(json.stdout) as { plans: Array<{ failure: { counterexampleFile: string | null } }> }).plans[0]!
        .failure.counterexampleFile,
    ).toBeNull();
    // No temporary file is left next to the target.
    const leftovers = (existsSync(target) ? readdirSync(target) : []).filter((name) => name.includes('.tmp-'));
    expect(leftovers).toEqual([]);
  });
});

describe('hostile shard reports: merge refuses anything but the shards of one campaign', () => {
  let shards: [Record<string, unknown>, Record<string, unknown>] | null = null;
  async function realShards(): Promise<[Record<string, unknown>, Record<string, unknown>]> {
    if (shards === null) {
      const argv = ['check', PLAN, '--seed', '5', '--runs', '500'];
      const [first, second] = await Promise.all([run([...argv, '--shard', '1/2']), run([...argv, '--shard', '2/2'])]);
      shards = [
        JSON.parse(first!.stdout) as Record<string, unknown>,
        JSON.parse(second!.stdout) as Record<string, unknown>,
      ];
    }
    return structuredClone(shards);
  }
  type Shard = Record<string, unknown> & {
    plans: Array<
      Record<string, unknown> & { chunks: Array<Record<string, unknown> & { spec: Record<string, unknown> }> }
    >;
  };
  const firstChunk = (shard: Shard) => shard.plans[0]!.chunks[0]!;

  it.each([
    [
      'chunks that are not a list',
      (shard: Shard) => {
        shard.plans[0]!.chunks = 'x' as never;
      },
      /"chunks" must be an array of chunk results/,
    ],
    [
      'a chunk of another shard',
      (shard: Shard) => {
        firstChunk(shard).spec.index = 1;
      },
      /has index 1, which is not one of shard 1\/2/,
    ],
    [
      'a chunk with a forged seed',
      (shard: Shard) => {
        firstChunk(shard).spec.seed = 7;
      },
      /has seed 7, not the one campaign seed 5 gives chunk 0/,
    ],
    [
      'a chunk of another plan',
      (shard: Shard) => {
        firstChunk(shard).spec.plan = 'lfk-on-copy';
      },
      /belongs to plan "lfk-on-copy"/,
    ],
    [
      'a chunk with more runs than it has',
      (shard: Shard) => {
        firstChunk(shard).runs = 10_000;
      },
      /has an invalid "runs"/,
    ],
    [
      'a failure with a hostile scenario',
      (shard: Shard) => {
        firstChunk(shard).failure = {
          seed: firstChunk(shard).spec.seed,
          path: '0',
          invariant: 'x',
          scenario: { swarm: [], legacy: [], steps: [{ op: 'x', args: { a: [[[]]] } }] },
        };
      },
      /argument "a" must be a number/,
    ],
    [
      'probes that are not counts',
      (shard: Shard) => {
        firstChunk(shard).probes = { p: -1 };
      },
      /has invalid "probes"/,
    ],
    [
      'a plan without a content hash',
      (shard: Shard) => {
        delete shard.plans[0]!.hash;
      },
      /"source" and "hash" must say which plan content ran/,
    ],
    [
      'a plan listed twice',
      (shard: Shard) => {
        shard.plans.push(shard.plans[0]!);
      },
      /plan incident-2024-10-31 appears twice/,
    ],
    [
      'a shard count past the limit',
      (shard: Shard) => {
        shard.shard = { index: 1, count: 20_000 };
      },
      /"shard" must be \{index, count\}/,
    ],
    [
      'a seed that is not a number',
      (shard: Shard) => {
        shard.seed = '5';
      },
      /"seed" must be a whole number/,
    ],
    [
      'another format',
      (shard: Shard) => {
        shard.format = 'pgdrill-shard/0';
      },
      /not a shard report/,
    ],
  ])('%s', async (_label, corrupt, message) => {
    const [first, second] = await realShards();
    corrupt(first as Shard);
    const directory = temporaryDirectory('shards');
    writeFileSync(join(directory, '1.json'), JSON.stringify(first));
    writeFileSync(join(directory, '2.json'), JSON.stringify(second));
    expectOneLineRefusal(await run(['merge', join(directory, '1.json'), join(directory, '2.json')]), message);
  });

  it.each([
    [
      'another seed',
      [PLAN, '--seed', '6', '--runs', '500'],
      /belongs to another campaign \(seed 6, runs 500, 2 shards\)/,
    ],
    [
      'another run count',
      [PLAN, '--seed', '5', '--runs', '750'],
      /belongs to another campaign \(seed 5, runs 750, 2 shards\)/,
    ],
    [
      'another plan',
      ['lfk-on-copy', '--seed', '5', '--runs', '500'],
      /ran other plans \(lfk-on-copy@[0-9a-f]{16}\) than .* \(incident-2024-10-31@[0-9a-f]{16}\)/,
    ],
  ])('a shard of %s', async (_label, campaign, message) => {
    const [first] = await realShards();
    const other = await run(['check', ...campaign, '--shard', '2/2']);
    const directory = temporaryDirectory('shards');
    writeFileSync(join(directory, '1.json'), JSON.stringify(first));
    writeFileSync(join(directory, '2.json'), other.stdout);
    expectOneLineRefusal(await run(['merge', join(directory, '1.json'), join(directory, '2.json')]), message);
  });

  it('a plan file changed since its shards ran', async () => {
    const file = planFile((plan) => plan);
    const argv = ['check', file, '--seed', '5', '--runs', '500'];
    const [first, second] = await Promise.all([run([...argv, '--shard', '1/2']), run([...argv, '--shard', '2/2'])]);
    const directory = temporaryDirectory('shards');
    writeFileSync(join(directory, '1.json'), first!.stdout);
    writeFileSync(join(directory, '2.json'), second!.stdout);
    const merged = await run(['merge', join(directory, '1.json'), join(directory, '2.json'), '--no-save']);
    expect(merged.code).toBe(0);
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), comment: 'edited' }));
    expectOneLineRefusal(
      await run(['merge', join(directory, '1.json'), join(directory, '2.json')]),
      /plan incident-2024-10-31 changed since then .*; run the shards again/,
    );
  });
});
