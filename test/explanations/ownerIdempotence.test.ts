import { afterEach, describe, expect, it } from 'vitest';
import { activateMutant } from '../../model/gitlab/mutations.js';
import { runnersDomain } from '../../model/runners/domain.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { newWorld, op } from '../model/runnersHelpers.js';

/**
 * The two ways a second run of UpdateProjectRunnersOwnerService can change something, each explained
 * by its own cause (model/runners/explainOwnerIdempotence.ts). A leftover assignment of the deleted
 * project is the race the planted fixture shows; a runner still owned by it is shadowed by
 * no-orphan-project-runners in the shipped invariant order, so it is fed to the explanation here.
 */
const idempotent = runnersDomain.invariants.find((invariant) => invariant.id === 'owner-service-idempotent')!;

/** Runners 1 (projects 1, 2), 2 (project 1), 3 (projects 1, 3); project 1 deleted. */
function projectOneDeleted(): RunnersWorld {
  const world = newWorld({
    workloads: ['projectDeletion'],
    flags: { update_project_runners_owner: true },
    ownerServiceBatchSize: 1,
  } as never);
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 1, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'assignRunnerToProject', { runner: 0, project: 2 });
  op(world, 'deleteProject', { ownerOfRunner: false, runner: 0, project: 0, deliveries: 1 });
  return world;
}

function explain(world: RunnersWorld): string | null {
  const violation = idempotent.check(world);
  expect(violation).not.toBeNull();
  return runnersDomain.explain!(world, violation!, []);
}

afterEach(() => activateMutant(null));

describe('owner-service-idempotent explains each way it breaks', () => {
  it('a job that stopped before its batches reached a runner', () => {
    activateMutant('owner-service-one-batch');
    const world = projectOneDeleted();
    world.currentStep = 7;
    op(world, 'ownerWorkerTick', { job: 0 });
    op(world, 'ownerWorkerTick', { job: 0 });
    expect(world.ownerEvents.jobs[0]?.phase).toBe('done');
    expect(explain(world)).toBe(
      'runner 2 still has sharding_key_id 1, the deleted project, after UpdateProjectRunnersOwnerWorker for it finished at step 7 with its cursor at runner 1: the job stopped before its batches reached runner 2, so the service had not run to its end, and a second run re-owns or deletes it',
    );
  });

  it('a write that gave a runner the deleted project after the job had passed it', () => {
    const world = projectOneDeleted();
    for (let tick = 0; tick < 5; tick++) op(world, 'ownerWorkerTick', { job: 0 });
    expect(world.ownerEvents.jobs[0]?.phase).toBe('done');
    world.db.execute({ kind: 'update', table: 'ci_runners', set: { sharding_key_id: 1 }, where: null, options: {} });
    expect(explain(world)).toMatch(
      /^runner 1 still has sharding_key_id 1, the deleted project, after UpdateProjectRunnersOwnerWorker for it \(delivery 1 finished at step \d+\): a write after the job gave it that key after the service had passed it/,
    );
  });

  it('an assignment of the deleted project committed after the pre-clean and the cleaner had read', () => {
    const world = projectOneDeleted();
    for (let tick = 0; tick < 5; tick++) op(world, 'ownerWorkerTick', { job: 0 });
    op(world, 'looseForeignKeysCleanupTick', { rotation: 0 });
    world.db.execute({
      kind: 'insert',
      table: 'ci_runner_projects',
      rows: [{ runner_id: 3, project_id: 1 }],
      options: {},
    });
    expect(explain(world)).toMatch(
      /^ci_runner_projects id=\d+ \(runner 3, project 1\) was committed by a write the trace does not name, after project 1 was deleted at step \d+: UpdateProjectRunnersOwnerWorker's pre-clean for project 1 read ci_runner_projects before that row committed/,
    );
  });
});
