/**
 * Rules of PostgreSQL 18 that the multi-session diff against the real server found the engine's
 * sessions getting wrong (`pgdrill diff --sessions 3 --seed 11`), each pinned in a small schedule.
 * The schedules as the server ran them are test/oracle/sessions/fixtures/engineDiffCases.json.
 */
import { describe, expect, it } from 'vitest';
import { col, eq, lt } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, items, rollback, world } from './helpers.js';

const update = (id: number, v: number): Statement => ({
  kind: 'update',
  table: 'items',
  set: { v },
  where: eq(col('id'), id),
  options: {},
});
const forUpdate = (id: number): Statement => ({
  kind: 'select',
  table: 'items',
  options: { where: eq(col('id'), id), locking: { strength: 'Update' } },
});
const selectAll: Statement = { kind: 'select', table: 'items', options: {} };

describe('rules the real server taught the engine', () => {
  it('a second waiter for a row queues on its tuple lock behind the first, not on the holder', () => {
    const w = world(items, 3);
    w.run(0, begin, forUpdate(1));
    expect(w.run(1, begin, update(1, 5))).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0], lock: 'ShareLock on transaction' });
    expect(w.run(2, update(1, 7))).toBe('waiting');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1], lock: 'ExclusiveLock on tuple' });
    // The holder ends: the first waiter writes, and the second now waits for it to end.
    w.run(0, commit);
    expect(w.scheduler.statusOf(1)).toBe('idle');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1], lock: 'ShareLock on transaction' });
    w.run(1, commit);
    expect(w.result(2)).toEqual([{ id: 1, v: 7 }]);
  });

  it('REPEATABLE READ takes its snapshot before the first statement waits for its table lock', () => {
    const w = world(items, 2);
    w.run(0, begin, { kind: 'lockTable', tables: ['items'], mode: 'Exclusive', nowait: false }, update(1, 9));
    expect(w.run(1, { kind: 'begin', isolation: 'repeatable read' }, update(2, 1))).toBe('waiting');
    w.run(0, commit);
    // The snapshot was taken before s0 committed: the read sees row 1 as it was.
    w.run(1, selectAll);
    expect(w.result(1)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 1 },
    ]);
    w.run(1, rollback);
  });

  it('TRUNCATE is not MVCC-safe: a snapshot taken before it sees the table empty once it commits', () => {
    const w = world((db: Database) => {
      items(db);
      db.createTable({ name: 'other', columns: [{ name: 'id', type: 'integer' }] });
    }, 2);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' }, { kind: 'select', table: 'other', options: {} });
    w.run(1, { kind: 'truncate', tables: ['items'], options: {} });
    w.run(0, selectAll);
    expect(w.result(0)).toEqual([]);
    w.run(0, rollback);
  });

  it('without a BEFORE UPDATE trigger, a CHECK violation comes before the wait for the row', () => {
    const w = world((db: Database) => {
      items(db);
      db.addConstraint('items', {
        kind: 'check',
        name: 'v_small',
        expr: lt(col('v'), 100),
      });
    }, 2);
    w.run(0, begin, update(1, 1));
    expect(w.run(1, update(1, 500))).toBe('idle');
    expect(w.result(1)).toBe('23514');
    w.run(0, rollback);
  });

  it('an unknown savepoint aborts the block at once: its table locks are free for others', () => {
    const w = world(items, 2);
    w.run(0, begin, update(1, 1));
    w.run(0, { kind: 'releaseSavepoint', name: 'nosuch' });
    expect(w.result(0)).toBe('3B001');
    expect(w.run(1, begin, { kind: 'lockTable', tables: ['items'], mode: 'AccessExclusive', nowait: true })).toBe(
      'idle',
    );
    expect(w.result(1)).toBeUndefined();
    w.run(1, rollback);
    w.run(0, rollback);
  });

  it('SET inside a transaction block is undone by its abort and by ROLLBACK TO SAVEPOINT, kept by COMMIT', () => {
    const w = world(items, 2);
    const state = w.sessions[0]!.state;
    const set = (ms: number, local = false): Statement => ({
      kind: 'set',
      name: 'lock_timeout',
      milliseconds: ms,
      local,
    });
    w.run(0, set(500));
    w.run(0, begin, set(100), rollback);
    expect(state.lockTimeoutMs).toBe(500);
    w.run(0, begin, { kind: 'savepoint', name: 'sp' }, set(200), { kind: 'rollbackToSavepoint', name: 'sp' });
    expect(state.lockTimeoutMs).toBe(500);
    w.run(0, set(300), set(50, true), commit);
    expect(state.lockTimeoutMs).toBe(300);
    w.run(0, begin, set(70, true), set(80), rollback);
    expect(state.lockTimeoutMs).toBe(300);
  });

  it('an autocommit statement of an opened session checks its INITIALLY DEFERRED keys at its commit', () => {
    const w = world(deferredRefs, 2);
    w.run(0, { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 99 }], options: {} });
    expect(w.result(0)).toBe('23503');
  });

  it("COMMIT's deferred check waits for a transaction deleting the parent row, then fails or passes", () => {
    for (const [end, expected] of [
      [commit, '23503'],
      [rollback, 'COMMIT'],
    ] as const) {
      const w = world(deferredRefs, 2);
      w.run(0, begin, { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} });
      w.run(1, begin, { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 1 }], options: {} });
      expect(w.run(1, commit)).toBe('waiting');
      expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0] });
      w.run(0, end);
      expect(w.result(1)).toBe(expected);
    }
  });
});

function deferredRefs(db: Database): void {
  items(db);
  db.createTable({
    name: 'refs',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'item_id', type: 'integer' },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        name: 'refs_item',
        columns: ['item_id'],
        references: { table: 'items' },
        deferrable: true,
        initiallyDeferred: true,
      },
    ],
  });
}
