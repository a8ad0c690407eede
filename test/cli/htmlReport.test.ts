import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/runCli.js';
import type { WorldBase } from '../../src/harness/domain.js';
import type { RunResult } from '../../src/harness/runScenario.js';
import { htmlReport } from '../../src/report/htmlReport.js';
import { htmlText } from '../../src/report/htmlText.js';
import { packageRoot, runnersCliConfig } from '../../model/runners/cli.js';
import { inlinePlan } from '../support/inlinePlan.js';
import { sharedChunkRunner } from '../support/sharedChunks.js';

/**
 * The HTML report's structure (the rendering itself is checked in a real browser by hand, see
 * docs/html-report.md): one self-contained page, one timeline row per trace step with exactly one
 * marker on its actor's lane, the failing step and invariant marked, the replay command shown,
 * and untrusted text escaped.
 */
const root = packageRoot();
const fixture = join(root, 'test', 'fixtures', 'thirty-step-incident.json');

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
    counterexampleDirectory: mkdtempSync(join(tmpdir(), 'pgdrill-html-cx-')),
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

const rowsOf = (html: string): string[] => html.split('\n').filter((line) => line.startsWith('<div class="num '));

describe('pgdrill replay --html', () => {
  it('renders a 30-step counterexample as a timeline with one lane per actor', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pgdrill-html-')), 'report.html');
    const result = await run(['replay', fixture, '--html', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=|\shref=|url\(|@import/i);
    const lanes = [...html.matchAll(/<div class="lane-head" title="([^"]*)">/g)].map((match) => match[1]);
    expect(lanes).toEqual([
      'legacy data',
      'deploy',
      'createRunner',
      'runnerHeartbeat',
      'verifyRunner',
      'managerHeartbeat',
      'backgroundTick',
      'createProject',
      'assignRunnerToProject',
      'tagRunner',
      'looseForeignKeysCleanupTick',
    ]);
    expect(html).toContain(`style="--lanes:${lanes.length}"`);
    const rows = rowsOf(html);
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row.match(/class="cell [^"]* active/g)).toHaveLength(1);
    expect(rows.filter((row) => row.includes('row-failing'))).toHaveLength(1);
    const failing = rows[29]!;
    expect(failing).toContain('class="cell k-traffic active failing"');
    expect(failing).toContain('data-lane="traffic:verifyRunner"');
    expect(failing).toContain('→ POST /runners/verify runner 3 system_id s0 → 500 (23503 fk_rails_3f92913d27)');
    expect(failing).toContain('<div class="violation">✗ api-never-500: POST /runners/verify for runner 3 answered 500');
    expect(rows[0]).toContain('<span class="table">ci_runners</span> <span class="ins">+ id=1 runner_type=1');
    expect(html).toContain('<strong>Why:</strong> runner 3 is missing from ci_runners_e59bb2812d');
    expect(html).toContain(`<pre class="replay">npx pgdrill replay ${htmlText(fixture)}</pre>`);
  });

  it('check --html writes one page per counterexample into the directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pgdrill-html-dir-'));
    const result = await run([
      'check',
      'incident-2024-10-31',
      'org-id-check-before-backfill',
      '--seed',
      '3',
      '--runs',
      '250',
      '--html',
      directory,
      '--no-save',
    ]);
    expect(result.code).toBe(0);
    expect(readdirSync(directory).sort()).toEqual(['incident-2024-10-31.html', 'org-id-check-before-backfill.html']);
    const html = readFileSync(join(directory, 'incident-2024-10-31.html'), 'utf8');
    expect(html).toMatch(
      /<pre class="replay">npx pgdrill replay incident-2024-10-31 --seed -?\d+ --path &quot;[\d:]+&quot;<\/pre>/,
    );
    expect(result.stdout).toContain(`html: `);
  });
});

describe('--html path errors', () => {
  it('refuses a bad --html path with one line and exit 2, before any work', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pgdrill-html-bad-'));
    const file = join(directory, 'file');
    writeFileSync(file, 'x');
    const cases: string[][] = [
      ['replay', fixture, '--html', join(directory, 'missing', 'report.html')],
      ['replay', fixture, '--html', directory],
      ['check', 'incident-2024-10-31', '--runs', '1', '--no-save', '--html', file],
      ['merge', join(directory, 'absent.json'), '--html', file],
    ];
    for (const argv of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^pgdrill: --html [^\n]*\n$/);
    }
    expect(existsSync(join(directory, 'missing'))).toBe(false);
  });
});

describe('htmlReport escaping', () => {
  it('escapes every piece of plan and trace text', () => {
    const hostile = '<img src=x onerror="alert(1)"> & \'quoted\'';
    const plan = inlinePlan('x', {
      description: hostile,
      comment: hostile,
      expect: { breaks: 'api-never-500' },
      source: 'inline',
      hash: 'inline',
    });
    const result = {
      trace: [
        {
          kind: 'traffic',
          label: `${hostile} a=${hostile}`,
          outcome: hostile,
          changes: [{ table: hostile, rows: [{ kind: 'insert', before: null, after: { id: 1, note: hostile } }] }],
        },
      ],
      failure: { violations: [{ invariant: 'api-never-500', message: hostile }], traceIndex: 0, explanation: hostile },
    } as unknown as RunResult<WorldBase>;
    const html = htmlReport({ plan, scenario: { swarm: [hostile], legacy: [], steps: [] }, result, replay: hostile });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('data-lane="traffic:&lt;img"');
  });

  it("shows the plan's optOut and accepts reasons, escaped, marking an accepted break of this run", () => {
    const hostile = '<b>bold</b> & "quoted"';
    const plan = inlinePlan('x', {
      description: 'd',
      expect: { breaks: 'api-never-500' },
      optOut: [{ invariant: 'lfk-eventually-clean', reason: `not about loose keys ${hostile}` }],
      accepts: [
        { invariant: 'migrations-succeed', reason: `the same missing rows ${hostile}` },
        { invariant: 'background-work-succeeds', reason: 'the same rows fail a batch' },
      ],
      source: 'inline',
      hash: 'inline',
    });
    const result = {
      trace: [{ kind: 'plan', label: 'step', outcome: 'ok', changes: [] }],
      failure: null,
      observed: new Map([['migrations-succeed', { invariant: 'migrations-succeed', message: 'm' }]]),
    } as unknown as RunResult<WorldBase>;
    const html = htmlReport({ plan, scenario: { swarm: [], legacy: [], steps: [] }, result, replay: null });
    expect(html).not.toContain('<b>bold');
    expect(html).toContain(
      '<li><span class="mono">migrations-succeed</span> (accepted, broke in this run): the same missing rows &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</li>',
    );
    expect(html).toContain(
      '<li><span class="mono">background-work-succeeds</span> (accepted): the same rows fail a batch</li>',
    );
    expect(html).toContain(
      '<li><span class="mono">lfk-eventually-clean</span> (not checked): not about loose keys &lt;b&gt;bold&lt;/b&gt;',
    );
  });

  it('shows control characters and bidirectional overrides as visible escapes, as the terminal does', () => {
    const plan = inlinePlan('x', {
      description: 'clear\u001b[2J here\u202eevil',
      expect: { breaks: 'api-never-500' },
      source: 'inline',
      hash: 'inline',
    });
    const result = {
      trace: [{ kind: 'plan', label: 'step a=\u0007', outcome: 'line\nforged', changes: [] }],
      failure: null,
    } as unknown as RunResult<WorldBase>;
    const html = htmlReport({ plan, scenario: { swarm: [], legacy: [], steps: [] }, result, replay: null });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none reach the page
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(html).toContain('clear\\x1b[2J here\\u202eevil');
    expect(html).toContain('a=\\x07');
    expect(html).toContain('line\\nforged');
  });
});
