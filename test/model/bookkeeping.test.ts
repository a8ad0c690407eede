import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { replayScenario } from '../../src/harness/checkPlan.js';
import { loadPlanFile } from '../../src/harness/planFile.js';
import { PLAN_MARKER } from '../../src/harness/scenario.js';
import { produce } from 'immer';
import { BookkeepingVersions, describeBookkeepingChanges } from '../../model/gitlab/bookkeeping.js';
import type { MigrationBookkeeping } from '../../model/gitlab/bookkeeping.js';
import {
  EMPTY_OWNER_EVENT_QUEUE,
  publish,
  withJobChanges,
} from '../../model/runners/ownerRecalculation/projectDeletedEvents.js';
import type { OwnerEventQueue } from '../../model/runners/ownerRecalculation/projectDeletedEvents.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import type { RunnersBookkeeping } from '../../model/runners/world.js';
import { newWorld, op, step } from './runnersHelpers.js';

/**
 * The world's bookkeeping is a chain of immutable versions (issue 9): a step that changes
 * nothing shares the previous version, a change makes a new one, old versions never move, and
 * each trace step carries the version it left behind.
 */
describe('bookkeeping versions', () => {
  test('a change makes a new frozen version; unchanged parts and untouched steps share objects', () => {
    const world = newWorld();
    const start = world.bookkeeping;
    expect(Object.isFrozen(start)).toBe(true);
    op(world, 'runnerHeartbeat', { runner: 0 });
    expect(world.bookkeeping).toBe(start);
    step(world, 'set_feature_flag', { flag: 'update_project_runners_owner', enabled: true });
    const flagged = world.bookkeeping;
    expect(flagged).not.toBe(start);
    expect(flagged.migrations).toBe(start.migrations);
    expect(start.flags.get('update_project_runners_owner')).toBe(false);
    expect(describeBookkeepingChanges(start, flagged)).toEqual(['flag update_project_runners_owner: enabled']);
    step(world, 'partition_table_by_list', { table: 'ci_runners' });
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    expect(describeBookkeepingChanges(flagged, world.bookkeeping)).toEqual([
      'migration BackfillCiRunnersPartitionedTable active, cursor 0',
    ]);
    expect(() => (world.bookkeeping.migrations as unknown[]).push(null)).toThrow();
  });

  test('every trace step of a replay carries the version it produced', () => {
    const shipped = loadPlanFile(runnersDomain, join(packageRoot(), 'model', 'plans', 'owner-recalc-flag-on.json'));
    // The shipped plan starts with the flag on, so its step would change nothing; start with it off.
    const plan = { ...shipped, settings: { ...shipped.settings, flags: { update_project_runners_owner: false } } };
    const legacyRunner = {
      op: 'legacyCreateRunner',
      args: { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 },
    };
    const result = replayScenario(runnersDomain, plan, {
      swarm: [],
      legacy: [legacyRunner, legacyRunner],
      steps: [{ op: PLAN_MARKER, args: {} }],
    });
    expect(result.trace.map((traceStep) => traceStep.kind)).toEqual(['legacy', 'legacy', 'plan']);
    const [first, second, third] = result.trace.map((traceStep) => traceStep.bookkeeping as RunnersBookkeeping);
    expect(second).toBe(first);
    expect(third).not.toBe(second);
    expect(describeBookkeepingChanges(second!, third!)).toEqual(['flag update_project_runners_owner: enabled']);
    expect(result.world.bookkeeping).toBe(third);
    // Enabling a flag that is already on produces no new version.
    const unchanged = replayScenario(runnersDomain, shipped, {
      swarm: [],
      legacy: [legacyRunner],
      steps: [{ op: PLAN_MARKER, args: {} }],
    });
    expect(unchanged.trace[1]!.bookkeeping).toBe(unchanged.trace[0]!.bookkeeping);
  });

  test('hand-built changes (deletion trackings, owner events) give what immer would, frozen, sharing the rest', () => {
    const initial: MigrationBookkeeping & { readonly ownerEvents: OwnerEventQueue } = {
      flags: new Map([['flag', false]]),
      migrations: [],
      looseForeignKeys: { definitions: [], trackings: [{ table: 'a', triggerName: 'a_t', logicalName: null }] },
      ownerEvents: EMPTY_OWNER_EVENT_QUEUE,
    };
    const versions = new BookkeepingVersions(initial);
    const start = versions.current;
    const tracking = { table: 'b', triggerName: 'b_t', logicalName: 'a' };
    const byImmer = produce(start, (draft) => {
      draft.looseForeignKeys.trackings.push({ ...tracking });
    });
    versions.addDeletionTracking(tracking);
    expect(versions.current).toEqual(byImmer);
    expect(versions.current.flags).toBe(start.flags);
    expect(versions.current.looseForeignKeys.definitions).toBe(start.looseForeignKeys.definitions);
    expect(versions.current.looseForeignKeys.trackings[0]).toBe(start.looseForeignKeys.trackings[0]);
    expect(Object.isFrozen(versions.current.looseForeignKeys.trackings)).toBe(true);
    expect(Object.isFrozen(tracking)).toBe(true);
    // Replacing a part by itself keeps the version, as a produce assigning it would.
    const before = versions.current;
    versions.replace('ownerEvents', before.ownerEvents);
    expect(versions.current).toBe(before);

    const event = { projectId: 3, namespaceId: 1, step: 4 };
    const published = publish(EMPTY_OWNER_EVENT_QUEUE, { ...event }, 2);
    const publishedByImmer = produce(EMPTY_OWNER_EVENT_QUEUE as OwnerEventQueue, (draft) => {
      draft.published.push({ ...event });
      for (const delivery of [1, 2]) {
        draft.jobs.push({
          id: draft.jobs.length,
          event: { ...event },
          delivery,
          phase: 'queued',
          cursor: 0,
          batches: 0,
          handled: null,
          failedAttempts: 0,
          finishedAt: null,
        });
      }
    });
    expect(published).toEqual(publishedByImmer);
    expect(published.jobs[1]!.event).toBe(published.published[0]);
    expect(Object.isFrozen(published.jobs[0]) && Object.isFrozen(published.published[0])).toBe(true);
    const changes = { phase: 'runners' as const, handled: { step: 5, skipped: false } };
    const changed = withJobChanges(published, 1, changes);
    const changedByImmer = produce(published, (draft) => {
      Object.assign(draft.jobs[1]!, { phase: 'runners', handled: { step: 5, skipped: false } });
    });
    expect(changed).toEqual(changedByImmer);
    expect(changed.jobs[0]).toBe(published.jobs[0]);
    expect(changed.published).toBe(published.published);
    expect(Object.isFrozen(changed.jobs[1]!.handled)).toBe(true);
    expect(published.jobs[1]!.phase).toBe('queued');
    // Changes that assign what the job holds leave the queue as it was.
    expect(withJobChanges(changed, 1, { phase: 'runners', cursor: 0 })).toBe(changed);
  });
});
