import { describe, expect, test } from 'vitest';
import { MANUAL_ID_WARNING } from '../../model/gitlab/steps/ensureUniqueId.js';
import { checkIdsUniqueAcrossPartitions } from '../../properties/swapInvariants.js';
import { ids, newWorld, op, step } from './runnersHelpers.js';

function swapped() {
  const world = newWorld();
  op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
  step(world, 'partition_table_by_list', { table: 'ci_runners' });
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
  step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
  step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
  return world;
}

describe('ensure_unique_id', () => {
  test('drops the id default and assigns nextval in a BEFORE INSERT trigger on every partition', () => {
    const world = swapped();
    step(world, 'ensure_unique_id', { table: 'ci_runners' });
    const { db } = world;
    expect(db.columnDefault('ci_runners', 'id')).toBeNull();
    expect(
      db.describe('group_type_ci_runners').triggers.find((trigger) => trigger.name === 'assign_ci_runners_id_trigger'),
    ).toMatchObject({ timing: 'before', inherited: true });
    const [row] = db.insert('ci_runners', { runner_type: 2, sharding_key_id: 1 });
    expect(row?.['id']).toBe(2);
    expect(db.notices).toEqual([]);
  });

  test('ignores a client-supplied id with a WARNING', () => {
    const world = swapped();
    step(world, 'ensure_unique_id', { table: 'ci_runners' });
    const { db } = world;
    const [row] = db.insert('ci_runners', { id: 1, runner_type: 3, sharding_key_id: 1 });
    expect(row?.['id']).toBe(2);
    expect(db.notices).toEqual([`WARNING: ${MANUAL_ID_WARNING}`]);
    expect(checkIdsUniqueAcrossPartitions(world)).toBeNull();
  });

  test('without it, a client can put the same id in two partitions', () => {
    const world = swapped();
    // The archive's primary key would catch it through the reverse sync; the partitions alone do not.
    world.db.disableTrigger('ci_runners', 'table_sync_trigger_61879721b5');
    world.db.insert('ci_runners', { id: 1, runner_type: 3, sharding_key_id: 1 });
    expect(checkIdsUniqueAcrossPartitions(world)?.message).toBe(
      'ci_runners id=1 is in both instance_type_ci_runners and project_type_ci_runners',
    );
  });

  test('createRunner links the id the trigger assigned, not the one it asked for', () => {
    const world = swapped();
    step(world, 'ensure_unique_id', { table: 'ci_runners' });
    op(world, 'createRunner', { type: 3, project: 0, group: 0, extraProjects: 0 });
    expect(ids(world, 'ci_runners')).toEqual([1, 3]);
    expect(world.db.rows('ci_runner_projects').map((row) => row['runner_id'])).toEqual([3]);
  });
});
