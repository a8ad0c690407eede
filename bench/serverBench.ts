/**
 * Permutations per second of the multi-session regression programs (generic lock programs and the
 * ci_runners races) on the real PostgreSQL server and on the engine's sessions, for `npm run bench`.
 * The engine runs the programs that give engine statement values (`setupStatements`); the ratio
 * compares the two on exactly those programs, each permutation checked against its recorded outcome.
 */
import { runnerRaces } from '../model/runners/concurrency/races.js';
import { startServer } from '../src/oracle/server/embeddedServer.js';
import { outcomeDifferences } from '../src/oracle/server/expectation.js';
import { lockPrograms } from '../src/oracle/server/lockPrograms.js';
import { EngineSessionBackend } from '../src/oracle/server/engineSessionBackend.js';
import type { RegressionProgram } from '../src/oracle/server/expectation.js';
import { openPgSessionBackend } from '../src/oracle/server/pgSessionBackend.js';
import { runPermutation, runSchedule } from '../src/oracle/server/permutationDriver.js';
import type { SessionBackend } from '../src/oracle/server/sessionBackend.js';
import { generateSessionProgram } from '../src/oracle/sessions/randomSessions.js';
import { randomChooser } from '../src/oracle/sessions/randomScheduler.js';
import { SERVER_FEATURES } from '../src/oracle/sessions/sessionBackends.js';

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
  /** The server's rate on the programs the engine also runs (`engineProgramNames`). */
  readonly permutationsPerSecondOnEnginePrograms: number;
  /** The random programs of `pgdrill diff --sessions 3` (seed 11): one schedule each. */
  readonly random: RandomScheduleFigures;
}

export interface RandomScheduleFigures {
  readonly schedules: number;
  readonly seconds: number;
  readonly permutationsPerSecond: number;
  readonly blockedSteps: number;
}

const RANDOM_SCHEDULES = 40;

/** One random schedule per program of seed 11, three sessions, as `pgdrill diff --sessions 3` runs them. */
async function randomScheduleThroughput(backend: SessionBackend): Promise<RandomScheduleFigures> {
  let blockedSteps = 0;
  const started = performance.now();
  for (let run = 0; run < RANDOM_SCHEDULES; run += 1) {
    const { sql } = generateSessionProgram(11, run, 3, SERVER_FEATURES);
    const outcome = await runSchedule(backend, sql, () => randomChooser(sql, run, { deliberateWait: 0.08 }));
    blockedSteps += outcome.steps.filter((step) => step.blocked !== null).length;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    schedules: RANDOM_SCHEDULES,
    seconds: Math.round(seconds * 100) / 100,
    permutationsPerSecond: Math.round((RANDOM_SCHEDULES / seconds) * 10) / 10,
    blockedSteps,
  };
}

/** The regression programs the engine's sessions can run (they give engine statement values). */
export const enginePrograms = (): readonly RegressionProgram[] =>
  [...lockPrograms, ...runnerRaces].filter((regression) => regression.program.setupStatements !== undefined);

export interface EnginePermutationFigures {
  readonly programs: readonly string[];
  readonly permutations: number;
  readonly seconds: number;
  readonly permutationsPerSecond: number;
}

/** The same programs on the engine (virtual clock), each outcome checked like the server's. */
export async function enginePermutationThroughput(rounds = 200): Promise<EnginePermutationFigures> {
  const programs = enginePrograms();
  const backend = new EngineSessionBackend(programs.map((regression) => regression.program));
  let permutations = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    for (const regression of programs) {
      for (const [index, permutation] of regression.program.permutations.entries()) {
        const outcome = await runPermutation(backend, regression.program, permutation);
        const differences = outcomeDifferences(outcome, regression.expected[index]!);
        if (differences.length > 0)
          throw new Error(`the engine diverged from the recorded outcome: ${differences.join('; ')}`);
        permutations += 1;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    programs: programs.map((regression) => regression.program.name),
    permutations,
    seconds: Math.round(seconds * 100) / 100,
    permutationsPerSecond: Math.round(permutations / seconds),
  };
}

export async function serverPermutationThroughput(rounds = 3): Promise<ServerPermutationFigures> {
  const server = await startServer();
  try {
    const backend = await openPgSessionBackend({ connectionString: server.connectionString });
    try {
      const perProgram: Record<string, number> = {};
      const engineNames = new Set(enginePrograms().map((regression) => regression.program.name));
      let enginePermutations = 0;
      let engineSeconds = 0;
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
        const programSeconds = (performance.now() - programStarted) / 1000;
        perProgram[regression.program.name] =
          Math.round(((rounds * regression.program.permutations.length) / programSeconds) * 10) / 10;
        if (engineNames.has(regression.program.name)) {
          enginePermutations += rounds * regression.program.permutations.length;
          engineSeconds += programSeconds;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const random = await randomScheduleThroughput(backend);
      return {
        random,
        server: `${backend.description}${server.embedded ? ' (embedded)' : ''}`,
        initdbMs: server.initdbMs,
        startMs: server.startMs,
        permutations,
        seconds: Math.round(seconds * 100) / 100,
        permutationsPerSecond: Math.round((permutations / seconds) * 10) / 10,
        retries,
        perProgram,
        permutationsPerSecondOnEnginePrograms: Math.round((enginePermutations / engineSeconds) * 10) / 10,
      };
    } finally {
      await backend.close();
    }
  } finally {
    await server.stop();
  }
}
