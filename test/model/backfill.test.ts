import { describe, expect, test } from 'vitest';
import { col, eq } from '../../src/index.js';
import { drainRunnersWorld } from '../../model/runners/drain.js';
import { ids, lastResponse, newWorld, op, partitionBoth, step } from './runnersHelpers.js';

/** Backfill batches (docs/semantics.md §a.1): filtered, non-clobbering, cursor over every id. */
describe('partition backfill', () => {
  test('batches skip orphans, never overwrite copy rows, and finish when no id remains above the cursor', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateRunner', { type: 3, orphan: true, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 1 });
    partitionBoth(world);
    // A newer runner, copied by the trigger; then its copy is made to differ, so an overwrite would show.
    op(world, 'createRunner', { type: 3, project: 1, group: 0, extraProjects: 0 });
    expect(lastResponse(world).status).toBe(201);
    expect(ids(world, 'ci_runners_e59bb2812d')).toEqual([4]);
    world.db.update('ci_runners_e59bb2812d', { contacted_at: 12345 }, eq(col('id'), 4));
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    const queued = world.bookkeeping.migrations[0]!;
    expect(op(world, 'backgroundTick', { migration: 0 }).summary).toBe(
      'BackfillCiRunnersPartitionedTable batch ids 1..2: inserted 1, already present 0, skipped 1 orphan (cursor 2)',
    );
    expect(world.bookkeeping.migrations[0]!.cursor).toBe(2);
    // Bookkeeping is immutable: the version read at queueing time still shows the start.
    expect(queued.cursor).toBe(0);
    expect(op(world, 'backgroundTick', { migration: 0 }).summary).toBe(
      'BackfillCiRunnersPartitionedTable batch ids 3..4: inserted 1, already present 1, skipped 0 orphans (finished)',
    );
    expect(world.bookkeeping.migrations[0]!.status).toBe('finished');
    expect(ids(world, 'ci_runners_e59bb2812d')).toEqual([1, 3, 4]);
    expect(world.db.select('ci_runners_e59bb2812d', { where: eq(col('id'), 4) })[0]?.['contacted_at']).toBe(12345);
    expect(world.backfillDecisions.get('ci_runners')?.get(2)).toEqual({ step: 1, copied: false });
    expect(op(world, 'backgroundTick', { migration: 0 }).applied).toBe(false);
  });

  test('a manager backfill batch that violates the copy FK fails, is retried, and is marked failed', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    partitionBoth(world);
    step(world, 'add_concurrent_partitioned_foreign_key', {
      source: 'ci_runner_machines_687967fa8a',
      target: 'ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
    });
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
    const outcomes = drainRunnersWorld(world);
    expect(outcomes).toHaveLength(3);
    expect(outcomes[2]?.summary).toContain('23503');
    expect(world.bookkeeping.migrations[0]?.status).toBe('failed');
  });

  test('drain finishes every backfill and the orphaned copy managers cleanup', () => {
    const world = newWorld({ backfillBatchSize: 1 });
    for (let index = 0; index < 3; index++)
      op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: index });
    for (let index = 0; index < 3; index++) op(world, 'legacyCreateManager', { runner: index, system: 0 });
    partitionBoth(world);
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runner_machines' });
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([1, 2, 3]);
    step(world, 'enqueue_background_migration', { migration: 'DeleteOrphanedPartitionedCiRunnerMachineRecords' });
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners' });
    const outcomes = drainRunnersWorld(world);
    expect(outcomes.every((outcome) => !outcome.summary.includes('failed'))).toBe(true);
    // The cleanup ran first (queued first) and removed every copy manager, whose runners were not copied yet.
    expect(ids(world, 'ci_runner_machines_687967fa8a')).toEqual([]);
    expect(ids(world, 'ci_runners_e59bb2812d')).toEqual([1, 2, 3]);
    expect(world.bookkeeping.migrations.every((migration) => migration.status === 'finished')).toBe(true);
  });
});

describe('sync trigger', () => {
  test('an UPDATE of a source row missing from the copy is a silent no-op', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    partitionBoth(world);
    op(world, 'runnerHeartbeat', { runner: 0 });
    op(world, 'managerHeartbeat', { manager: 0 });
    expect(world.responses.map((response) => response.status)).toEqual([200, 200]);
    expect(world.db.rows('ci_runners_e59bb2812d')).toEqual([]);
    expect(world.db.rows('ci_runner_machines_687967fa8a')).toEqual([]);
  });

  test('INSERT, UPDATE and DELETE are mirrored; the function text lists the frozen columns', () => {
    const world = newWorld();
    partitionBoth(world);
    op(world, 'createRunner', { type: 1, project: 0, group: 0, extraProjects: 0 });
    op(world, 'verifyRunner', { runner: 0, system: 2 });
    op(world, 'runnerHeartbeat', { runner: 0 });
    const copy = world.db.rows('instance_type_ci_runners_e59bb2812d');
    expect(copy).toEqual([{ id: 1, runner_type: 1, sharding_key_id: null, token: 't1_1', contacted_at: world.db.now }]);
    expect(ids(world, 'instance_type_ci_runner_machines_687967fa8a')).toEqual([1]);
    op(world, 'deleteRunner', { runner: 0 });
    expect(world.db.rows('ci_runners_e59bb2812d')).toEqual([]);
    expect(world.db.rows('ci_runner_machines_687967fa8a')).toEqual([]);
    const trigger = world.db
      .describe('ci_runners')
      .triggers.find((candidate) => candidate.name === 'table_sync_trigger_61879721b5');
    expect(trigger?.events).toEqual(['insert', 'update', 'delete']);
    expect(world.syncPairs.map((pair) => [pair.source, pair.copy, pair.functionName])).toEqual([
      ['ci_runners', 'ci_runners_e59bb2812d', 'table_sync_function_686d6c7993'],
      ['ci_runner_machines', 'ci_runner_machines_687967fa8a', 'table_sync_function_e438f29263'],
    ]);
  });

  test('a runner created without a sharding key by old code fails through the copy CHECK', () => {
    const world = newWorld({ code: { populateShardingKey: false } });
    partitionBoth(world);
    op(world, 'createRunner', { type: 2, project: 0, group: 0, extraProjects: 0 });
    const response = lastResponse(world);
    expect(response.status).toBe(500);
    expect(response.error?.message).toBe(
      'new row for relation "group_type_ci_runners_e59bb2812d" violates check constraint "check_sharding_key_id_nullness"',
    );
    expect(world.db.rows('ci_runners')).toEqual([]);
  });
});
