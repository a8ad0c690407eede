import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliConfig } from '../../src/cli/runCli.js';
import type { OperationKind } from '../../src/harness/domain.js';
import { COUNTEREXAMPLE_FORMAT } from '../../src/harness/corpus.js';
import fc from 'fast-check';
import { counterDomain } from '../harness/counterDomain.js';
import type { CounterWorld } from '../harness/counterDomain.js';
import { runInProcess } from '../support/runCliInProcess.js';
import { temporaryDirectory } from '../support/temporaryDirectory.js';

/**
 * Exit code 3 is for genuine internal errors only, printed with the command that reproduces
 * them; a crash is never a verdict, and never a truncated SQL script that exits 0.
 */
const crash: OperationKind<CounterWorld> = {
  name: 'crash',
  description: 'Throws a TypeError, as a model bug would.',
  args: fc.record({}),
  run: () => {
    throw new TypeError('boom: the model crashed');
  },
};

function crashingConfig(directory: string): CliConfig<CounterWorld> {
  const plans = temporaryDirectory('plans');
  writeFileSync(
    join(plans, 'counter.json'),
    JSON.stringify({
      name: 'counter',
      description: 'a counter',
      comment: 'safe',
      expect: 'safe',
      steps: [{ step: 'add_limit', limit: 100 }],
    }),
  );
  return {
    domain: { ...counterDomain, trafficOperations: [crash] },
    workerModule: null,
    planDirectory: plans,
    counterexampleDirectory: directory,
    defaultRuns: 10,
    commandName: 'npx pgdrill',
    schemaFile: join(plans, 'plan.schema.json'),
  };
}

const crashingCounterexample = (): string => {
  const file = join(temporaryDirectory('counterexample'), 'crash.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: COUNTEREXAMPLE_FORMAT,
      plan: 'counter',
      outcome: 'below-ten',
      message: '',
      seed: 1,
      path: '0',
      shrunkSteps: 1,
      scenario: { swarm: ['crash'], legacy: [], steps: [{ op: 'crash', args: {} }] },
    }),
  );
  return file;
};

describe('internal errors', () => {
  it('a crashing scenario in a campaign exits 3 with the replay command of the crash', async () => {
    const result = await runInProcess(['check', 'counter', '--runs', '5', '--seed', '3'], {
      configure: crashingConfig,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^pgdrill: internal error, a bug in pgdrill \(please report it with this output\): .*boom: the model crashed\n/,
    );
    expect(result.stderr).toMatch(/\n {2}reproduce with: npx pgdrill replay counter --seed -?\d+ --path [\d:]+\n/);
  });

  it.each([[[]], [['--sql']], [['--json']]])(
    'replaying a crashing counterexample %j exits 3 and prints no script',
    async (flags) => {
      const file = crashingCounterexample();
      const result = await runInProcess(['replay', file, ...flags], { configure: crashingConfig });
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('boom: the model crashed');
      expect(result.stderr).toContain(`reproduce with: npx pgdrill replay ${file}`);
    },
  );
});

describe('a closed pipe', () => {
  it('pgdrill plans | head -1 ends quietly', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    expect(existsSync(join(root, 'dist', 'model', 'runners', 'cli.js')), 'dist/ is missing: run npm run build').toBe(
      true,
    );
    // Thirty listings (about 290 KB) are several times what a pipe buffer holds (64 KB on Linux), so
    // the writer meets the closed pipe for sure.
    const child = spawn(
      'node',
      [
        '-e',
        `import('${join(root, 'dist', 'model', 'runners', 'cli.js')}').then(async (cli) => { for (let i = 0; i < 30; i++) await cli.main(['plans']); })`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const firstLine = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\n')[0]!)),
    );
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // The listing is sorted by name, so it starts with the first plan file's name.
    const firstPlan = readdirSync(join(root, 'model', 'plans'))
      .filter((name) => name.endsWith('.json'))
      .sort()[0]!
      .replace(/\.json$/, '');
    expect(firstLine.startsWith(`${firstPlan} `), firstLine).toBe(true);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
