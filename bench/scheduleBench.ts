/**
 * Schedules per second on the engine and on the real server, for `npm run bench`, on the same
 * programs and the same schedules: every complete schedule of the regression programs the engine's
 * sessions run (`enginePrograms`: every interleaving that keeps each session's order, less those in
 * which a step can never complete, which are not complete schedules on either side).
 *
 * - engine, tree: the schedules explored as a tree sharing prefixes (`exploreSchedules`), per CPU
 *   second of this process (the machine is shared: wall time mostly measures the other processes);
 * - engine, from scratch: each of the same schedules run alone (a fork of the setup's database, the
 *   sessions, every step), the way the bench measured the engine before the tree;
 * - server: each of the same schedules run once on PostgreSQL, from its setup, per second of wall
 *   time (its timeouts run on real time, which is the point of the comparison), and its outcome
 *   compared with the engine's, step by step and table by table.
 *
 * Each side counts distinct complete schedules only, one process, one thread each.
 */
import { EngineSessionBackend } from '../src/oracle/server/engineSessionBackend.js';
import { startServer } from '../src/oracle/server/embeddedServer.js';
import { openPgSessionBackend } from '../src/oracle/server/pgSessionBackend.js';
import { runPermutation } from '../src/oracle/server/permutationDriver.js';
import type { PermutationOutcome } from '../src/oracle/server/permutationDriver.js';
import type { SessionProgram } from '../src/oracle/server/program.js';
import { exploreSchedules } from '../src/oracle/server/scheduleTree.js';
import type { TreeStatistics } from '../src/oracle/server/scheduleTree.js';
import { enginePrograms } from './serverBench.js';

/** A program and its complete schedules, each with the engine's outcome. */
export interface ProgramSchedules {
  readonly program: SessionProgram;
  readonly schedules: readonly PermutationOutcome[];
  readonly tree: TreeStatistics;
}

/** The complete schedules of every engine program, found by exploring each program's tree once. */
export async function completeSchedules(): Promise<ProgramSchedules[]> {
  const programs = enginePrograms().map((regression) => regression.program);
  const backend = new EngineSessionBackend(programs);
  const found: ProgramSchedules[] = [];
  for (const program of programs) {
    const schedules: PermutationOutcome[] = [];
    const tree = await exploreSchedules(backend, program, (schedule) => {
      if (schedule.complete) schedules.push(schedule.outcome);
    });
    found.push({ program, schedules, tree });
  }
  return found;
}

export interface EngineScheduleFigures {
  readonly schedules: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly perCpuSecond: number;
  readonly perWallSecond: number;
  /** The warm-up rounds before the measured ones: how many, their CPU time and schedules per CPU second. */
  readonly warmUp: { readonly rounds: number; readonly cpuSeconds: number; readonly perCpuSecond: number };
}

const rounded = (value: number): number => Math.round(value * 100) / 100;

/**
 * Rounds run before measuring, so that the figure is the engine's steady state, as in a long
 * campaign. The engine's code is optimised by V8 as it runs, and its optimising compiler works on
 * other threads whose CPU time this process is charged: run alone (2026-12-01, load 8 to 10), a
 * tree round's CPU time falls from about 520 ms in the first rounds to about 50 ms from the 25th
 * on, a from-scratch round's from about 650 ms to about 38 ms, while the collector's share stays
 * small. Three warm-up rounds, as before, measured mostly the compiler. The warm-up's own figure is
 * reported with the measured one.
 */
export const WARM_UP_ROUNDS = 30;

const cpuSecondsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

async function measure(
  rounds: number,
  warmUpRounds: number,
  round: () => Promise<number>,
): Promise<EngineScheduleFigures> {
  const warmUpStart = process.cpuUsage();
  let warmUpSchedules = 0;
  for (let warmUp = 0; warmUp < warmUpRounds; warmUp++) warmUpSchedules += await round();
  const warmUpSeconds = cpuSecondsSince(warmUpStart);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let schedules = 0;
  for (let index = 0; index < rounds; index++) schedules += await round();
  const cpuSeconds = cpuSecondsSince(cpu);
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    schedules,
    cpuSeconds: rounded(cpuSeconds),
    wallSeconds: rounded(wallSeconds),
    perCpuSecond: Math.round(schedules / cpuSeconds),
    perWallSecond: Math.round(schedules / wallSeconds),
    warmUp: {
      rounds: warmUpRounds,
      cpuSeconds: rounded(warmUpSeconds),
      perCpuSecond: warmUpRounds === 0 ? 0 : Math.round(warmUpSchedules / warmUpSeconds),
    },
  };
}

/** The engine exploring every program's tree; counts the complete schedules it reaches. */
export function engineTreeThroughput(
  found: readonly ProgramSchedules[],
  rounds = 20,
  warmUpRounds = WARM_UP_ROUNDS,
): Promise<EngineScheduleFigures> {
  const backend = new EngineSessionBackend(found.map(({ program }) => program));
  return measure(rounds, warmUpRounds, async () => {
    let complete = 0;
    for (const { program, schedules } of found) {
      const tree = await exploreSchedules(backend, program, () => {});
      if (tree.complete !== schedules.length)
        throw new Error(
          `${program.name}: the tree reached ${tree.complete} complete schedules, not ${schedules.length}`,
        );
      complete += tree.complete;
    }
    return complete;
  });
}

/** The engine running each of the same schedules from scratch (the bench's engine figure before trees). */
export function engineScratchThroughput(
  found: readonly ProgramSchedules[],
  rounds = 20,
  warmUpRounds = WARM_UP_ROUNDS,
): Promise<EngineScheduleFigures> {
  const backend = new EngineSessionBackend(found.map(({ program }) => program));
  return measure(rounds, warmUpRounds, async () => {
    let complete = 0;
    for (const { program, schedules } of found)
      for (const schedule of schedules) {
        await runPermutation(backend, program, schedule.permutation);
        complete += 1;
      }
    return complete;
  });
}

export interface ServerScheduleFigures {
  readonly server: string;
  readonly schedules: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Schedules run again because the busy machine broke their timing. */
  readonly retries: number;
  /** Schedules whose outcome on the server differs from the engine's (program and permutation). */
  readonly disagreements: readonly string[];
}

/** Each of the same schedules once on the real server, timed by the wall clock, held to the engine's outcome. */
export async function serverScheduleThroughput(found: readonly ProgramSchedules[]): Promise<ServerScheduleFigures> {
  const server = await startServer();
  try {
    const backend = await openPgSessionBackend({ connectionString: server.connectionString });
    try {
      const disagreements: string[] = [];
      let schedules = 0;
      let retries = 0;
      const started = performance.now();
      for (const { program, schedules: engineSchedules } of found)
        for (const engine of engineSchedules) {
          const outcome = await runPermutation(backend, program, engine.permutation);
          schedules += 1;
          retries += outcome.attempts - 1;
          if (!sameOutcome(outcome, engine)) disagreements.push(`${program.name} [${engine.permutation.join(' ')}]`);
        }
      const seconds = (performance.now() - started) / 1000;
      return {
        server: `${backend.description}${server.embedded ? ' (embedded)' : ''}`,
        schedules,
        seconds: rounded(seconds),
        perSecond: rounded(schedules / seconds),
        retries,
        disagreements,
      };
    } finally {
      await backend.close();
    }
  } finally {
    await server.stop();
  }
}

/**
 * Whether two outcomes of one schedule agree on what the comparison of `pgdrill diff --sessions`
 * holds fixed programs to (`outcomeDifferences`): each step's wait (for whom), success or SQLSTATE
 * and constraint, the completion order and every table's rows. Row counts are left out: a fixed
 * program's engine statements may read a step's rows where its SQL counts them (`SELECT count(*)`),
 * and so are messages and lock descriptions.
 */
function sameOutcome(server: PermutationOutcome, engine: PermutationOutcome): boolean {
  const essence = (outcome: PermutationOutcome): string =>
    JSON.stringify({
      steps: outcome.steps.map((step) => ({
        step: step.step,
        blocked: step.blocked?.by ?? null,
        completedAfter: step.completedAfter,
        result:
          step.result === null
            ? null
            : step.result.ok
              ? 'ok'
              : { code: step.result.code, constraint: step.result.constraint },
      })),
      completionOrder: outcome.completionOrder,
      neverCompleted: outcome.neverCompleted,
      contents: outcome.contents.map((table) => ({
        table: table.table,
        rows: table.rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)))),
      })),
    });
  return essence(server) === essence(engine);
}
