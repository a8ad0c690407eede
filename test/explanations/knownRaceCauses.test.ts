import { afterEach, describe, expect, it } from 'vitest';
import { activateMutant } from '../../model/gitlab/mutations.js';
import { runnersDomain } from '../../model/runners/domain.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { newWorld, op } from '../model/runnersHelpers.js';

/**
 * A named cause accepts only the violations it explains (docs/plans.md, "acceptsCauses"): a manager
 * left with its deleted owner's key by assign_to's re-own before the event is the known race
 * `manager-kept-deleted-owner`; the same mismatch left by the owner service itself is not, and a
 * plan accepting the race still fails on it.
 */
const managerMatches = runnersDomain.invariants.find((invariant) => invariant.id === 'manager-matches-runner')!;

/** A project runner owned by project 1 and assigned to project 2, with a manager; project 1 deleted. */
function ownerDeleted(): RunnersWorld {
  const world = newWorld({ workloads: ['projectDeletion'], flags: { update_project_runners_owner: true } } as never);
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 1, group: 0 });
  op(world, 'legacyCreateManager', { runner: 0, system: 0 });
  op(world, 'deleteProject', { ownerOfRunner: true, runner: 0, project: 0, deliveries: 1 });
  return world;
}

afterEach(() => activateMutant(null));

describe('manager-matches-runner names the known race only when it is the cause', () => {
  it('assign_to re-owning the runner before the event is handled: the race', () => {
    const world = ownerDeleted();
    op(world, 'assignRunnerToProject', { runner: 0, project: 2 });
    for (let tick = 0; tick < 5; tick++) op(world, 'ownerWorkerTick', { job: 0 });
    const violation = managerMatches.check(world);
    expect(violation?.message).toMatch(/^manager 1 has sharding_key_id 1 but runner 1 has \d+$/);
    expect(violation?.cause).toBe('manager-kept-deleted-owner');
  });

  it('the owner service re-owning the runner without its managers: no named cause', () => {
    activateMutant('owner-service-forgets-managers');
    const world = ownerDeleted();
    for (let tick = 0; tick < 5; tick++) op(world, 'ownerWorkerTick', { job: 0 });
    const violation = managerMatches.check(world);
    expect(violation?.message).toMatch(/^manager 1 has sharding_key_id 1 but runner 1 has \d+$/);
    expect(violation?.cause).toBeUndefined();
  });

  it('the real service carries the new owner to the managers: no violation', () => {
    const world = ownerDeleted();
    for (let tick = 0; tick < 5; tick++) op(world, 'ownerWorkerTick', { job: 0 });
    expect(managerMatches.check(world)).toBeNull();
  });
});
