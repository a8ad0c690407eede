import { describe, expect, test } from 'vitest';
import { Database, col, eq, inList } from '../../src/index.js';
import { DELETED_RECORDS, createDeletedRecordsTable } from '../../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import {
  trackRecordDeletions,
  trackRecordDeletionsOverrideTableName,
} from '../../model/gitlab/looseForeignKeys/trackRecordDeletions.js';

/**
 * The LFK triggers against PostgreSQL 15's own answers in
 * docs/pg-checks/t3_lfk_triggers.sql/.out: one record per deleted row through
 * the parent, a partition or an FK cascade, none for row movement, and TG_TABLE_NAME read when
 * the trigger fires.
 */
function t3World(): Database {
  const db = new Database();
  createDeletedRecordsTable(db);
  db.createTable({
    name: 'ci_runners',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'runner_type', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id', 'runner_type'],
    partitionBy: { list: 'runner_type' },
  });
  db.createTable({ name: 'instance_type_ci_runners', partitionOf: { parent: 'ci_runners', values: [1] } });
  db.createTable({ name: 'group_type_ci_runners', partitionOf: { parent: 'ci_runners', values: [2] } });
  db.createTable({
    name: 'ci_runner_machines',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'runner_type', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id', 'runner_type'],
    partitionBy: { list: 'runner_type' },
  });
  db.createTable({
    name: 'instance_type_ci_runner_machines',
    partitionOf: { parent: 'ci_runner_machines', values: [1] },
  });
  db.createTable({ name: 'group_type_ci_runner_machines', partitionOf: { parent: 'ci_runner_machines', values: [2] } });
  db.addConstraint('ci_runner_machines', {
    kind: 'foreignKey',
    name: 'fk_m',
    columns: ['runner_id', 'runner_type'],
    references: { table: 'ci_runners', columns: ['id', 'runner_type'] },
    onUpdate: 'cascade',
    onDelete: 'cascade',
  });
  trackRecordDeletionsOverrideTableName(db, 'ci_runners', 'ci_runners');
  trackRecordDeletionsOverrideTableName(db, 'instance_type_ci_runners', 'ci_runners');
  trackRecordDeletionsOverrideTableName(db, 'group_type_ci_runners', 'ci_runners');
  trackRecordDeletionsOverrideTableName(db, 'ci_runner_machines', 'ci_runner_machines');
  trackRecordDeletionsOverrideTableName(db, 'group_type_ci_runner_machines', 'ci_runner_machines');
  db.insert('ci_runners', [
    { id: 1, runner_type: 1 },
    { id: 2, runner_type: 2 },
    { id: 3, runner_type: 2 },
    { id: 4, runner_type: 2 },
  ]);
  db.insert('ci_runner_machines', [
    { id: 10, runner_id: 2, runner_type: 2 },
    { id: 11, runner_id: 3, runner_type: 2 },
  ]);
  return db;
}

/** `SELECT fully_qualified_table_name, primary_key_value, count(*) … GROUP BY 1, 2 ORDER BY 1, 2`, then TRUNCATE. */
function takeRecords(db: Database): string[] {
  const counts = new Map<string, number>();
  for (const row of db.rows(DELETED_RECORDS)) {
    const key = `${String(row['fully_qualified_table_name'])} ${String(row['primary_key_value'])}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  db.delete(DELETED_RECORDS);
  return [...counts].map(([key, count]) => `${key} ×${count}`).sort();
}

describe('loose-foreign-key deletion tracking (t3_lfk_triggers)', () => {
  test('case 1: DELETE through the parent records each runner once, and the FK cascade records the manager once', () => {
    const db = t3World();
    db.delete('ci_runners', inList(col('id'), [1, 2]));
    expect(takeRecords(db)).toEqual([
      'public.ci_runner_machines 10 ×1',
      'public.ci_runners 1 ×1',
      'public.ci_runners 2 ×1',
    ]);
  });

  test('case 2: DELETE directly on a partition records the logical name once, cascade included', () => {
    const db = t3World();
    db.delete('group_type_ci_runners', eq(col('id'), 3));
    expect(takeRecords(db)).toEqual(['public.ci_runner_machines 11 ×1', 'public.ci_runners 3 ×1']);
  });

  test('case 3: moving a row to another partition records nothing', () => {
    const db = t3World();
    db.update('ci_runners', { runner_type: 1 }, eq(col('id'), 4));
    expect(takeRecords(db)).toEqual([]);
    expect(db.rows('instance_type_ci_runners').map((row) => row['id'])).toContain(4);
  });

  test('case 4: the classic function records TG_TABLE_NAME as it is when the trigger fires, so a renamed table records its new name', () => {
    const db = new Database();
    createDeletedRecordsTable(db);
    db.createTable({ name: 'legacy', columns: [{ name: 'id', type: 'bigint', notNull: true }], primaryKey: ['id'] });
    trackRecordDeletions(db, 'legacy');
    db.renameTable('legacy', 'legacy_archived');
    db.insert('legacy_archived', { id: 7 });
    db.delete('legacy_archived');
    expect(takeRecords(db)).toEqual(['public.legacy_archived 7 ×1']);
  });

  test('a statement that deletes nothing records nothing, and records start pending in the active partition', () => {
    const db = t3World();
    db.delete('ci_runners', eq(col('id'), 99));
    expect(db.rows(DELETED_RECORDS)).toEqual([]);
    db.advanceClock(5);
    db.delete('ci_runners', eq(col('id'), 1));
    expect(db.rows(DELETED_RECORDS)).toEqual([
      {
        id: 1,
        partition: 1,
        primary_key_value: 1,
        status: 1,
        created_at: 5,
        fully_qualified_table_name: 'public.ci_runners',
        consume_after: 5,
        cleanup_attempts: 0,
      },
    ]);
  });
});
