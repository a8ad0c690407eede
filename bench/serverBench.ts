/**
 * Permutations per second of the multi-session regression programs (generic lock programs and the
 * ci_runners races) on the real PostgreSQL server, for `npm run bench`. The engine figure for the
 * same programs needs the engine's sessions (issue 10), which do not exist yet: it is reported as
 * unavailable, never estimated.
 */
import { runnerRaces } from '../model/runners/concurrency/races.js';
import { startServer } from '../src/oracle/server/embeddedServer.js';
import { outcomeDifferences } from '../src/oracle/server/expectation.js';
import { lockPrograms } from '../src/oracle/server/lockPrograms.js';
import { openPgSessionBackend } from '../src/oracle/server/pgSessionBackend.js';
import { runPermutation } from '../src/oracle/server/permutationDriver.js';

export interface ServerPermutationFigures {
  readonly server: string;
  readonly initdbMs: number;
  readonly startMs: number;
  readonly permutations: number;
  readonly seconds: number;
  readonly permutationsPerSecond: number;
  /** Permutations run again because the busy machine broke their timing. */
  readonly retries: number;
  /** Per program: permutations per second. */
  readonly perProgram: Readonly<Record<string, number>>;
}

export async function serverPermutationThroughput(rounds = 3): Promise<ServerPermutationFigures> {
  const server = await startServer();
  try {
    const backend = await openPgSessionBackend({ connectionString: server.connectionString });
    try {
      const perProgram: Record<string, number> = {};
      let permutations = 0;
      let retries = 0;
      const started = performance.now();
      for (const regression of [...lockPrograms, ...runnerRaces]) {
        const programStarted = performance.now();
        for (let round = 0; round < rounds; round += 1) {
          for (const [index, permutation] of regression.program.permutations.entries()) {
            const outcome = await runPermutation(backend, regression.program, permutation);
            // A figure for runs that went wrong would be meaningless.
            const differences = outcomeDifferences(outcome, regression.expected[index]!);
            if (differences.length > 0)
              throw new Error(`the server diverged from the recorded outcome: ${differences.join('; ')}`);
            permutations += 1;
            retries += outcome.attempts - 1;
          }
        }
        perProgram[regression.program.name] =
          Math.round(
            ((rounds * regression.program.permutations.length) / ((performance.now() - programStarted) / 1000)) * 10,
          ) / 10;
      }
      const seconds = (performance.now() - started) / 1000;
      return {
        server: `${backend.description}${server.embedded ? ' (embedded)' : ''}`,
        initdbMs: server.initdbMs,
        startMs: server.startMs,
        permutations,
        seconds: Math.round(seconds * 100) / 100,
        permutationsPerSecond: Math.round((permutations / seconds) * 10) / 10,
        retries,
        perProgram,
      };
    } finally {
      await backend.close();
    }
  } finally {
    await server.stop();
  }
}
