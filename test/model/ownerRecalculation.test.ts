import { describe, expect, test } from 'vitest';
import { drainRunnersWorld } from '../../model/runners/drain.js';
import { OWNER_PROBES } from '../../model/runners/ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import { runnersInvariants } from '../../properties/runnersInvariants.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { lastResponse, newWorld, op } from './runnersHelpers.js';

/** UpdateProjectRunnersOwnerService and its worker (docs/semantics.md §e): batching, idempotence, redelivery, flag off. */
const PROJECT_WORLD = {
  workloads: ['projectDeletion', 'tagging'],
  flags: { update_project_runners_owner: true },
  ownerServiceBatchSize: 1,
};

function shardingKeys(world: RunnersWorld): Record<number, unknown> {
  return Object.fromEntries(world.db.rows('ci_runners').map((row) => [row['id'] as number, row['sharding_key_id']]));
}

function violations(world: RunnersWorld): string[] {
  return runnersInvariants
    .map((invariant) => invariant.check(world))
    .filter((found) => found !== null)
    .map((found) => found.invariant);
}

/** Runners 1 (projects 1, 2), 2 (project 1), 3 (projects 1, 3), each with a manager and a tag. */
function ownedByProjectOne(settings: object = PROJECT_WORLD): RunnersWorld {
  const world = newWorld(settings as never);
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 1, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'assignRunnerToProject', { runner: 0, project: 2 });
  for (const runner of [0, 1, 2]) {
    op(world, 'legacyCreateManager', { runner, system: 0 });
    op(world, 'tagRunner', { runner, tag: 0 });
  }
  return world;
}

const deleteProjectOne = (world: RunnersWorld, deliveries = 1) =>
  op(world, 'deleteProject', { ownerOfRunner: false, runner: 0, project: 0, deliveries });
const tick = (world: RunnersWorld) => op(world, 'ownerWorkerTick', { job: 0 }).summary;

describe('UpdateProjectRunnersOwnerService', () => {
  test('pre-cleans, then re-owns or deletes one batch of runners per step', () => {
    const world = ownedByProjectOne();
    deleteProjectOne(world);
    expect(lastResponse(world).status).toBe(200);
    expect(tick(world)).toBe(
      'UpdateProjectRunnersOwnerWorker project 1: deleted 3 ci_runner_projects rows of the project',
    );
    expect(tick(world)).toBe('UpdateProjectRunnersOwnerWorker project 1: batch of runners 1, re-owned 1');
    expect(tick(world)).toBe('UpdateProjectRunnersOwnerWorker project 1: batch of runners 2, deleted 2');
    // Traffic between batches: a heartbeat of the runner the next batch re-owns changes nothing.
    op(world, 'runnerHeartbeat', { runner: 0 });
    expect(tick(world)).toBe('UpdateProjectRunnersOwnerWorker project 1: batch of runners 3, re-owned 3');
    expect(tick(world)).toBe('UpdateProjectRunnersOwnerWorker project 1: no runner left with sharding_key_id 1, done');
    expect(shardingKeys(world)).toEqual({ 1: 2, 3: 3 });
    expect(
      world.db
        .rows('ci_runner_machines')
        .map((row) => [row['runner_id'], row['sharding_key_id']])
        .sort(),
    ).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(
      world.db
        .rows('ci_runner_taggings')
        .map((row) => [row['runner_id'], row['sharding_key_id']])
        .sort(),
    ).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(world.probes.count(OWNER_PROBES.multiBatch)).toBeGreaterThan(0);
    drainRunnersWorld(world);
    expect(violations(world)).toEqual([]);
  });

  test('a redelivered event finds nothing left to do, and re-running the service changes nothing', () => {
    const world = ownedByProjectOne();
    deleteProjectOne(world, 2);
    expect(world.ownerEvents.jobs.map((job) => job.delivery)).toEqual([1, 2]);
    drainRunnersWorld(world);
    const second = world.ownerEvents.jobs[1]!;
    expect(second.phase).toBe('done');
    expect(second.batches).toBe(0);
    expect(world.probes.count(OWNER_PROBES.redelivered)).toBe(1);
    const before = world.db.snapshot();
    expect(violations(world)).toEqual([]);
    // The idempotence check rolls its re-run back.
    expect(world.db.snapshot()).toEqual(before);
  });

  test('two deliveries interleaved batch by batch converge to the same owners', () => {
    const world = ownedByProjectOne();
    deleteProjectOne(world, 2);
    for (let step = 0; step < 12; step++) op(world, 'ownerWorkerTick', { job: step % 2 });
    drainRunnersWorld(world);
    expect(shardingKeys(world)).toEqual({ 1: 2, 3: 3 });
    expect(violations(world)).toEqual([]);
  });

  test('with the flag off the worker returns early: runners keep the deleted owner and the owner rule breaks', () => {
    const world = ownedByProjectOne({ ...PROJECT_WORLD, flags: { update_project_runners_owner: false } });
    deleteProjectOne(world);
    expect(tick(world)).toBe(
      'UpdateProjectRunnersOwnerWorker project 1: update_project_runners_owner is disabled, returned early',
    );
    drainRunnersWorld(world);
    expect(shardingKeys(world)).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(violations(world)).toEqual(
      expect.arrayContaining(['owner-is-lowest-runner-project', 'no-orphan-project-runners']),
    );
    expect(violations(world)).not.toContain('owner-service-idempotent');
  });

  test('the owner project cannot be unassigned; another one can', () => {
    const world = ownedByProjectOne();
    op(world, 'unassignRunnerFromProject', { runner: 2, project: 0 });
    expect(lastResponse(world).status).toBe(403);
    op(world, 'unassignRunnerFromProject', { runner: 2, project: 1 });
    expect(lastResponse(world).status).toBe(200);
  });
});
