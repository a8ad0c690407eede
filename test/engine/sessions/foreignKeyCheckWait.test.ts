/**
 * An FK check that waited for the transaction holding its referenced row goes on with the row it
 * found, as heap_lock_tuple does once the holder ends; it does not look the key up again (seed 13,
 * run 197 of `pgdrill diff --sessions 3`). Each outcome was checked on PostgreSQL 18.4.
 */
import { describe, expect, it } from 'vitest';
import { col, eq } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, rollback, world } from './helpers.js';

/** Parents (id, p), LIST-partitioned by p when asked, and children referencing them. */
function parentsAndChildren(db: Database, partitioned: boolean): void {
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'p', type: 'integer' },
    ],
    primaryKey: ['id', 'p'],
    ...(partitioned ? { partitionBy: { list: 'p' } } : {}),
  });
  if (partitioned) {
    db.createTable({ name: 'parents_1', partitionOf: { parent: 'parents', values: [1] } });
    db.createTable({ name: 'parents_2', partitionOf: { parent: 'parents', values: [2] } });
  }
  db.insert('parents', [
    { id: 1, p: 1 },
    { id: 2, p: 1 },
  ]);
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
      { name: 'pp', type: 'integer' },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', name: 'children_parent', columns: ['pid', 'pp'], references: { table: 'parents' } },
    ],
  });
}

const insertChild = (pid: number): Statement => ({
  kind: 'insert',
  table: 'children',
  rows: [{ id: 10, pid, pp: 1 }],
  options: {},
});
const parentOne = eq(col('id'), 1);

describe('an FK check that waited for its referenced row', () => {
  it('under REPEATABLE READ fails with 40001 when the holder committed a key change, partitioned or not', () => {
    // The check of a partitioned parent reads through the latest snapshot (detectNewRows); looked up
    // again after the wait it would miss the old row and report 23503 instead.
    for (const partitioned of [true, false]) {
      const w = world((db) => parentsAndChildren(db, partitioned), 2);
      w.run(0, begin, { kind: 'update', table: 'parents', set: { id: 11 }, where: parentOne, options: {} });
      expect(w.run(1, { kind: 'begin', isolation: 'repeatable read' }, insertChild(1))).toBe('waiting');
      w.run(0, commit);
      expect(w.result(1)).toBe('40001');
      w.run(1, rollback);
    }
  });

  it('under READ COMMITTED fails when the holder deleted the row, though it inserted the same key again', () => {
    for (const partitioned of [true, false]) {
      const w = world((db) => parentsAndChildren(db, partitioned), 2);
      w.run(0, begin, { kind: 'delete', table: 'parents', where: parentOne, options: {} });
      w.run(0, { kind: 'insert', table: 'parents', rows: [{ id: 1, p: 1 }], options: {} });
      expect(w.run(1, insertChild(1))).toBe('waiting');
      w.run(0, commit);
      expect(w.result(1)).toBe('23503');
      expect(w.db.rows('children')).toEqual([]);
    }
  });

  it('under READ COMMITTED locks the newest version before failing: a FOR UPDATE on it is waited for', () => {
    // A locking read that waited first follows the key change and keeps the new version locked
    // though it skips it; the check queued behind it then waits for it before reporting 23503, as
    // ExecLockRows locks the newest version before it re-tests the key (seed 17, run 249, on the server).
    const w = world((db) => parentsAndChildren(db, false), 3);
    w.run(0, begin, { kind: 'update', table: 'parents', set: { id: 11 }, where: parentOne, options: {} });
    const lockOne: Statement = {
      kind: 'select',
      table: 'parents',
      options: { where: parentOne, locking: { strength: 'Update' } },
    };
    expect(w.run(2, begin, lockOne)).toBe('waiting');
    expect(w.run(1, insertChild(1))).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [2] });
    w.run(0, commit);
    expect(w.result(2)).toEqual([]);
    expect(w.scheduler.statusOf(1)).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [2] });
    w.run(2, rollback);
    expect(w.result(1)).toBe('23503');
  });

  it('under READ COMMITTED passes on the row when the holder rolled back', () => {
    const w = world((db) => parentsAndChildren(db, true), 2);
    w.run(0, begin, { kind: 'delete', table: 'parents', where: parentOne, options: {} });
    expect(w.run(1, insertChild(1))).toBe('waiting');
    w.run(0, rollback);
    expect(w.scheduler.statusOf(1)).toBe('idle');
    expect(w.db.rows('children')).toEqual([{ id: 10, pid: 1, pp: 1 }]);
  });

  it('under READ COMMITTED fails with 40001 when the holder moved the row to another partition', () => {
    // heapam_tuple_lock meets the moved-partitions mark (checked on the server, seed 16, run 38): an
    // FK check, a locking read, an UPDATE and a DELETE that waited for the mover all fail.
    const waiters: readonly Statement[] = [
      insertChild(2),
      { kind: 'select', table: 'parents', options: { where: eq(col('id'), 2), locking: { strength: 'NoKeyUpdate' } } },
      { kind: 'update', table: 'parents', set: { id: 7 }, where: eq(col('id'), 2), options: {} },
      { kind: 'delete', table: 'parents', where: eq(col('id'), 2), options: {} },
    ];
    for (const waiter of waiters) {
      const w = world((db) => parentsAndChildren(db, true), 2);
      w.run(0, begin, { kind: 'update', table: 'parents', set: { p: 2 }, where: eq(col('id'), 2), options: {} });
      expect(w.run(1, waiter)).toBe('waiting');
      w.run(0, commit);
      expect(w.result(1)).toBe('40001');
    }
    // A mover that rolls back leaves the row where it was.
    const w = world((db) => parentsAndChildren(db, true), 2);
    w.run(0, begin, { kind: 'update', table: 'parents', set: { p: 2 }, where: eq(col('id'), 2), options: {} });
    expect(w.run(1, waiters[1]!)).toBe('waiting');
    w.run(0, rollback);
    expect(w.result(1)).toEqual([{ id: 2, p: 1 }]);
  });
});
