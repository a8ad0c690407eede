import { describe, expect, test } from 'vitest';
import { col, eq } from '../../src/index.js';
import { drainRunnersWorld } from '../../model/runners/drain.js';
import { LFK_PROBES } from '../../model/gitlab/looseForeignKeys/cleanupWorker.js';
import { CONSUME_AFTER_RESCHEDULE } from '../../model/gitlab/looseForeignKeys/deletedRecordQueue.js';
import { DELETED_RECORDS } from '../../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import { runnersInvariants } from '../../properties/runnersInvariants.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { newWorld, op } from './runnersHelpers.js';

/**
 * LooseForeignKeys::CleanupWorker (docs/semantics.md §b.3) with a modification limit of 3 and 2 deletions per
 * query: a batch is marked processed only by a run that stayed under the limit; an over-limit run
 * counts an attempt, and a record with 3 attempts is rescheduled 5 minutes later.
 */
function taggedWorld(): RunnersWorld {
  const world = newWorld({
    workloads: ['tagging'],
    looseForeignKeys: { recordBatchSize: 2, deleteQueryLimit: 2, updateQueryLimit: 1, modificationLimit: 3 },
  });
  for (let runner = 0; runner < 8; runner++)
    op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
  for (let runner = 0; runner < 8; runner++) op(world, 'tagRunner', { runner, tag: 0 });
  return world;
}

const records = (world: RunnersWorld) =>
  world.db
    .rows(DELETED_RECORDS)
    .filter((row) => row['fully_qualified_table_name'] === 'public.tags')
    .map((row) => ({ status: row['status'], attempts: row['cleanup_attempts'], consumeAfter: row['consume_after'] }));
const run = (world: RunnersWorld) => op(world, 'looseForeignKeysCleanupTick', { rotation: 0 }).summary;

describe('loose-foreign-key cleanup worker', () => {
  test('over the limit it counts attempts, reschedules at 3, and marks processed only in a run under the limit', () => {
    const world = taggedWorld();
    op(world, 'deleteTag', { tag: 0 });
    const deletedAt = world.db.now;
    expect(world.db.rows('ci_runner_taggings')).toHaveLength(8);
    expect(run(world)).toBe(
      'LooseForeignKeys::CleanupWorker: tags 1: deleted 4 ci_runner_taggings, over the limit, attempts counted',
    );
    expect(records(world)).toEqual([{ status: 1, attempts: 1, consumeAfter: deletedAt }]);
    expect(run(world)).toBe(
      'LooseForeignKeys::CleanupWorker: tags 1: deleted 4 ci_runner_taggings, over the limit, attempts counted',
    );
    expect(world.db.rows('ci_runner_taggings')).toHaveLength(0);
    // Nothing is left, but the run that found nothing is the first one under the limit.
    expect(run(world)).toBe('LooseForeignKeys::CleanupWorker: tags 1: processed');
    expect(records(world)).toEqual([{ status: 2, attempts: 2, consumeAfter: deletedAt }]);
    expect(op(world, 'looseForeignKeysCleanupTick', { rotation: 1 }).applied).toBe(false);
  });

  test('a record over the limit for the fourth time is rescheduled five minutes later with its attempts reset', () => {
    const world = taggedWorld();
    for (let extra = 0; extra < 12; extra++)
      op(world, 'legacyCreateRunner', { type: 1, orphan: false, project: 0, extraProjects: 0, group: 0 });
    for (let runner = 0; runner < 12; runner++) op(world, 'tagRunner', { runner, tag: 0 });
    op(world, 'deleteTag', { tag: 0 });
    for (let attempt = 0; attempt < 3; attempt++) run(world);
    expect(records(world)[0]?.attempts).toBe(3);
    expect(run(world)).toBe(
      'LooseForeignKeys::CleanupWorker: tags 1: deleted 4 ci_runner_taggings, over the limit, 1 rescheduled',
    );
    expect(records(world)).toEqual([{ status: 1, attempts: 0, consumeAfter: world.db.now + CONSUME_AFTER_RESCHEDULE }]);
    expect(world.probes.count(LFK_PROBES.rescheduled)).toBe(1);
    drainRunnersWorld(world);
    expect(world.db.rows('ci_runner_taggings')).toHaveLength(0);
    expect(records(world)[0]?.status).toBe(2);
  });

  test('a rescheduled record moves behind the others of its table', () => {
    const world = taggedWorld();
    for (let runner = 0; runner < 8; runner++) op(world, 'tagRunner', { runner, tag: 1 });
    op(world, 'deleteTag', { tag: 0 });
    op(world, 'deleteTag', { tag: 1 });
    // The second tag is id 9: each find-or-create's INSERT … ON CONFLICT DO NOTHING consumed a sequence value, as in PostgreSQL.
    world.db.update(
      DELETED_RECORDS,
      { consume_after: world.db.now + CONSUME_AFTER_RESCHEDULE },
      eq(col('primary_key_value'), 1),
    );
    expect(run(world)).toMatch(/^LooseForeignKeys::CleanupWorker: tags 9, 1: /);
  });

  test('project deletion: the LFK removes assignments, every deletion is recorded once, and the world ends clean', () => {
    const world = newWorld({ workloads: ['projectDeletion'], flags: { update_project_runners_owner: true } });
    op(world, 'legacyCreateRunner', { type: 3, orphan: false, project: 0, extraProjects: 2, group: 0 });
    op(world, 'legacyCreateManager', { runner: 0, system: 0 });
    op(world, 'deleteProject', { ownerOfRunner: false, runner: 0, project: 1, deliveries: 1 });
    op(world, 'deleteRunner', { runner: 0 });
    expect(
      world.db
        .rows(DELETED_RECORDS)
        .map((row) => `${String(row['fully_qualified_table_name'])} ${String(row['primary_key_value'])}`)
        .sort(),
    ).toEqual(['public.ci_runner_machines 1', 'public.ci_runners 1', 'public.projects 2']);
    drainRunnersWorld(world);
    expect(runnersInvariants.map((invariant) => invariant.check(world)).filter((found) => found !== null)).toEqual([]);
  });
});
