import { describe, expect, test } from 'vitest';
import { checkShardingKeyBackfilled } from '../../properties/shardingKeyInvariants.js';
import { lastResponse, newWorld, op, step } from './runnersHelpers.js';

const PRE_SHARDING = { schema: 'pre-sharding-key' };

function keys(world: ReturnType<typeof newWorld>, table: string): [unknown, unknown][] {
  return world.db.rows(table).map((row) => [row['id'], row['sharding_key_id']]);
}

describe('the pre-sharding-key era', () => {
  test('starts without sharding_key_id, and old code creates runners without it', () => {
    const world = newWorld(PRE_SHARDING);
    expect(world.db.describe('ci_runners').columns.map((column) => column.name)).not.toContain('sharding_key_id');
    expect(world.db.describe('ci_runner_machines').columns.map((column) => column.name)).not.toContain(
      'sharding_key_id',
    );
    op(world, 'createRunner', { type: 2, project: 0, group: 1, extraProjects: 0 });
    op(world, 'verifyRunner', { runner: 0, system: 0 });
    expect(lastResponse(world).status).toBe(200);
  });

  test('code that writes the key before the column exists answers 500', () => {
    const world = newWorld(PRE_SHARDING);
    step(world, 'deploy_code', { populateShardingKey: true });
    op(world, 'createRunner', { type: 2, project: 0, group: 1, extraProjects: 0 });
    expect(lastResponse(world).error?.message).toBe('column "sharding_key_id" of relation "ci_runners" does not exist');
  });
});

describe('BackfillShardingKeyIdOnCiRunners and the managers backfill', () => {
  test('group runners take their namespace, project runners their lowest-id project; orphans stay NULL', () => {
    const world = newWorld(PRE_SHARDING);
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 2 });
    op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 2, extraProjects: 2, group: 0 });
    op(world, 'legacyCreateRunner', { type: 3, orphan: true, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 2, system: 0 });
    step(world, 'add_column', { table: 'ci_runners', column: 'sharding_key_id', type: 'bigint' });
    step(world, 'add_column', { table: 'ci_runner_machines', column: 'sharding_key_id', type: 'bigint' });
    step(world, 'enqueue_background_migration', { migration: 'BackfillShardingKeyIdOnCiRunners' });
    step(world, 'finalize_background_migration', { migration: 'BackfillShardingKeyIdOnCiRunners' });
    expect(keys(world, 'ci_runners')).toEqual([
      [1, 3],
      [2, 3],
      [3, null],
      [4, null],
    ]);
    expect(checkShardingKeyBackfilled(world)).toBeNull();
    step(world, 'enqueue_background_migration', { migration: 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers' });
    step(world, 'finalize_background_migration', { migration: 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers' });
    expect(keys(world, 'ci_runner_machines')).toEqual([[1, 3]]);
    step(world, 'enqueue_background_migration', { migration: 'DeleteOrphanedGroupAndProjectRunners' });
    step(world, 'finalize_background_migration', { migration: 'DeleteOrphanedGroupAndProjectRunners' });
    expect(keys(world, 'ci_runners').map(([id]) => id)).toEqual([1, 2, 4]);
  });

  test('a runner old code creates after the backfill passed stays without a key', () => {
    const world = newWorld(PRE_SHARDING);
    step(world, 'add_column', { table: 'ci_runners', column: 'sharding_key_id', type: 'bigint' });
    step(world, 'enqueue_background_migration', { migration: 'BackfillShardingKeyIdOnCiRunners' });
    step(world, 'finalize_background_migration', { migration: 'BackfillShardingKeyIdOnCiRunners' });
    op(world, 'createRunner', { type: 3, project: 1, group: 0, extraProjects: 0 });
    expect(checkShardingKeyBackfilled(world)?.message).toBe(
      'runner 1 (runner_type 3) has an owner link but no sharding_key_id although BackfillShardingKeyIdOnCiRunners finished',
    );
  });
});
