import { afterEach, describe, expect, it } from 'vitest';
import { activateMutant } from '../../model/gitlab/mutations.js';
import { runnersDomain } from '../../model/runners/domain.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { explainRolloutViolation } from '../../model/runners/explainRollout.js';
import { newWorld, op, step } from '../model/runnersHelpers.js';

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

const trackingFollowsSwap = runnersDomain.invariants.find(
  (invariant) => invariant.id === 'deletion-tracking-follows-swap',
)!;

/** Three legacy runners copied to the partitioned table, which then replaces ci_runners. */
function swapped(): RunnersWorld {
  const world = newWorld();
  op(world, 'legacyCreateRunner', { type: 1, orphan: true, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 1 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 1, extraProjects: 1, group: 0 });
  step(world, 'partition_table_by_list', { table: 'ci_runners' });
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
  step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
  step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
  return world;
}

describe('deletion-tracking-follows-swap names the window before the tracking switch only when it is the cause', () => {
  it('a runner deleted between the swap and the switch: the window', () => {
    const world = swapped();
    op(world, 'deleteRunner', { runner: 0 });
    step(world, 'switch_record_change_tracking_to_partitioned_table', { table: 'ci_runners' });
    const violation = trackingFollowsSwap.check(world);
    expect(violation?.message).toBe(
      'the deletion of ci_runners id=3 was recorded as public.ci_runners_archived, not public.ci_runners',
    );
    expect(violation?.cause).toBe('deletion-before-tracking-switch');
  });

  it('a switch that leaves the trigger on the archive: a deletion after it has no named cause', () => {
    activateMutant('tracking-switch-keeps-archive-trigger');
    const world = swapped();
    op(world, 'deleteRunner', { runner: 0 });
    step(world, 'switch_record_change_tracking_to_partitioned_table', { table: 'ci_runners' });
    op(world, 'deleteRunner', { runner: 0 });
    const violation = trackingFollowsSwap.check(world);
    expect(violation?.message).toBe(
      'the deletion of ci_runners id=2 was recorded as public.ci_runners_archived, not public.ci_runners, after its tracking was switched: ci_runners_loose_fk_trigger is still on ci_runners_archived',
    );
    expect(violation?.cause).toBeUndefined();
    expect(explainRolloutViolation(world, violation!)).toMatch(
      /^switch_record_change_tracking_to_partitioned_table ci_runners ran but left ci_runners_loose_fk_trigger on ci_runners_archived/,
    );
  });

  it('the real switch: deletions after it are recorded under ci_runners only', () => {
    const world = swapped();
    step(world, 'switch_record_change_tracking_to_partitioned_table', { table: 'ci_runners' });
    op(world, 'deleteRunner', { runner: 0 });
    expect(trackingFollowsSwap.check(world)).toBeNull();
  });
});
