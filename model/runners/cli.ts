import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/runCli.js';
import type { CliConfig } from '../../src/cli/runCli.js';
import { endQuietlyOnBrokenPipe } from '../../src/cli/terminal.js';
import type { RunnersWorld } from './world.js';
import { runnersDomain } from './domain.js';
import { PLAN_SCHEMA_FILE } from '../../src/harness/planSchema.js';

/**
 * The `pgdrill` command for the GitLab runners world: its plans live in model/plans and its
 * counterexamples go to .pgdrill/counterexamples under the current directory.
 */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pgdrill')
      return directory;
    directory = dirname(directory);
  }
  throw new Error('cannot find the pgdrill package root');
}

export function runnersCliConfig(): CliConfig<RunnersWorld> {
  const root = packageRoot();
  return {
    domain: runnersDomain,
    // Worker threads need compiled JavaScript; running from TypeScript sources (tests), there is none.
    workerModule: import.meta.url.endsWith('.js') ? new URL('./checkWorker.js', import.meta.url) : null,
    planDirectory: join(root, 'model', 'plans'),
    counterexampleDirectory: join(process.cwd(), '.pgdrill', 'counterexamples'),
    defaultRuns: 2000,
    commandName: 'npx pgdrill',
    schemaFile: join(root, PLAN_SCHEMA_FILE),
  };
}

export function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnBrokenPipe(process.stdout);
  endQuietlyOnBrokenPipe(process.stderr);
  return runCli(runnersCliConfig(), argv);
}
