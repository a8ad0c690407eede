import { describe, expect, test } from 'vitest';
import { RUNNER_PROBES } from '../../model/runners/probes.js';
import { GITLAB_PROBES } from '../../model/gitlab/probes.js';
import { explainRunnersViolation } from '../../model/runners/explain.js';
import { ids, lastResponse, newWorld, op, partitionBoth, step } from './runnersHelpers.js';

/** Orphans: group or project runners without a sharding key (docs/semantics.md §a.2, docs/semantics.md §d.1). */
describe('orphan runners', () => {
  test('verify answers 422 for an orphan, after the heartbeat, and creates no manager', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 3, orphan: true, project: 0, extraProjects: 0, group: 0 });
    partitionBoth(world);
    op(world, 'verifyRunner', { runner: 0, system: 0 });
    const response = lastResponse(world);
    expect(response.status).toBe(422);
    expect(response.summary).toBe('POST /runners/verify runner 1 system_id s0 → 422 (Runner is orphaned)');
    expect(world.db.rows('ci_runners')[0]?.['contacted_at']).toBe(world.db.now);
    expect(world.db.rows('ci_runner_machines')).toEqual([]);
    expect(world.probes.count(RUNNER_PROBES.verifyOrphanRunner)).toBe(1);
  });

  test('verify answers 403 for an orphan when reject_orphaned_runners is enabled, without a heartbeat', () => {
    const world = newWorld({ flags: { reject_orphaned_runners: true } });
    op(world, 'legacyCreateRunner', { type: 2, orphan: true, project: 0, extraProjects: 0, group: 0 });
    op(world, 'verifyRunner', { runner: 0, system: 0 });
    expect(lastResponse(world).status).toBe(403);
    expect(world.db.rows('ci_runners')[0]?.['contacted_at']).toBe(null);
  });

  test('the flag can be switched by a plan step', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: true, project: 0, extraProjects: 0, group: 0 });
    step(world, 'set_feature_flag', { flag: 'reject_orphaned_runners', enabled: true });
    op(world, 'verifyRunner', { runner: 0, system: 0 });
    expect(lastResponse(world).status).toBe(403);
  });

  test('an orphan project runner passed by the backfill and assigned a project later stays missing from the copy', () => {
    const world = newWorld({ backfillBatchSize: 1 });
    op(world, 'legacyCreateRunner', { type: 3, orphan: true, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
    partitionBoth(world);
    world.currentStep = 2;
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    world.currentStep = 3;
    expect(op(world, 'backgroundTick', { migration: 0 }).summary).toBe(
      'BackfillCiRunnersPartitionedTable batch id 1: inserted 0, already present 0, skipped 1 orphan (cursor 1)',
    );
    world.currentStep = 4;
    op(world, 'assignRunnerToProject', { runner: 1, project: 2 });
    expect(lastResponse(world).status).toBe(201);
    expect(lastResponse(world).summary).toBe('POST /projects/3/runners runner 1 → 201 (sharding_key_id null → 3)');
    expect(world.db.rows('ci_runners').find((row) => row['id'] === 1)?.['sharding_key_id']).toBe(3);
    expect(world.probes.count(RUNNER_PROBES.orphanLaterAssignedProject)).toBe(1);
    expect(world.probes.count(GITLAB_PROBES.backfillOverlapsTraffic)).toBe(1);
    world.currentStep = 5;
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
    expect(world.backfillFinishedAt.get('ci_runners')).toBe(5);
    expect(ids(world, 'ci_runners_e59bb2812d')).toEqual([2]);
    const explanation = explainRunnersViolation(world, {
      invariant: 'copy-complete-after-backfill',
      message:
        'ci_runners id=1 (runner_type 3, sharding_key_id 3) is missing from ci_runners_e59bb2812d although its backfill finished',
    });
    expect(explanation).toBe(
      "runner 1 is missing from ci_runners_e59bb2812d: runner 1 predates the copy (legacy) and it was an orphan when the backfill passed it (at step 3) and was assigned a project later (at step 4), but the sync trigger's UPDATE of a missing copy row is a silent no-op",
    );
    // A new manager for it then fails once the machine copy has the FK.
    step(world, 'add_concurrent_partitioned_foreign_key', {
      source: 'ci_runner_machines_687967fa8a',
      target: 'ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
      onUpdate: 'cascade',
    });
    op(world, 'verifyRunner', { runner: 1, system: 0 });
    expect(lastResponse(world).error?.constraint).toBe('fk_rails_3f92913d27');
  });

  test('assign_to re-owns a runner by its fallback owner when the owner project is gone', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 1, extraProjects: 1, group: 0 });
    // Simulate a deleted owner project: point the sharding key at a project that does not exist.
    world.db.update('ci_runners', { sharding_key_id: 99 });
    op(world, 'assignRunnerToProject', { runner: 0, project: 0 });
    expect(world.db.rows('ci_runners')[0]?.['sharding_key_id']).toBe(2);
    expect(world.probes.count(RUNNER_PROBES.orphanLaterAssignedProject)).toBe(0);
  });

  test('non-project runners cannot be assigned, and the last project cannot be unassigned', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 1, group: 0 });
    op(world, 'assignRunnerToProject', { runner: 1, project: 0 });
    expect(lastResponse(world).status).toBe(422);
    // Project 1 is the owner (UnassignRunnerService: 403); project 2 can go, then the last one cannot.
    op(world, 'unassignRunnerFromProject', { runner: 0, project: 0 });
    expect(lastResponse(world).status).toBe(403);
    op(world, 'unassignRunnerFromProject', { runner: 0, project: 1 });
    expect(lastResponse(world).status).toBe(200);
    op(world, 'unassignRunnerFromProject', { runner: 0, project: 0 });
    expect(lastResponse(world).status).toBe(422);
    expect(world.db.rows('ci_runner_projects').map((row) => row['project_id'])).toEqual([1]);
  });
});
