/**
 * An UPDATE or INSERT meeting an uncommitted conflicting key waits in its unique check after its
 * heap write, as PostgreSQL does (heap_update or heap_insert, then the index insertions'
 * _bt_check_unique, one index at a time): meanwhile the row it updates is its own, so another
 * writer of the row, and an insert of the row's old key, wait for it; and the keys of the indexes
 * before the one it waits in are taken. Checked on the real PostgreSQL 18 server: the
 * `unique-wait-after-write` case of test/oracle/sessions/fixtures/engineDiffCases.json and the
 * programs of test/oracle/sessions/writeWaitPrograms.ts.
 */
import { describe, expect, it } from 'vitest';
import { arithmetic, col, eq } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, rollback, world } from './helpers.js';

function uniqueItems(db: Database): void {
  db.createTable({
    name: 'items',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'u', type: 'integer' },
      { name: 'v', type: 'integer' },
    ],
    primaryKey: ['id'],
    constraints: [{ kind: 'unique', name: 'items_u_key', columns: ['u'] }],
  });
  db.insert('items', [
    { id: 1, u: 10, v: 0 },
    { id: 2, u: 20, v: 0 },
  ]);
}

const insert = (id: number, u: number): Statement => ({
  kind: 'insert',
  table: 'items',
  rows: [{ id, u, v: 0 }],
  options: {},
});
const rekey: Statement = { kind: 'update', table: 'items', set: { u: 30 }, where: eq(col('id'), 1), options: {} };
const bump: Statement = {
  kind: 'update',
  table: 'items',
  set: { v: arithmetic('+', col('v'), 1) },
  where: eq(col('id'), 1),
  options: {},
};

describe('an UPDATE waits in its unique check after writing the row', () => {
  it('another writer of the row waits for it; then it updates, or fails with 23505 and releases the row', () => {
    for (const [end, outcome, row1] of [
      [rollback, 'ok', { id: 1, u: 30, v: 1 }],
      [commit, '23505', { id: 1, u: 10, v: 1 }],
    ] as const) {
      const w = world(uniqueItems, 3);
      w.run(0, begin, insert(3, 30));
      expect(w.run(1, rekey)).toBe('waiting');
      expect(w.run(2, bump)).toBe('waiting');
      expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
      w.run(0, end);
      expect(typeof w.result(1) === 'string' ? w.result(1) : 'ok').toBe(outcome);
      expect(w.scheduler.statusOf(2)).toBe('idle');
      expect(w.db.rows('items').find((row) => row.id === 1)).toEqual(row1);
    }
  });

  it("an insert of the row's old key waits for it", () => {
    const w = world(uniqueItems, 3);
    w.run(0, begin, insert(3, 30));
    expect(w.run(1, rekey)).toBe('waiting');
    expect(w.run(2, insert(4, 10))).toBe('waiting');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
    w.run(0, rollback);
    expect(w.result(2)).toEqual([{ id: 4, u: 10, v: 0 }]);
  });
});

describe('an INSERT waits in the unique check of an index after those before it', () => {
  it('holds the keys of the earlier indexes meanwhile: their writers wait for it, a deadlock runs through them', () => {
    const w = world(uniqueItems, 3);
    w.run(0, begin, insert(3, 30));
    // Its primary key 4 is in place; it waits in items_u_key for session 0's 30.
    expect(w.run(1, begin, insert(4, 30))).toBe('waiting');
    expect(w.run(2, insert(4, 40))).toBe('waiting');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
    w.run(0, rollback);
    expect(w.scheduler.statusOf(1)).toBe('idle');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
    w.run(1, commit);
    expect(w.result(2)).toBe('23505');
    // Session 0 inserting the waiting insert's primary key closes a cycle: the first waiter is the victim.
    const d = world(uniqueItems, 2);
    d.run(0, begin, insert(3, 30));
    expect(d.run(1, begin, insert(4, 30))).toBe('waiting');
    expect(d.run(0, insert(4, 50))).toBe('waiting');
    d.scheduler.advanceClock();
    d.scheduler.runUntilQuiescent();
    expect(d.result(1)).toBe('40P01');
    expect(d.result(0)).toEqual([{ id: 4, u: 50, v: 0 }]);
  });
});
