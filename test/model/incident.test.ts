import { describe, expect, test } from 'vitest';
import { RUNNER_PROBES } from '../../model/runners/probes.js';
import { explainRunnersViolation } from '../../model/runners/explain.js';
import { addPerPartitionManagerFk, ids, lastResponse, newWorld, op, partitionBoth, step } from './runnersHelpers.js';

/**
 * The 2024-10-31 incident through the model's own steps and operations: the FK on the machine
 * copy was added (and validated, on nearly empty copies) before the runner backfill finished,
 * so creating a manager for a not-yet-copied runner failed in the sync trigger.
 */
function incidentWorld(settings = {}) {
  const world = newWorld(settings);
  op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateManager', { runner: 0, system: 0 });
  partitionBoth(world);
  world.currentStep = 2;
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
  world.currentStep = 3;
  addPerPartitionManagerFk(world, true);
  world.currentStep = 4;
  return world;
}

describe('the incident', () => {
  test('verify with a new system id answers 500 with 23503 on fk_rails_3f92913d27', () => {
    const world = incidentWorld();
    expect(world.db.constraint('group_type_ci_runner_machines_687967fa8a', 'fk_rails_3f92913d27').valid).toBe(true);
    const outcome = op(world, 'verifyRunner', { runner: 0, system: 1 });
    const response = lastResponse(world);
    expect(response.status).toBe(500);
    expect(response.error?.code).toBe('23503');
    expect(response.error?.constraint).toBe('fk_rails_3f92913d27');
    expect(response.error?.message).toBe(
      'insert or update on table "group_type_ci_runner_machines_687967fa8a" violates foreign key constraint "fk_rails_3f92913d27"',
    );
    expect(outcome.summary).toBe('POST /runners/verify runner 1 system_id s1 → 500 (23503 fk_rails_3f92913d27)');
    expect(world.probes.count(RUNNER_PROBES.verifyRunnerMissingFromCopy)).toBe(1);
    // The whole request rolled back: only the legacy manager exists, and the copies are empty.
    expect(ids(world, 'ci_runner_machines')).toEqual([1]);
    expect(world.db.rows('ci_runners_e59bb2812d')).toEqual([]);
    expect(world.db.rows('ci_runner_machines_687967fa8a')).toEqual([]);
    const explanation = explainRunnersViolation(world, {
      invariant: 'api-never-500',
      message: `POST /runners/verify for runner 1 answered 500: ${response.error?.message}`,
    });
    expect(explanation).toBe(
      'runner 1 is missing from ci_runners_e59bb2812d: runner 1 predates the copy (legacy) and the backfill had not reached it (cursor 0)',
    );
  });

  test('an existing manager only heartbeats: the sync UPDATE of a missing copy row checks nothing', () => {
    const world = incidentWorld();
    op(world, 'verifyRunner', { runner: 0, system: 0 });
    expect(lastResponse(world).status).toBe(200);
  });

  test('with ensurePartitionedRunnerCopy the same request answers 200 and both copies get rows', () => {
    const world = incidentWorld({ code: { ensurePartitionedRunnerCopy: true } });
    op(world, 'verifyRunner', { runner: 0, system: 1 });
    expect(lastResponse(world).status).toBe(200);
    expect(world.db.rows('group_type_ci_runners_e59bb2812d')).toEqual([
      { id: 1, runner_type: 2, sharding_key_id: 1, token: 't2_1', contacted_at: world.db.now },
    ]);
    expect(
      world.db.rows('ci_runner_machines_687967fa8a').map((row) => [row['id'], row['runner_id'], row['system_xid']]),
    ).toEqual([[2, 1, 's1']]);
  });

  test('with reject_orphaned_runners the copy step is skipped, so the 500 returns', () => {
    const world = incidentWorld({
      code: { ensurePartitionedRunnerCopy: true },
      flags: { reject_orphaned_runners: true },
    });
    op(world, 'verifyRunner', { runner: 0, system: 1 });
    expect(lastResponse(world).status).toBe(500);
  });

  test('finishing the backfill first makes the validated FK safe', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    partitionBoth(world);
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
    addPerPartitionManagerFk(world, true);
    op(world, 'verifyRunner', { runner: 0, system: 1 });
    expect(lastResponse(world).status).toBe(200);
  });
});
