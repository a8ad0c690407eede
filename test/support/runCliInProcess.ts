import { runCli } from '../../src/cli/runCli.js';
import type { CliConfig } from '../../src/cli/runCli.js';
import type { WorldBase } from '../../src/harness/domain.js';
import { runnersCliConfig } from '../../model/runners/cli.js';
import { sharedChunkRunner } from './sharedChunks.js';
import { temporaryDirectory } from './temporaryDirectory.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The counterexample directory of this run (removed when the test finishes). */
  readonly directory: string;
}

/**
 * Runs the CLI in-process with captured output, as a user would see it on a non-terminal. A chunk
 * this worker process already ran is answered with its earlier result (sharedChunks.ts).
 */
export async function runInProcess<W extends WorldBase>(
  argv: readonly string[],
  options: { readonly directory?: string; readonly configure?: (directory: string) => CliConfig<W> } = {},
): Promise<CliRun> {
  const directory = options.directory ?? temporaryDirectory('cli');
  const configure = options.configure;
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
  const config = configure
    ? configure(directory)
    : { ...runnersCliConfig(), counterexampleDirectory: directory, chunkRunner: sharedChunkRunner };
  const code = await runCli(config as unknown as CliConfig<WorldBase>, argv, {
    stdout: stream((text) => {
      stdout += text;
    }),
    stderr: stream((text) => {
      stderr += text;
    }),
  });
  return { code, stdout, stderr, directory };
}
