import { describe, expect, it } from 'vitest';
import { col, eq } from '../../src/index.js';
import { ConcurrentSessions } from '../../src/harness/concurrentSessions.js';
import type { LockWaitRecord, OperationOutcome, StartedOperation } from '../../src/harness/domain.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { backgroundTick } from '../../model/runners/operations/backgroundTick.js';
import { RUNNERS } from '../../model/runners/schema.js';
import type { RunnersWorld } from '../../model/runners/world.js';

/**
 * Background workers in sessions (docs/plans.md, "concurrency", `workers`): a partitioning backfill
 * batch started in a session runs GitLab's statements (the batching SELECT, then INSERT … SELECT …
 * FOR UPDATE ON CONFLICT DO NOTHING in autocommit), and a batch that ends in a deadlock (40P01) or a
 * lock timeout (55P03) is a failed attempt that breaks `background-work-succeeds`, as any other error.
 */
function world(): RunnersWorld {
  const built = runnersDomain.createWorld({});
  const legacy = runnersDomain.legacyOperations.find((kind) => kind.name === 'legacyCreateRunner')!;
  for (let runner = 0; runner < 2; runner++)
    legacy.run(built, { type: 1, orphan: false, project: 0, group: 0, extraProjects: 0 });
  for (const [step, parameters] of [
    ['partition_table_by_list', { table: RUNNERS }],
    ['enqueue_partitioning_data_migration', { table: RUNNERS }],
  ] as const)
    runnersDomain.steps.get(step)!.run(built, parameters);
  return built;
}

const done = (summary: string): OperationOutcome => ({ summary, applied: true });

/** Runs the session until its statement waits or its operation ends; returns what it answered, if it ended. */
function drive(sessions: ConcurrentSessions, session: number): OperationOutcome | null {
  for (let actions = 0; actions < 20 && sessions.runnable(session); actions++) {
    const action = sessions.advance(session);
    if (action.finished !== null) return action.finished;
  }
  return null;
}

const backgroundWorkSucceeds = runnersDomain.invariants.find(
  (invariant) => invariant.id === 'background-work-succeeds',
)!;

describe('a background batch in a session', () => {
  it('copies its batch with FOR UPDATE and moves the cursor', () => {
    const w = world();
    const sessions = new ConcurrentSessions(w.db, 2, [], true);
    const started = backgroundTick.start!(w, { migration: 0 }) as StartedOperation;
    sessions.start(1, 'backgroundTick', started, 'worker');
    const outcome = drive(sessions, 1);
    expect(outcome?.summary).toMatch(/BackfillCiRunnersPartitionedTable batch ids 1\.\.2: inserted 2/);
    expect(w.bookkeeping.migrations[0]?.status).toBe('finished');
    expect(backgroundWorkSucceeds.check(w)).toBeNull();
    sessions.detach();
  });

  it('ending in a deadlock (40P01) is a failed attempt that breaks background-work-succeeds', () => {
    const w = world();
    const waits: LockWaitRecord[] = [];
    const sessions = new ConcurrentSessions(w.db, 2, waits, true);
    // Session 2 holds runner 2's row; the batch locks runner 1, then waits for runner 2.
    sessions.start(2, 'holder', {
      work: (tx) =>
        tx.transaction(function* () {
          yield* tx.update(RUNNERS, { contacted_at: 5 }, eq(col('id'), 2));
          yield* tx.update(RUNNERS, { contacted_at: 5 }, eq(col('id'), 1));
          return done('holder committed');
        }),
    });
    sessions.advance(2);
    sessions.advance(2);
    sessions.start(1, 'backgroundTick', backgroundTick.start!(w, { migration: 0 }) as StartedOperation, 'worker');
    expect(drive(sessions, 1)).toBeNull();
    expect(waits.at(-1)?.statement).toMatch(/^INSERT INTO ci_runners_e59bb2812d .* FOR UPDATE ON CONFLICT/);
    expect(waits.at(-1)?.api).toBe(false);
    // The holder now waits for runner 1, which the batch locked: a cycle.
    expect(sessions.advance(2).outcome).toMatch(/^waits for s1 /);
    // Both waits began at one instant; the batch's began first, so its deadlock check finds the cycle.
    expect(sessions.advanceClock()).toMatch(/fail s0 40P01/);
    const outcome = drive(sessions, 1);
    expect(outcome?.summary).toMatch(/batch after id 0 failed: 40P01 .*\(attempt 1 of 3\)/);
    expect(w.bookkeeping.migrations[0]?.cursor).toBe(0);
    expect(w.backgroundFailures.map((failure) => failure.error.code)).toEqual(['40P01']);
    expect(backgroundWorkSucceeds.check(w)?.message).toMatch(/40P01/);
    expect(drive(sessions, 2)?.summary).toBe('holder committed');
    sessions.detach();
  });

  it('ending in a lock timeout (55P03) is a failed attempt that breaks background-work-succeeds', () => {
    const w = world();
    const sessions = new ConcurrentSessions(w.db, 2, [], true);
    // The worker's connection has a lock_timeout (a database default would do the same).
    sessions.start(1, 'set', {
      work: (tx) =>
        (function* () {
          yield* tx.execute({ kind: 'set', name: 'lock_timeout', milliseconds: 200 });
          return done('set');
        })(),
    });
    drive(sessions, 1);
    sessions.start(2, 'holder', {
      work: (tx) =>
        tx.transaction(function* () {
          yield* tx.update(RUNNERS, { contacted_at: 5 }, eq(col('id'), 2));
          yield* tx.sleep(1000);
          return done('holder committed');
        }),
    });
    sessions.advance(2);
    sessions.advance(2);
    sessions.advance(2);
    sessions.start(1, 'backgroundTick', backgroundTick.start!(w, { migration: 0 }) as StartedOperation, 'worker');
    expect(drive(sessions, 1)).toBeNull();
    expect(sessions.advanceClock()).toMatch(/^clock 200; fail s0 55P03/);
    expect(drive(sessions, 1)?.summary).toMatch(/batch after id 0 failed: 55P03 .*\(attempt 1 of 3\)/);
    expect(w.backgroundFailures.map((failure) => failure.error.code)).toEqual(['55P03']);
    expect(backgroundWorkSucceeds.check(w)?.message).toMatch(/55P03/);
    sessions.advanceClock();
    expect(drive(sessions, 2)?.summary).toBe('holder committed');
    sessions.detach();
  });
});
