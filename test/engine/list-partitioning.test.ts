import { describe, expect, it } from 'vitest';
import { Database, col, eq, gt, isNotNull, ne } from '../../src/index.js';
import { expectPgError, logRowTrigger, sortedRows } from './helpers.js';

function lp(): Database {
  const db = new Database();
  db.createTable({
    name: 'lp',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 't', type: 'smallint' },
    ],
    partitionBy: { list: 't' },
  });
  db.createTable({ name: 'lp_1', partitionOf: { parent: 'lp', values: [1] } });
  db.createTable({ name: 'lp_23', partitionOf: { parent: 'lp', values: [2, 3] } });
  return db;
}

describe('LIST partitioning: routing and reading (docs/postgres-observed.md §1, docs/postgres-observed.md §2)', () => {
  it('an INSERT through the parent routes each row to the partition whose list holds its key', () => {
    const db = lp();
    db.insert('lp', [
      { id: 1, t: 1 },
      { id: 2, t: 2 },
      { id: 3, t: 3 },
      { id: 4, t: 1 },
    ]);
    expect(db.rows('lp_1')).toEqual([
      { id: 1, t: 1 },
      { id: 4, t: 1 },
    ]);
    expect(db.rows('lp_23')).toEqual([
      { id: 2, t: 2 },
      { id: 3, t: 3 },
    ]);
  });

  it('no matching partition: 23514 "no partition of relation … found for row", spaced detail, table = root', () => {
    const db = lp();
    expectPgError(() => db.insert('lp', { id: 1, t: 5 }), {
      code: '23514',
      message: 'no partition of relation "lp" found for row',
      detail: 'Partition key of the failing row contains (t) = (5).',
      table: 'lp',
    });
    expectPgError(() => db.insert('lp', { id: 1, t: null }), {
      code: '23514',
      message: 'no partition of relation "lp" found for row',
      detail: 'Partition key of the failing row contains (t) = (null).',
      table: 'lp',
    });
  });

  it('a direct INSERT into the wrong partition violates its partition constraint', () => {
    const db = lp();
    expectPgError(() => db.insert('lp_1', { id: 1, t: 2 }), {
      code: '23514',
      message: 'new row for relation "lp_1" violates partition constraint',
      detail: 'Failing row contains (1, 2).',
      table: 'lp_1',
    });
  });

  it('reading the parent reads every partition in bound order; ONLY reads nothing', () => {
    const db = lp();
    db.insert('lp', [
      { id: 1, t: 3 },
      { id: 2, t: 1 },
      { id: 3, t: 2 },
    ]);
    expect(db.select('lp')).toEqual([
      { id: 2, t: 1 },
      { id: 1, t: 3 },
      { id: 3, t: 2 },
    ]);
    expect(db.select('lp', { where: eq(col('t'), 2) })).toEqual([{ id: 3, t: 2 }]);
    expect(db.select('lp', { only: true })).toEqual([]);
    expect(db.rows('lp')).toHaveLength(3);
  });

  it('writing a partition directly is visible through the parent; UPDATE/DELETE through the parent reach partitions', () => {
    const db = lp();
    db.insert('lp_23', { id: 7, t: 3 });
    db.insert('lp', { id: 8, t: 1 });
    expect(db.select('lp', { orderBy: [{ column: 'id', direction: 'asc' }] })).toEqual([
      { id: 7, t: 3 },
      { id: 8, t: 1 },
    ]);
    db.update('lp', { id: 70 }, eq(col('id'), 7));
    db.delete('lp', eq(col('id'), 8));
    expect(db.rows('lp')).toEqual([{ id: 70, t: 3 }]);
    db.delete('lp_23');
    expect(db.rows('lp')).toEqual([]);
  });

  it('a DEFAULT partition takes every key no other partition lists, NULL included', () => {
    const db = lp();
    db.createTable({ name: 'lp_default', partitionOf: { parent: 'lp', values: 'default' } });
    db.insert('lp', [
      { id: 1, t: 9 },
      { id: 2, t: null },
      { id: 3, t: 1 },
    ]);
    expect(db.rows('lp_default')).toEqual([
      { id: 1, t: 9 },
      { id: 2, t: null },
    ]);
    expectPgError(() => db.insert('lp_default', { id: 4, t: 2 }), {
      code: '23514',
      message: 'new row for relation "lp_default" violates partition constraint',
      detail: 'Failing row contains (4, 2).',
      table: 'lp_default',
    });
    // A new partition for a value the DEFAULT partition holds is refused.
    expectPgError(() => db.createTable({ name: 'lp_9', partitionOf: { parent: 'lp', values: [9] } }), {
      code: '23514',
      message: 'updated partition constraint for default partition "lp_default" would be violated by some row',
      table: 'lp_default',
    });
    db.delete('lp', eq(col('t'), 9));
    db.createTable({ name: 'lp_9', partitionOf: { parent: 'lp', values: [9] } });
    db.insert('lp', { id: 5, t: 9 });
    expect(db.rows('lp_9')).toEqual([{ id: 5, t: 9 }]);
    expectPgError(() => db.createTable({ name: 'lp_d2', partitionOf: { parent: 'lp', values: 'default' } }), {
      code: '42P17',
      message: 'partition "lp_d2" conflicts with existing default partition "lp_default"',
    });
  });

  it('overlapping bounds are refused with 42P17', () => {
    const db = lp();
    expectPgError(() => db.createTable({ name: 'lp_x', partitionOf: { parent: 'lp', values: [3, 4] } }), {
      code: '42P17',
      message: 'partition "lp_x" would overlap partition "lp_23"',
    });
  });

  it('an UPDATE through the parent to a key with no partition: 23514 naming the root', () => {
    const db = lp();
    db.insert('lp', { id: 1, t: 1 });
    expectPgError(() => db.update('lp', { t: 9 }, eq(col('id'), 1)), {
      code: '23514',
      message: 'no partition of relation "lp" found for row',
      detail: 'Partition key of the failing row contains (t) = (9).',
      table: 'lp',
    });
  });

  it('an UPDATE directly on a partition that would move the row violates the partition constraint (docs/postgres-observed.md §6)', () => {
    const db = lp();
    db.insert('lp', { id: 1, t: 1 });
    expectPgError(() => db.update('lp_1', { t: 2 }, eq(col('id'), 1)), {
      code: '23514',
      message: 'new row for relation "lp_1" violates partition constraint',
      detail: 'Failing row contains (1, 2).',
      table: 'lp_1',
    });
  });
});

describe('ATTACH and DETACH PARTITION (docs/postgres-observed.md §2d, docs/postgres-observed.md §3e, docs/postgres-observed.md §3f)', () => {
  const columns = [
    { name: 'id', type: 'bigint', notNull: true },
    { name: 't', type: 'smallint', notNull: true },
    { name: 'note', type: 'text' },
  ] as const;
  function m(): Database {
    const db = new Database();
    db.createTable({ name: 'm', columns, partitionBy: { list: 't' } });
    db.createTable({ name: 'm_1', partitionOf: { parent: 'm', values: [1] } });
    return db;
  }

  it('ATTACH checks existing rows against the bound (23514), then routes to the new partition', () => {
    const db = m();
    db.createTable({ name: 'm_2', columns });
    db.insert('m_2', [
      { id: 1, t: 2, note: null },
      { id: 2, t: 3, note: null },
    ]);
    expectPgError(() => db.attachPartition('m', 'm_2', [2]), {
      code: '23514',
      message: 'partition constraint of relation "m_2" is violated by some row',
      table: 'm_2',
    });
    db.delete('m_2', eq(col('t'), 3));
    db.attachPartition('m', 'm_2', [2]);
    db.insert('m', { id: 3, t: 2, note: null });
    expect(sortedRows(db, 'm_2').map((row) => row.id)).toEqual([1, 3]);
    expect(db.describe('m').partitions).toEqual(['m_1', 'm_2']);
    expect(db.describe('m_2')).toMatchObject({ parent: 'm', partitionValues: [2] });
  });

  it('ATTACH requires every parent CHECK on the table, with the same definition and validated (42804, 42P17)', () => {
    const db = m();
    db.addConstraint('m', { kind: 'check', name: 'm_note_chk', expr: ne(col('note'), 'bad') });
    db.createTable({ name: 'm_4', columns });
    expectPgError(() => db.attachPartition('m', 'm_4', [4]), {
      code: '42804',
      message: 'child table is missing constraint "m_note_chk"',
    });
    db.addConstraint('m_4', { kind: 'check', name: 'm_note_chk', expr: ne(col('note'), 'worse') });
    expectPgError(() => db.attachPartition('m', 'm_4', [4]), {
      code: '42804',
      message: 'child table "m_4" has different definition for check constraint "m_note_chk"',
    });
    db.dropConstraint('m_4', 'm_note_chk');
    db.addConstraint('m_4', { kind: 'check', name: 'm_note_chk', expr: ne(col('note'), 'bad'), notValid: true });
    expectPgError(() => db.attachPartition('m', 'm_4', [4]), {
      code: '42P17',
      message: 'constraint "m_note_chk" conflicts with NOT VALID constraint on child table "m_4"',
    });
    db.validateConstraint('m_4', 'm_note_chk');
    db.attachPartition('m', 'm_4', [4]);
    expectPgError(() => db.insert('m', { id: 1, t: 4, note: 'bad' }), {
      code: '23514',
      message: 'new row for relation "m_4" violates check constraint "m_note_chk"',
      detail: 'Failing row contains (1, 4, bad).',
      constraint: 'm_note_chk',
      table: 'm_4',
    });
  });

  it('a CHECK added to the parent is cloned into partitions created later and checked there', () => {
    const db = m();
    db.addConstraint('m', { kind: 'check', name: 'm_id_pos', expr: gt(col('id'), 0) });
    db.createTable({ name: 'm_2', partitionOf: { parent: 'm', values: [2] } });
    expect(db.constraint('m_2', 'm_id_pos')).toMatchObject({ inheritedFrom: 'm', valid: true });
    expectPgError(() => db.insert('m', { id: -1, t: 2, note: null }), {
      code: '23514',
      message: 'new row for relation "m_2" violates check constraint "m_id_pos"',
      detail: 'Failing row contains (-1, 2, null).',
      constraint: 'm_id_pos',
      table: 'm_2',
    });
  });

  it("DETACH keeps rows, CHECKs and keys as the table's own, removes cloned row triggers, and stops routing", () => {
    const db = m();
    const log: string[] = [];
    db.addConstraint('m', { kind: 'check', name: 'm_note_chk', expr: isNotNull(col('note')) });
    logRowTrigger(db, log, 'm', 'm_ins', 'after', ['insert']);
    db.insert('m', { id: 1, t: 1, note: 'x' });
    expect(log).toEqual(['m_ins AFTER INSERT on m_1']);
    db.detachPartition('m', 'm_1');
    expect(db.describe('m_1')).toMatchObject({ parent: null, partitionValues: null, triggers: [] });
    expect(db.constraint('m_1', 'm_note_chk').inheritedFrom).toBe(null);
    expect(db.rows('m_1')).toEqual([{ id: 1, t: 1, note: 'x' }]);
    expect(db.rows('m')).toEqual([]);
    expectPgError(() => db.insert('m', { id: 2, t: 1, note: 'y' }), {
      code: '23514',
      message: 'no partition of relation "m" found for row',
      detail: 'Partition key of the failing row contains (t) = (1).',
      table: 'm',
    });
    db.insert('m_1', { id: 3, t: 7, note: 'z' });
    expect(log).toEqual(['m_ins AFTER INSERT on m_1']);
    expectPgError(() => db.detachPartition('m', 'm_1'), {
      code: '42P01',
      message: 'relation "m_1" is not a partition of relation "m"',
    });
  });
});
