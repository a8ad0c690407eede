import { afterEach, describe, expect, test } from 'vitest';
import { activateMutant } from '../../model/gitlab/mutations.js';
import { drainRunnersWorld } from '../../model/runners/drain.js';
import { explainRolloutViolation } from '../../model/runners/explainRollout.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { copyKeepsCopiedRows } from '../../properties/copyKeepsCopiedRows.js';
import { ids, newWorld, op, partitionBoth, step } from '../model/runnersHelpers.js';

/**
 * `copy-keeps-copied-rows` and DeleteOrphanedPartitionedCiRunnerMachineRecords: the clean-up may
 * delete a copy manager only when its runner is missing from the runners' copy; a copy manager
 * it deletes while its runner is there is a lost row like any other.
 */
afterEach(() => activateMutant(null));

/** A group runner (id 1) and a project runner (id 2) with manager 1, both copied; the clean-up queued. */
function copiedWithCleanup(): RunnersWorld {
  const world = newWorld();
  op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateManager', { runner: 0, system: 0 });
  partitionBoth(world);
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
  step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
  step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runner_machines' });
  expect(world.db.rows('ci_runner_machines').map((row) => row['runner_id'])).toEqual([2]);
  expect(copyKeepsCopiedRows.check(world)).toBeNull();
  step(world, 'enqueue_background_migration', { migration: 'DeleteOrphanedPartitionedCiRunnerMachineRecords' });
  return world;
}

describe('copy-keeps-copied-rows beside the orphaned copy managers clean-up', () => {
  test('the clean-up keeps a manager whose runner is in the copy', () => {
    const world = copiedWithCleanup();
    drainRunnersWorld(world);
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([1]);
    expect(copyKeepsCopiedRows.check(world)).toBeNull();
  });

  test("a clean-up joining on the manager's own id deletes it: the lost copy row fails", () => {
    activateMutant('orphaned-copy-managers-join-on-manager-id');
    const world = copiedWithCleanup();
    drainRunnersWorld(world);
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([]);
    const violation = copyKeepsCopiedRows.check(world);
    expect(violation?.message).toBe(
      'ci_runner_machines id=1 was in ci_runner_machines_687967fa8a and is gone from it, although ci_runner_machines still has it',
    );
    expect(explainRolloutViolation(world, violation!)).toBe(
      'DeleteOrphanedPartitionedCiRunnerMachineRecords deleted ci_runner_machines_687967fa8a id=1 although its runner 2 (runner_type 3) is in ci_runners_e59bb2812d: the clean-up may delete only copy managers whose (runner_id, runner_type) is missing there, so its orphan test matched a manager that was none',
    );
  });

  test('a manager whose runner is missing from the copy may go', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    partitionBoth(world);
    // The managers are copied before their runners, so the copy manager has no runner in the copy yet.
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runner_machines' });
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([1]);
    expect(copyKeepsCopiedRows.check(world)).toBeNull();
    step(world, 'enqueue_background_migration', { migration: 'DeleteOrphanedPartitionedCiRunnerMachineRecords' });
    op(world, 'backgroundTick', { migration: 1 });
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([]);
    expect(copyKeepsCopiedRows.check(world)).toBeNull();
    // Copying the runner later does not make the manager's sanctioned deletion a lost row.
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
    expect(copyKeepsCopiedRows.check(world)).toBeNull();
  });
});
