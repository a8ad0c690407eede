import { describe, expect, test } from 'vitest';
import { PgError } from '../../src/index.js';
import { runnerSteps } from '../../model/runners/steps/index.js';
import { validateRunnersSettings } from '../../model/runners/world.js';
import { GITLAB_PROBES } from '../../model/gitlab/probes.js';
import { RUNNER_PROBES } from '../../model/runners/probes.js';
import { newWorld, op, partitionBoth, step } from './runnersHelpers.js';

describe('step parameters', () => {
  const validate = (name: string, parameters: Record<string, unknown>) =>
    runnerSteps.get(name)!.validate(parameters as never);

  test('messages name the field', () => {
    expect(validate('add_concurrent_foreign_key', { source: 'a', target: 'b', columns: 'x', validate: 'yes' })).toBe(
      'field "validate" must be true or false',
    );
    expect(validate('add_concurrent_foreign_key', { target: 'b', columns: 'x' })).toBe('field "source" is required');
    expect(validate('add_concurrent_foreign_key', { source: 'a', target: 'b', columns: ['x', 'y'] })).toBe(
      'field "targetColumns" must list as many columns as "columns" (2)',
    );
    expect(validate('partition_table_by_list', { table: 'projects' })).toBe(
      'field "table" must be one of "ci_runners", "ci_runner_machines", not "projects"',
    );
    expect(validate('partition_table_by_list', { table: 'ci_runners', extra: 1 })).toContain('unknown field "extra"');
    expect(validate('add_check_constraint', { table: 't', name: 'c', expr: { isNul: 'x' } })).toContain(
      'field "expr" has unknown operator "isNul"',
    );
    expect(validate('set_feature_flag', { flag: 'nope', enabled: true })).toContain('field "flag" must be one of');
    expect(validate('deploy_code', {})).toBe(
      'at least 1 of "ensurePartitionedRunnerCopy", "populateShardingKey", "populateOrganizationId", "assignToLocksRunner" must be given',
    );
    expect(validate('delete_orphaned_runner_taggings', { maxBatches: 1 })).toBe('field "maxBatches" needs "batchSize"');
    expect(
      validate('enqueue_background_migration', { migration: 'DeleteOrphanedPartitionedCiRunnerMachineRecords' }),
    ).toBeNull();
  });

  test('settings are validated field by field', () => {
    expect(validateRunnersSettings({})).toBeNull();
    expect(validateRunnersSettings({ flags: { reject_orphaned_runners: 'on' } })).toBe(
      'field "flags.reject_orphaned_runners" must be true or false',
    );
    expect(validateRunnersSettings({ code: { fix: true } })).toContain('unknown field "code.fix"');
    expect(validateRunnersSettings({ backfillBatchSize: 0 })).toContain('field "backfillBatchSize"');
    expect(validateRunnersSettings({ flagz: {} })).toContain('unknown field "flagz"');
  });
});

describe('foreign key and check steps', () => {
  test('a validating FK over violators is dropped and fails the migration intentionally', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    partitionBoth(world);
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runner_machines' });
    let error: unknown;
    try {
      step(world, 'add_concurrent_foreign_key', {
        source: 'group_type_ci_runner_machines_687967fa8a',
        target: 'group_type_ci_runners_e59bb2812d',
        columns: ['runner_id', 'runner_type'],
        targetColumns: ['id', 'runner_type'],
        name: 'fk_rails_3f92913d27',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PgError);
    expect((error as PgError).message).toBe('Migration failed intentionally due to ForeignKeyViolation');
    expect((error as PgError).constraint).toBe('fk_rails_3f92913d27');
    expect(
      world.db
        .describe('group_type_ci_runner_machines_687967fa8a')
        .constraints.some((constraint) => constraint.name === 'fk_rails_3f92913d27'),
    ).toBe(false);
    expect(world.probes.count(GITLAB_PROBES.notValidFkWithViolators)).toBe(1);
    expect(world.probes.count(RUNNER_PROBES.copyManagerWithoutCopyRunner)).toBe(0);
  });

  test('a NOT VALID FK tolerates old violators; a second add of the same name is a warning', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    partitionBoth(world);
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runner_machines' });
    step(world, 'finalize_backfilling_partitioned_table', { table: 'ci_runner_machines' });
    const parameters = {
      source: 'group_type_ci_runner_machines_687967fa8a',
      target: 'group_type_ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
      validate: false,
    };
    step(world, 'add_concurrent_foreign_key', parameters);
    expect(world.db.constraint('group_type_ci_runner_machines_687967fa8a', 'fk_rails_3f92913d27').valid).toBe(false);
    expect(step(world, 'add_concurrent_foreign_key', parameters).summary).toContain(
      'already exists, skipping (warning)',
    );
    op(world, 'managerHeartbeat', { manager: 0 });
    expect(world.responses[0]?.status).toBe(200);
    expect(() =>
      step(world, 'validate_foreign_key', {
        table: 'group_type_ci_runner_machines_687967fa8a',
        name: 'fk_rails_3f92913d27',
      }),
    ).toThrow(PgError);
    step(world, 'remove_foreign_key', {
      table: 'group_type_ci_runner_machines_687967fa8a',
      name: 'fk_rails_3f92913d27',
    });
  });

  test("on_delete: nil (onDelete null) gives NO ACTION; a missing onDelete, GitLab's default CASCADE", () => {
    const world = newWorld();
    partitionBoth(world);
    const parameters = {
      source: 'group_type_ci_runner_machines_687967fa8a',
      target: 'group_type_ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      validate: false,
    };
    step(world, 'add_concurrent_foreign_key', { ...parameters, name: 'fk_no_action', onDelete: null });
    step(world, 'add_concurrent_foreign_key', { ...parameters, name: 'fk_default' });
    const table = 'group_type_ci_runner_machines_687967fa8a';
    expect(world.db.constraint(table, 'fk_no_action').onDelete).toBe('no action');
    expect(world.db.constraint(table, 'fk_default').onDelete).toBe('cascade');
  });

  test('add_concurrent_partitioned_foreign_key puts the key on every partition, then on the parent', () => {
    const world = newWorld();
    partitionBoth(world);
    step(world, 'add_concurrent_partitioned_foreign_key', {
      source: 'ci_runner_machines_687967fa8a',
      target: 'ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
      onUpdate: 'cascade',
    });
    const partitionKey = world.db.constraint('project_type_ci_runner_machines_687967fa8a', 'fk_rails_3f92913d27');
    expect(partitionKey.inheritedFrom).toBe('ci_runner_machines_687967fa8a');
    expect(partitionKey.valid).toBe(true);
    expect(() =>
      step(world, 'add_concurrent_foreign_key', {
        source: 'ci_runner_machines_687967fa8a',
        target: 'ci_runners_e59bb2812d',
        columns: ['runner_id', 'runner_type'],
        targetColumns: ['id', 'runner_type'],
      }),
    ).toThrow(/add_concurrent_partitioned_foreign_key/);
  });

  test('add_check_constraint adds NOT VALID then validates; a NOT VALID CHECK rejects heartbeats of violators', () => {
    const world = newWorld();
    op(world, 'legacyCreateRunner', { type: 3, orphan: true, project: 0, extraProjects: 0, group: 0 });
    expect(() =>
      step(world, 'add_check_constraint', {
        table: 'ci_runners',
        name: 'check_sharding_key',
        expr: { or: [{ eq: ['runner_type', 1] }, { isNotNull: 'sharding_key_id' }] },
      }),
    ).toThrow(PgError);
    expect(world.db.constraint('ci_runners', 'check_sharding_key').valid).toBe(false);
    op(world, 'runnerHeartbeat', { runner: 0 });
    expect(world.responses[0]?.status).toBe(500);
    expect(world.responses[0]?.error?.code).toBe('23514');
  });

  test('deploy_code switches behaviour for later requests', () => {
    const world = newWorld();
    step(world, 'deploy_code', { ensurePartitionedRunnerCopy: true });
    expect(world.code).toEqual({
      ensurePartitionedRunnerCopy: true,
      populateShardingKey: true,
      populateOrganizationId: false,
      assignToLocksRunner: false,
    });
  });
});

describe('partial progress of background migrations as plan steps', () => {
  test('run_background_migration_batches runs exactly N batches of a queued migration and no more than it has', () => {
    const world = newWorld();
    for (let index = 0; index < 5; index++)
      op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
    partitionBoth(world);
    step(world, 'enqueue_partitioning_data_migration', { table: 'ci_runners', batchSize: 2 });
    step(world, 'run_background_migration_batches', { migration: 'BackfillCiRunnersPartitionedTable', batches: 1 });
    expect(world.db.rows('ci_runners_e59bb2812d').length).toBe(2);
    expect(world.bookkeeping.migrations[0]?.status).toBe('active');
    const rest = step(world, 'run_background_migration_batches', {
      migration: 'BackfillCiRunnersPartitionedTable',
      batches: 100,
    });
    expect(world.db.rows('ci_runners_e59bb2812d').length).toBe(5);
    expect(world.bookkeeping.migrations[0]?.status).toBe('finished');
    expect(rest.summary.split('; ')).toHaveLength(2);
    expect(
      step(world, 'run_background_migration_batches', { migration: 'BackfillCiRunnersPartitionedTable', batches: 1 })
        .summary,
    ).toContain('is not active (warning)');
  });

  test('delete_orphaned_runner_taggings in batches stops after maxBatches; the queued clean-up deletes the same rows', () => {
    const dangling = (world: ReturnType<typeof newWorld>): number => {
      const tags = new Set(world.db.rows('tags').map((row) => row['id']));
      return world.db.rows('ci_runner_taggings').filter((row) => !tags.has(row['tag_id'])).length;
    };
    const build = () => {
      const world = newWorld({ workloads: ['tagging'] });
      for (let index = 0; index < 4; index++)
        op(world, 'createRunner', { type: 1, project: 0, group: 0, extraProjects: 0 });
      for (let runner = 0; runner < 4; runner++) op(world, 'tagRunner', { runner, tag: 0 });
      op(world, 'deleteTag', { tag: 0 });
      return world;
    };
    const batched = build();
    expect(dangling(batched)).toBe(4);
    const partial = step(batched, 'delete_orphaned_runner_taggings', { batchSize: 1, maxBatches: 3 });
    expect(partial.summary).toBe('delete_orphaned_runner_taggings: deleted 3 taggings without a tag in 3 batches of 1');
    expect(dangling(batched)).toBe(1);
    const queued = build();
    step(queued, 'enqueue_background_migration', { migration: 'DeleteOrphanedCiRunnerTaggings', batchSize: 3 });
    step(queued, 'run_background_migration_batches', { migration: 'DeleteOrphanedCiRunnerTaggings', batches: 1 });
    expect(dangling(queued)).toBe(1);
  });
});
