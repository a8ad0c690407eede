/**
 * Exploring a program's schedules as a tree (src/oracle/server/scheduleTree.ts) gives, for every
 * schedule, exactly the outcome of running that schedule alone from scratch: every step's wait,
 * result and message, the completion order and every table's rows. A fork that shared mutable state
 * with its original (a heap, a row's locks, the lock table, a journal record, the clock) would let
 * one branch's steps show in a sibling's outcome, and these comparisons would fail. Engine only: the
 * server cannot copy a run.
 */
import { describe, expect, it } from 'vitest';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { lockPrograms } from '../../../src/oracle/server/lockPrograms.js';
import { runPermutation, ScheduleExecution } from '../../../src/oracle/server/permutationDriver.js';
import { allPermutations } from '../../../src/oracle/server/program.js';
import type { SessionProgram } from '../../../src/oracle/server/program.js';
import type { BackendRun, SessionBackend } from '../../../src/oracle/server/sessionBackend.js';
import { exploreSchedules } from '../../../src/oracle/server/scheduleTree.js';
import type { ExploredSchedule, TreeStatistics } from '../../../src/oracle/server/scheduleTree.js';
import { generateSessionProgram } from '../../../src/oracle/sessions/randomSessions.js';
import { SESSION_FEATURES } from '../../../src/oracle/sessions/sessionOps.js';
import type { SessionFeature } from '../../../src/oracle/sessions/sessionOps.js';
import { foreignKeyBehindLongTransaction, runnerRaces } from '../../../model/runners/concurrency/races.js';

const ALL = new Set<SessionFeature>(SESSION_FEATURES);
/** Programs with more schedules than this are left out, to keep the suite quick. */
const MAX_SCHEDULES = 300;

/** A run without its synchronous face (`BackendRun.synchronous`): drivers wait for its promises, as on a server. */
function promisesOnly(run: BackendRun): BackendRun {
  return {
    issue: (session, sql, step) => run.issue(session, sql, step),
    settle: (goal, boundMs) => run.settle(goal, boundMs),
    finish: () => run.finish(),
    contents: () => run.contents(),
    fork: () => {
      const copy = run.fork?.() ?? null;
      return copy === null ? null : promisesOnly(copy);
    },
  };
}

/** The engine's backend with runs that only answer through promises. */
function withPromisesOnly(backend: SessionBackend): SessionBackend {
  return {
    description: `${backend.description}, through promises`,
    begin: async (setup, sessionSetups, program) => promisesOnly(await backend.begin(setup, sessionSetups, program)),
    close: () => backend.close(),
  };
}

async function explore(
  backend: SessionBackend,
  program: SessionProgram,
): Promise<{ leaves: ExploredSchedule[]; tree: TreeStatistics }> {
  const leaves: ExploredSchedule[] = [];
  const tree = await exploreSchedules(backend, program, (schedule) => leaves.push(schedule));
  return { leaves, tree };
}

/** Explores each program's tree and runs every leaf's schedule from scratch; returns the totals. */
async function compareWithScratch(
  backend: EngineSessionBackend,
  programs: readonly SessionProgram[],
): Promise<{ schedules: number; forks: number; rebuilt: number; stuck: number; differing: string[] }> {
  const totals = { schedules: 0, forks: 0, rebuilt: 0, stuck: 0, differing: [] as string[] };
  for (const program of programs) {
    const { leaves, tree } = await explore(backend, program);
    totals.forks += tree.forks;
    totals.rebuilt += tree.rebuilt;
    totals.stuck += tree.stuck;
    // The leaves come in allPermutations order, and every permutation is a leaf or lies in a cut subtree.
    const permutations = allPermutations(program).map((permutation) => permutation.join(' '));
    const reached = leaves.map((leaf) => leaf.outcome.permutation.join(' '));
    expect(reached).toEqual(permutations.filter((permutation) => reached.includes(permutation)));
    expect(leaves.length + tree.stuck).toBeLessThanOrEqual(permutations.length);
    for (const leaf of leaves) {
      totals.schedules += 1;
      const alone = await runPermutation(backend, program, leaf.outcome.permutation);
      if (JSON.stringify(alone) !== JSON.stringify(leaf.outcome))
        totals.differing.push(`${program.name} [${leaf.outcome.permutation.join(' ')}]`);
      expect(leaf.complete).toBe(alone.neverIssued.length === 0 && alone.neverCompleted.length === 0);
    }
  }
  return totals;
}

describe('schedule trees on the engine', () => {
  it('keep sibling copies apart: a write or a commit in one never shows in the other or the original', async () => {
    const program = foreignKeyBehindLongTransaction.program;
    const backend = new EngineSessionBackend([program]);
    const node = await ScheduleExecution.start(backend, program);
    // An open transaction that updated runner 1: row versions, a row lock and table locks to copy.
    node.takeNow('long_heartbeat');
    const committing = node.fork()!;
    const writing = node.fork()!;
    committing.takeNow('long_commit');
    writing.takeNow('api_heartbeat');
    const contactedAt = (execution: ScheduleExecution): unknown[] =>
      execution
        .endNow()
        .result.contents.find((table) => table.table === 'ci_runners')!
        .rows.map((row) => [row.id, row.contacted_at]);
    // Each ends its own way: the commit kept, the other's open transaction rolled back at the end.
    expect(contactedAt(committing)).toEqual([
      [1, 300],
      [2, 100],
    ]);
    expect(contactedAt(writing)).toEqual([
      [1, 100],
      [2, 400],
    ]);
    expect(contactedAt(node)).toEqual([
      [1, 100],
      [2, 100],
    ]);
  });

  it('give the same leaves whether the engine answers at once or through promises', async () => {
    const programs = [...lockPrograms, ...runnerRaces]
      .map((regression) => regression.program)
      .filter((program) => program.setupStatements !== undefined);
    const backend = new EngineSessionBackend(programs);
    const throughPromises = withPromisesOnly(backend);
    for (const program of programs) {
      const now = await explore(backend, program);
      const later = await explore(throughPromises, program);
      expect(JSON.stringify(later)).toBe(JSON.stringify(now));
      const [first] = now.leaves;
      expect(first).toBeDefined();
      const alone = await runPermutation(throughPromises, program, first!.outcome.permutation);
      expect(JSON.stringify(alone)).toBe(JSON.stringify(first!.outcome));
    }
  });

  it('give every schedule of the lock programs and runner races the outcome it has from scratch', async () => {
    const programs = [...lockPrograms, ...runnerRaces]
      .map((regression) => regression.program)
      .filter((program) => program.setupStatements !== undefined);
    const backend = new EngineSessionBackend(programs);
    const totals = await compareWithScratch(backend, programs);
    expect(totals.differing).toEqual([]);
    expect(totals.schedules).toBeGreaterThan(400);
    // The interesting cases happen: states copied with transactions open, rebuilt where a step waits.
    expect(totals.forks).toBeGreaterThan(totals.schedules / 2);
    expect(totals.rebuilt).toBeGreaterThan(0);
    expect(totals.stuck).toBeGreaterThan(0);
  });

  it('give every schedule of random two- and three-session programs the outcome it has from scratch', async () => {
    const programs: SessionProgram[] = [];
    for (let run = 0; run < 120; run++) {
      for (const sessions of [2, 3]) {
        const { sql } = generateSessionProgram(5, run, sessions, ALL);
        if (allPermutations(sql, MAX_SCHEDULES + 1).length <= MAX_SCHEDULES) programs.push(sql);
      }
    }
    expect(programs.length).toBeGreaterThan(15);
    const totals = await compareWithScratch(new EngineSessionBackend(), programs);
    expect(totals.differing).toEqual([]);
    expect(totals.schedules).toBeGreaterThan(1000);
    expect(totals.forks).toBeGreaterThan(totals.schedules / 2);
  });
});
