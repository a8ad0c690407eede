import { describe, expect, test } from 'vitest';
import { PgError } from '../../src/index.js';
import { PARTITIONED_COPIES } from '../../model/runners/partitionedCopies.js';
import { replaceWithPartitionedTable } from '../../model/gitlab/tableSwap.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { checkSwapPreservesRows } from '../../properties/swapInvariants.js';
import { ids, newWorld, op, step } from './runnersHelpers.js';

/** Legacy runners of each type, the copy backfilled, and FKs from the join tables to single partitions. */
function readyToSwap(): RunnersWorld {
  const world = newWorld();
  op(world, 'legacyCreateRunner', { type: 1, orphan: true, project: 0, extraProjects: 0, group: 0 });
  op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 1 });
  op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 1, extraProjects: 1, group: 0 });
  op(world, 'legacyCreateManager', { runner: 0, system: 0 });
  world.currentStep = 1;
  step(world, 'partition_table_by_list', { table: 'ci_runners' });
  step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
  step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runners' });
  step(world, 'add_unique_id_constraint_on_partitions', { table: 'ci_runners_e59bb2812d' });
  step(world, 'add_concurrent_foreign_key', {
    source: 'ci_runner_projects',
    target: 'project_type_ci_runners_e59bb2812d',
    columns: 'runner_id',
    name: 'fk_98f08fcaf7',
  });
  return world;
}

describe('replace_with_partitioned_table', () => {
  test('swaps the names of tables, primary keys and partitions', () => {
    const world = readyToSwap();
    const copyRows = world.db.rows('ci_runners_e59bb2812d');
    world.currentStep = 2;
    step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
    const { db } = world;
    expect(db.hasTable('ci_runners_e59bb2812d')).toBe(false);
    expect(db.describe('ci_runners').partitions).toEqual([
      'instance_type_ci_runners',
      'group_type_ci_runners',
      'project_type_ci_runners',
    ]);
    expect(db.rows('ci_runners')).toEqual(copyRows);
    expect(ids(world, 'ci_runners_archived')).toEqual([1, 2, 3]);
    expect(db.describe('ci_runners').constraints.map((constraint) => constraint.name)).toContain('ci_runners_pkey');
    expect(db.describe('ci_runners_archived').constraints.map((constraint) => constraint.name)).toContain(
      'ci_runners_archived_pkey',
    );
    expect(db.describe('group_type_ci_runners').constraints.map((constraint) => constraint.name)).toContain(
      'group_type_ci_runners_pkey',
    );
    expect(checkSwapPreservesRows(world)).toBeNull();
  });

  test('moves the sequence and its default to the partitioned table', () => {
    const world = readyToSwap();
    step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
    const { db } = world;
    expect(db.sequenceInfo('ci_runners_id_seq')?.ownedBy).toBe('ci_runners.id');
    expect(db.columnDefault('ci_runners', 'id')).toBe("nextval('ci_runners_id_seq')");
    expect(db.columnDefault('ci_runners_archived', 'id')).toBeNull();
    op(world, 'createRunner', { type: 2, project: 0, group: 0, extraProjects: 0 });
    expect(ids(world, 'ci_runners')).toEqual([1, 2, 3, 4]);
  });

  test('installs the reverse sync trigger under the same names', () => {
    const world = readyToSwap();
    step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
    const { db } = world;
    expect(db.describe('ci_runners').triggers.map((trigger) => trigger.name)).toContain(
      'table_sync_trigger_61879721b5',
    );
    expect(db.describe('ci_runners_archived').triggers.map((trigger) => trigger.name)).not.toContain(
      'table_sync_trigger_61879721b5',
    );
    op(world, 'createRunner', { type: 1, project: 0, group: 0, extraProjects: 0 });
    op(world, 'runnerHeartbeat', { runner: 0 });
    const [archived] = db.rows('ci_runners_archived').filter((row) => row['id'] === 4);
    expect(archived?.['contacted_at']).toBe(db.now);
    op(world, 'deleteRunner', { runner: 0 });
    expect(ids(world, 'ci_runners_archived')).toEqual([1, 2, 3]);
  });

  test('FKs and other triggers follow the legacy table to the archive; FKs to partitions follow the copy', () => {
    const world = readyToSwap();
    step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
    const { db } = world;
    expect(db.constraint('ci_runner_machines', 'fk_rails_666b61f04f').referencedTable).toBe('ci_runners_archived');
    expect(db.constraint('ci_runner_namespaces', 'fk_rails_ci_runner_namespaces_runner_id').referencedTable).toBe(
      'ci_runners_archived',
    );
    expect(db.constraint('ci_runner_projects', 'fk_98f08fcaf7').referencedTable).toBe('project_type_ci_runners');
    expect(db.describe('ci_runners_archived').triggers.map((trigger) => trigger.name)).toContain(
      'ci_runners_loose_fk_trigger',
    );
    step(world, 'switch_record_change_tracking_to_partitioned_table', { table: 'ci_runners' });
    expect(db.describe('ci_runners_archived').triggers.map((trigger) => trigger.name)).not.toContain(
      'ci_runners_loose_fk_trigger',
    );
    expect(db.describe('project_type_ci_runners').triggers.map((trigger) => trigger.name)).toContain(
      'project_type_ci_runners_loose_fk_trigger',
    );
  });

  test('a failing swap rolls back every rename, default and trigger', () => {
    const world = readyToSwap();
    const { db } = world;
    // A table already holding a partition's new name makes the last renames fail.
    db.createTable({ name: 'project_type_ci_runners', columns: [{ name: 'id', type: 'bigint' }] });
    const tablesBefore = db.tableNames();
    expect(() => replaceWithPartitionedTable(db, PARTITIONED_COPIES.get('ci_runners')!, 2)).toThrow(PgError);
    expect(db.tableNames()).toEqual(tablesBefore);
    expect(db.describe('ci_runners').partitionKey).toBeNull();
    expect(db.describe('ci_runners').triggers.map((trigger) => trigger.name)).toContain(
      'table_sync_trigger_61879721b5',
    );
    expect(db.sequenceInfo('ci_runners_id_seq')?.ownedBy).toBe('ci_runners.id');
    expect(db.columnDefault('ci_runners', 'id')).toBe("nextval('ci_runners_id_seq')");
    expect(db.columnDefault('ci_runners_e59bb2812d', 'id')).toBeNull();
    expect(db.describe('ci_runners_e59bb2812d').partitions).toContain('project_type_ci_runners_e59bb2812d');
  });

  test('a runner_type change after the swap moves the row, and the reverse sync re-creates it in the archive', () => {
    const world = readyToSwap();
    step(world, 'replace_with_partitioned_table', { table: 'ci_runners' });
    expect(world.db.rows('ci_runner_machines').map((row) => row['runner_id'])).toEqual([3]);
    op(world, 'changeRunnerType', { runner: 0, type: 2, project: 0, group: 0 });
    expect(world.db.rows('group_type_ci_runners').map((row) => row['id'])).toContain(3);
    expect(world.db.rows('ci_runners_archived').find((row) => row['id'] === 3)?.['runner_type']).toBe(2);
    // The archive row was deleted and inserted again, so the legacy FK's cascade took the manager with it.
    expect(world.db.rows('ci_runner_machines')).toEqual([]);
  });
});
