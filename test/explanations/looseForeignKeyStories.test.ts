import { describe, expect, it } from 'vitest';
import { DELETED_RECORDS, RECORD_STATUS } from '../../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import { explainLooseForeignKeys } from '../../model/runners/explainLooseForeignKeys.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { newWorld } from '../model/runnersHelpers.js';

/**
 * The fates `lfk-eventually-clean`'s explanation tells apart (model/runners/explainLooseForeignKeys.ts),
 * each fed the deleted record and the cleanup runs' record it reads. The stored failing traces reach
 * the processed branches (test/explanations/mutant-counterexamples.json); a record left pending
 * after the worker drained, which no mutant of the registry leaves, is set up here by hand.
 */
const DANGLING =
  'ci_runner_projects id=1 still has project_id=2, a deleted projects row (ci_runner_projects.project_id → projects (async_delete))';

/** A world whose deleted-records table holds one record of projects id=2, as `fields` set it. */
function worldWithRecord(fields: Readonly<Record<string, number>>): { world: RunnersWorld; recordId: number } {
  const world = newWorld({});
  const [record] = world.db.insert(DELETED_RECORDS, {
    primary_key_value: 2,
    fully_qualified_table_name: 'public.projects',
    ...fields,
  });
  return { world, recordId: record!['id'] as number };
}

function explain(world: RunnersWorld, message: string): string {
  return explainLooseForeignKeys(world, { invariant: 'lfk-eventually-clean', message });
}

describe("lfk-eventually-clean's explanation", () => {
  it('names a record still pending, its attempts and the limits', () => {
    const { world, recordId } = worldWithRecord({ cleanup_attempts: 2 });
    const why = explain(world, DANGLING);
    expect(why).toContain(
      `ci_runner_projects id=1 (project_id=2) was not cleaned: the deletion record ${recordId} of public.projects id=2 is still pending after the worker drained (cleanup_attempts 2)`,
    );
    expect(why).toContain('modifications per run');
    expect(why).not.toContain('rescheduled');
    expect(explain(world, 'the deletion of public.projects id=2 is still pending after the worker drained')).toMatch(
      /^the deletion record \d+ of public\.projects id=2 is still pending after the worker drained/,
    );
  });

  it('says a pending record was rescheduled when its consume_after moved past its creation', () => {
    const { world } = worldWithRecord({});
    const [record] = world.db.rows(DELETED_RECORDS);
    world.db.update(DELETED_RECORDS, { consume_after: Number(record!['created_at']) + 300 });
    expect(explain(world, DANGLING)).toContain('rescheduled at least once');
  });

  it('names the batch of another table that marked the record processed', () => {
    const { world, recordId } = worldWithRecord({ status: RECORD_STATUS.processed });
    world.looseForeignKeys.recordProcessed([recordId], {
      step: 7,
      batchTable: 'namespaces',
      cleanedParentIds: [2],
      exhausted: true,
    });
    expect(explain(world, DANGLING)).toContain(
      `the deletion record ${recordId} of projects id=2 was marked processed at step 7 by the cleanup of the namespaces batch`,
    );
  });

  it("names the ids the record's own batch gave its cleaner when they miss the deleted row", () => {
    const { world, recordId } = worldWithRecord({ status: RECORD_STATUS.processed });
    world.looseForeignKeys.recordProcessed([recordId], {
      step: 4,
      batchTable: 'projects',
      cleanedParentIds: [recordId + 10],
      exhausted: true,
    });
    expect(explain(world, DANGLING)).toContain(
      `after its cleaner queries were given the parent ids (${recordId + 10}), which do not include the record's primary_key_value 2`,
    );
  });

  it('tells a batch marked processed while its cleaner still found children from one that found none', () => {
    const { world, recordId } = worldWithRecord({ status: RECORD_STATUS.processed });
    const processed = { step: 4, batchTable: 'projects', cleanedParentIds: [2] };
    world.looseForeignKeys.recordProcessed([recordId], { ...processed, exhausted: false });
    expect(explain(world, DANGLING)).toContain("although its cleaner's last query still found child rows to clean");
    world.looseForeignKeys.recordProcessed([recordId], { ...processed, exhausted: true });
    expect(explain(world, DANGLING)).toContain("the cleaner's last query found no such row left");
  });

  it('says so when no cleanup run marked a processed record', () => {
    const { world } = worldWithRecord({ status: RECORD_STATUS.processed });
    expect(explain(world, DANGLING)).toContain('no cleanup run of the worker marked it processed');
  });
});
