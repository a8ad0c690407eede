import { describe, expect, it } from 'vitest';
import { col, eq } from '../../src/index.js';
import { ConcurrentSessions } from '../../src/harness/concurrentSessions.js';
import type { LockWaitRecord, OperationOutcome, StartedOperation } from '../../src/harness/domain.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { ownerWorkerTick } from '../../model/runners/operations/ownerWorkerTick.js';
import { looseForeignKeysCleanupTick } from '../../model/runners/operations/looseForeignKeysCleanupTick.js';
import { MANAGERS, RUNNERS, RUNNER_PROJECTS } from '../../model/runners/schema.js';
import { DELETED_RECORDS } from '../../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { newWorld, op } from '../model/runnersHelpers.js';

/**
 * The owner-recalculation worker and the loose-foreign-key cleaner in sessions (docs/concurrency.md,
 * "workers"): a tick of UpdateProjectRunnersOwnerWorker is one Sidekiq execution of the job, statement
 * by statement (handle_event, the pre-clean in autocommit, each runner batch in its own transaction),
 * which a deadlock fails and Sidekiq retries from the start; a CleanupWorker run leaves the child rows
 * another transaction holds to its plain pass, which waits for them, and holds an exclusive lease.
 */
const PROJECT_WORLD = {
  workloads: ['projectDeletion'],
  flags: { update_project_runners_owner: true },
  ownerServiceBatchSize: 1,
};

/** Runners 1 (projects 1, 2), 2 (project 1), 3 (projects 1, 3), each with a manager; project 1 deleted. */
function projectOneDeleted(): RunnersWorld {
  const world = newWorld(PROJECT_WORLD as never);
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 1, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'assignRunnerToProject', { runner: 0, project: 2 });
  for (const runner of [0, 1, 2]) op(world, 'legacyCreateManager', { runner, system: 0 });
  op(world, 'deleteProject', { ownerOfRunner: false, runner: 0, project: 0, deliveries: 1 });
  return world;
}

const done = (summary: string): OperationOutcome => ({ summary, applied: true });

/** Runs the session until its statement waits or its operation ends; returns what it answered, if it ended. */
function drive(sessions: ConcurrentSessions, session: number): OperationOutcome | null {
  for (let actions = 0; actions < 100 && sessions.runnable(session); actions++) {
    const action = sessions.advance(session);
    if (action.finished !== null) return action.finished;
  }
  return null;
}

const invariant = (id: string) => runnersDomain.invariants.find((candidate) => candidate.id === id)!;

function shardingKeys(world: RunnersWorld): Record<number, unknown> {
  return Object.fromEntries(world.db.rows(RUNNERS).map((row) => [row['id'] as number, row['sharding_key_id']]));
}

describe('UpdateProjectRunnersOwnerWorker in a session', () => {
  it('runs handle_event, the pre-clean and every batch as one execution, statement by statement', () => {
    const w = projectOneDeleted();
    const sessions = new ConcurrentSessions(w.db, 2, [], true);
    sessions.start(1, 'ownerWorkerTick', ownerWorkerTick.start!(w, { job: 0 }) as StartedOperation, 'worker');
    // The pre-clean's first statement is the batching read of the project's assignments, in autocommit.
    const first = sessions.advance(1);
    expect(first.label).toMatch(/^SELECT \* FROM ci_runner_projects WHERE \(project_id = 1\) ORDER BY id ASC LIMIT 1$/);
    expect(w.ownerEvents.jobs[0]?.phase).toBe('queued');
    // While the execution runs, another tick of the same job finds it running.
    expect(ownerWorkerTick.start!(w, { job: 0 })).toMatchObject({ applied: false });
    const outcome = drive(sessions, 1);
    expect(outcome?.summary).toBe(
      [
        'UpdateProjectRunnersOwnerWorker project 1: deleted 3 ci_runner_projects rows of the project',
        'UpdateProjectRunnersOwnerWorker project 1: batch of runners 1, re-owned 1',
        'UpdateProjectRunnersOwnerWorker project 1: batch of runners 2, deleted 2',
        'UpdateProjectRunnersOwnerWorker project 1: batch of runners 3, re-owned 3',
        'UpdateProjectRunnersOwnerWorker project 1: no runner left with sharding_key_id 1, done',
      ].join('; '),
    );
    expect(w.ownerEvents.jobs[0]).toMatchObject({ phase: 'done', failedAttempts: 0, batches: 3 });
    expect(shardingKeys(w)).toEqual({ 1: 2, 3: 3 });
    expect(invariant('owner-service-idempotent').check(w)).toBeNull();
    sessions.detach();
  });

  it('ending in a deadlock (40P01) breaks background-work-succeeds, and Sidekiq retries the job from the start', () => {
    const w = projectOneDeleted();
    const waits: LockWaitRecord[] = [];
    const sessions = new ConcurrentSessions(w.db, 2, waits, true);
    // Session 2 holds runner 1's manager, then wants runner 1, which the first batch locks meanwhile.
    sessions.start(2, 'holder', {
      work: (tx) =>
        tx.transaction(function* () {
          yield* tx.update(MANAGERS, { contacted_at: 5 }, eq(col('runner_id'), 1));
          yield* tx.update(RUNNERS, { contacted_at: 5 }, eq(col('id'), 1));
          return done('holder committed');
        }),
    });
    sessions.advance(2);
    sessions.advance(2);
    sessions.start(1, 'ownerWorkerTick', ownerWorkerTick.start!(w, { job: 0 }) as StartedOperation, 'worker');
    expect(drive(sessions, 1)).toBeNull();
    expect(waits.at(-1)?.statement).toMatch(/^UPDATE ci_runner_machines SET sharding_key_id = /);
    expect(waits.at(-1)?.api).toBe(false);
    expect(sessions.advance(2).outcome).toMatch(/^waits for s1 /);
    expect(sessions.advanceClock()).toMatch(/fail s0 40P01/);
    expect(drive(sessions, 1)?.summary).toMatch(
      /UpdateProjectRunnersOwnerWorker project 1 failed: 40P01 .*\(retried from the start by Sidekiq\)$/,
    );
    // The pre-clean committed; the batch rolled back; the retry starts again at handle_event.
    expect(w.ownerEvents.jobs[0]).toMatchObject({ phase: 'queued', cursor: 0, batches: 0, failedAttempts: 1 });
    expect(shardingKeys(w)).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(invariant('background-work-succeeds').check(w)?.message).toMatch(/40P01/);
    expect(drive(sessions, 2)?.summary).toBe('holder committed');
    sessions.start(1, 'ownerWorkerTick', ownerWorkerTick.start!(w, { job: 0 }) as StartedOperation, 'worker');
    expect(drive(sessions, 1)?.summary).toMatch(/^UpdateProjectRunnersOwnerWorker project 1: deleted 0 .*, done$/);
    expect(w.ownerEvents.jobs[0]).toMatchObject({ phase: 'done', failedAttempts: 0 });
    expect(shardingKeys(w)).toEqual({ 1: 2, 3: 3 });
    sessions.detach();
  });
});

describe('LooseForeignKeys::CleanupWorker in a session', () => {
  it('skips the assignment another transaction holds in its SKIP LOCKED pass and waits for it in the plain pass', () => {
    const w = newWorld(PROJECT_WORLD as never);
    op(w, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 2, group: 0 });
    op(w, 'deleteProject', { ownerOfRunner: false, runner: 0, project: 1, deliveries: 1 });
    const waits: LockWaitRecord[] = [];
    const sessions = new ConcurrentSessions(w.db, 2, waits, true);
    sessions.start(2, 'holder', {
      work: (tx) =>
        tx.transaction(function* () {
          yield* tx.select(RUNNER_PROJECTS, { where: eq(col('project_id'), 2), locking: { strength: 'Update' } });
          yield* tx.sleep(1000);
          return done('holder committed');
        }),
    });
    sessions.advance(2);
    sessions.advance(2);
    sessions.advance(2);
    const started = looseForeignKeysCleanupTick.start!(w, { rotation: 0 }) as StartedOperation;
    sessions.start(1, 'looseForeignKeysCleanupTick', started, 'worker');
    // The exclusive lease: a second run started meanwhile does nothing.
    expect(looseForeignKeysCleanupTick.start!(w, { rotation: 1 })).toMatchObject({ applied: false });
    const labels: string[] = [];
    for (let actions = 0; actions < 20 && sessions.runnable(1); actions++) {
      const action = sessions.advance(1);
      labels.push(`${action.label} → ${action.outcome}`);
    }
    expect(labels).toContainEqual(expect.stringMatching(/FOR UPDATE SKIP LOCKED → 0 rows$/));
    expect(labels.at(-1)).toMatch(/^DELETE FROM ci_runner_projects .* → waits for s2 /);
    expect(waits.at(-1)?.api).toBe(false);
    // The holder's sleep ends (the scheduler's events count sessions from 0).
    expect(sessions.advanceClock()).toBe('clock 1000; woke s1');
    expect(drive(sessions, 2)?.summary).toBe('holder committed');
    expect(drive(sessions, 1)?.summary).toBe(
      'LooseForeignKeys::CleanupWorker: projects 2: deleted 1 ci_runner_projects, processed',
    );
    expect(w.db.rows(RUNNER_PROJECTS).map((row) => row['project_id'])).toEqual([1, 3]);
    expect(w.db.rows(DELETED_RECORDS).map((row) => row['status'])).toEqual([2]);
    expect(looseForeignKeysCleanupTick.start!(w, { rotation: 0 })).not.toHaveProperty('summary');
    sessions.detach();
  });
});
