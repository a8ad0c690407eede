/**
 * An UPDATE meeting an uncommitted conflicting key waits in its unique check after its heap write,
 * as PostgreSQL does (heap_update, then the index insertion's _bt_check_unique): meanwhile the row
 * it updates is its own, so another writer of the row, and an insert of the row's old key, wait for
 * it. Checked on the real PostgreSQL 18 server; the schedule is the `unique-wait-after-write` case of
 * test/oracle/sessions/fixtures/engineDiffCases.json.
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
