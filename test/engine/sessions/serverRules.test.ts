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

  it('REPEATABLE READ: LOCK TABLE takes no snapshot, the next statement does (seeing what committed between)', () => {
    const w = world(items, 2);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' });
    w.run(0, { kind: 'lockTable', tables: ['items'], mode: 'ShareUpdateExclusive', nowait: false });
    w.run(1, update(2, 7));
    w.run(0, selectAll);
    expect(w.result(0)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 7 },
    ]);
    // Its snapshot is frozen now: a later commit is not seen.
    w.run(1, update(1, 8));
    w.run(0, selectAll);
    expect(w.result(0)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 7 },
    ]);
    w.run(0, rollback);
  });

  it('FOR KEY SHARE next to a non-key update also locks the newer version: it waits for a FOR UPDATE there', () => {
    // heap_lock_updated_tuple: the updater's own FOR UPDATE of its new version conflicts with KEY SHARE.
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    const w = world(items, 2);
    w.run(0, begin, update(1, 5), forUpdate(1));
    expect(w.run(1, begin, keyShare)).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0] });
    w.run(0, rollback);
    expect(w.scheduler.statusOf(1)).toBe('idle');
    w.run(1, rollback);
    // Without the updater's FOR UPDATE, the KEY SHARE is granted at once.
    w.run(0, begin, update(1, 5));
    expect(w.run(1, begin, keyShare)).toBe('idle');
    w.run(0, rollback);
    w.run(1, rollback);
  });

  it('FOR KEY SHARE NOWAIT or SKIP LOCKED still waits for a conflict on a newer version of the row', () => {
    // heap_lock_updated_tuple waits with XactLockTableWait whatever the wait policy (seed 14, run 72 on
    // the server): here the updater deleted its own new version, which conflicts with KEY SHARE.
    for (const wait of ['nowait', 'skipLocked'] as const) {
      const w = world(items, 2);
      w.run(0, begin, update(1, 5), { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} });
      const keyShare: Statement = {
        kind: 'select',
        table: 'items',
        options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare', wait } },
      };
      expect(w.run(1, begin, keyShare)).toBe('waiting');
      expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0], lock: 'ShareLock on transaction' });
      w.run(0, rollback);
      expect(w.result(1)).toEqual([{ id: 1, v: 0 }]);
    }
  });

  it("a KEY SHARE lock taken next to a non-key update outlives the updater's rollback", () => {
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    const w = world(items, 3);
    w.run(0, begin, update(1, 5));
    w.run(1, begin, keyShare);
    w.run(0, rollback);
    // The row is the old version again, still locked by session 1: FOR UPDATE waits for it.
    expect(w.run(2, begin, forUpdate(1))).toBe('waiting');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
    w.run(1, rollback);
    expect(w.scheduler.statusOf(2)).toBe('idle');
    w.run(2, rollback);
  });

  it('under REPEATABLE READ, KEY SHARE of a row whose non-key update committed since the snapshot is granted', () => {
    // heap_lock_tuple: no key was updated, so no sleep and TM_Ok (seed 13, run 209: an FK check);
    // SHARE conflicts with the update (40001), and so does KEY SHARE once a newer version's key changed.
    const read = (id: number, strength: 'KeyShare' | 'Share'): Statement => ({
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), id), locking: { strength } },
    });
    const rr: Statement = { kind: 'begin', isolation: 'repeatable read' };
    const w = world((db) => referencingItems(db, false), 2);
    w.run(0, rr, { kind: 'select', table: 'refs', options: {} });
    w.run(1, update(1, 5));
    w.run(0, { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 1 }], options: {} });
    expect(typeof w.result(0)).not.toBe('string');
    w.run(0, read(1, 'KeyShare'));
    expect(w.result(0)).toEqual([{ id: 1, v: 0 }]);
    w.run(0, read(1, 'Share'));
    expect(w.result(0)).toBe('40001');
    w.run(0, rollback, rr, { kind: 'select', table: 'refs', options: {} });
    w.run(1, update(2, 6), { kind: 'update', table: 'items', set: { id: 12 }, where: eq(col('id'), 2), options: {} });
    w.run(0, read(2, 'KeyShare'));
    expect(w.result(0)).toBe('40001');
    w.run(0, rollback);
  });

  it('an UPDATE that leaves a referenced key alone queues no deferred event: ALTER TABLE is not refused', () => {
    // RI_FKey_pk_upd_check_required at queue time (seed 14, run 68); a key change does queue one (55006).
    const dropNotNull: Statement = { kind: 'setColumnNotNull', table: 'items', column: 'v', notNull: false };
    const w = world(deferredRefs, 1);
    w.run(0, begin, update(1, 1), dropNotNull);
    expect(typeof w.result(0)).not.toBe('string');
    w.run(0, rollback, begin, { kind: 'update', table: 'items', set: { id: 5 }, where: eq(col('id'), 2), options: {} });
    w.run(0, dropNotNull);
    expect(w.result(0)).toBe('55006');
    w.run(0, rollback);
  });

  it('TRUNCATE … CASCADE is refused while a table it cascades to has a deferred check queued', () => {
    // truncate_check_activity runs on the tables CASCADE adds too (seed 20, run 276 on the server).
    const w = world((db) => referencingItems(db, true), 1);
    w.run(0, begin, { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 1 }], options: {} });
    w.run(0, { kind: 'truncate', tables: ['items'], options: { cascade: true } });
    expect(w.result(0)).toBe('55006');
    w.run(0, rollback);
    expect(w.db.rows('items')).toHaveLength(2);
  });

  it('an FK check waits for a transaction that updated the parent row, then changed its key', () => {
    // The key update is on the updater's own intermediate version, which PostgreSQL's chain keeps and
    // heap_lock_updated_tuple visits (seed 14, run 188): the check waits, then fails once it commits.
    const w = world((db) => referencingItems(db, false), 2);
    w.run(0, begin, update(1, 5), {
      kind: 'update',
      table: 'items',
      set: { id: 11 },
      where: eq(col('id'), 1),
      options: {},
    });
    expect(w.run(1, { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 1 }], options: {} })).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0] });
    w.run(0, commit);
    expect(w.result(1)).toBe('23503');
  });

  it('a BEFORE UPDATE or DELETE row trigger that skips the row leaves it locked: others wait', () => {
    // GetTupleForTrigger locks the row before the trigger runs (seed 14, run 9).
    const w = world((db: Database) => {
      items(db);
      db.createTrigger({
        name: 'skip_all',
        table: 'items',
        timing: 'before',
        events: ['update', 'delete'],
        fn: () => null,
      });
    }, 2);
    const noKeyUpdate: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'NoKeyUpdate' } },
    };
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    for (const skipped of [
      update(1, 5),
      { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} } as const,
    ]) {
      w.run(0, begin, skipped);
      expect(w.result(0)).toEqual([]);
      expect(w.run(1, begin, noKeyUpdate)).toBe('waiting');
      w.run(0, rollback);
      w.run(1, rollback);
    }
    // A non-key UPDATE's lock (NO KEY UPDATE) lets KEY SHARE through; a DELETE's (UPDATE) does not.
    w.run(0, begin, update(1, 5));
    expect(w.run(1, begin, keyShare)).toBe('idle');
    w.run(1, rollback);
    w.run(0, rollback);
  });

  it('a non-key UPDATE of a row its transaction locked FOR UPDATE conflicts with KEY SHARE', () => {
    // The new xmax keeps the stronger mode (compute_new_xmax_infomask; seed 15, run 166).
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    const w = world(items, 2);
    w.run(0, begin, forUpdate(1), update(1, 5));
    expect(w.run(1, begin, keyShare)).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0] });
    w.run(0, commit);
    expect(w.result(1)).toEqual([{ id: 1, v: 5 }]);
    w.run(1, rollback);
  });

  it("a writer waits for the row's lockers in the order they came: a KEY SHARE before the update first", () => {
    // MultiXactIdWait goes through the members in order (seed 14, run 57).
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    const w = world(items, 3);
    w.run(0, begin, keyShare);
    w.run(1, begin, update(1, 5));
    expect(w.run(2, begin, { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} })).toBe('waiting');
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [0] });
    w.run(0, rollback);
    expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
    w.run(1, commit);
    expect(w.result(2)).toEqual([{ id: 1, v: 5 }]);
  });

  it('a writer meeting a committed update waits first for a running KEY SHARE locker of the version', () => {
    // HeapTupleSatisfiesUpdate answers TM_BeingModified while a member of the multixact runs, and
    // heap_delete waits for it before it meets the committed update (seed 19, run 184 on the server):
    // REPEATABLE READ then fails with 40001, READ COMMITTED deletes the newest version.
    const keyShare: Statement = {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare' } },
    };
    for (const [isolation, outcome] of [
      ['repeatable read', '40001'],
      ['read committed', [{ id: 1, v: 5 }]],
    ] as const) {
      const w = world(items, 3);
      w.run(0, begin, update(1, 5));
      const remove: Statement = { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} };
      expect(w.run(2, { kind: 'begin', isolation }, remove)).toBe('waiting');
      w.run(1, begin, keyShare);
      w.run(0, commit);
      expect(w.scheduler.statusOf(2)).toBe('waiting');
      expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
      w.run(1, commit);
      expect(w.result(2)).toEqual(outcome);
    }
  });

  it('EvalPlanQual locks the newest version before re-testing it: one that no longer matches stays locked', () => {
    // heapam_tuple_lock follows the chain and locks the last version (seed 14, run 274; checked on
    // the server for a locking read and an UPDATE, with an UPDATE and a DELETE queued behind them).
    const rekey: Statement = { kind: 'update', table: 'items', set: { id: 11 }, where: eq(col('id'), 1), options: {} };
    const first: readonly Statement[] = [
      { kind: 'select', table: 'items', options: { where: eq(col('id'), 1), locking: { strength: 'NoKeyUpdate' } } },
      update(1, 5),
    ];
    for (const holder of first) {
      const w = world(items, 3);
      w.run(0, begin, rekey);
      expect(w.run(1, begin, holder)).toBe('waiting');
      expect(w.run(2, { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} })).toBe('waiting');
      w.run(0, commit);
      expect(w.scheduler.statusOf(1)).toBe('idle');
      expect(w.result(1)).toEqual([]);
      expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
      w.run(1, rollback);
      expect(w.result(2)).toEqual([]);
    }
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

  it('under REPEATABLE READ, an FK check against a partitioned parent sees a row committed after the snapshot', () => {
    // ri_triggers.c: detectNewRows when the referenced table is partitioned, so the check reads
    // through the latest snapshot; a plain parent is read through the transaction's.
    for (const [partitioned, expected] of [
      [true, 'ok'],
      [false, '23503'],
    ] as const) {
      const w = world((db) => parentsAndChildren(db, partitioned, 'no action'), 2);
      w.run(0, { kind: 'begin', isolation: 'repeatable read' }, { kind: 'select', table: 'children', options: {} });
      w.run(1, { kind: 'insert', table: 'parents', rows: [{ id: 5, p: 1 }], options: {} });
      w.run(0, { kind: 'insert', table: 'children', rows: [{ id: 10, pid: 5, pp: 1 }], options: {} });
      expect(typeof w.result(0) === 'string' ? w.result(0) : 'ok').toBe(expected);
      w.run(0, rollback);
    }
  });

  it('under REPEATABLE READ, an FK check meeting a parent deleted after the snapshot fails with 40001', () => {
    const w = world((db) => parentsAndChildren(db, false, 'no action'), 2);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' }, { kind: 'select', table: 'children', options: {} });
    w.run(1, { kind: 'delete', table: 'parents', where: eq(col('id'), 2), options: {} });
    w.run(0, { kind: 'insert', table: 'children', rows: [{ id: 10, pid: 2, pp: 1 }], options: {} });
    expect(w.result(0)).toBe('40001');
    w.run(0, rollback);
  });

  it('under REPEATABLE READ, a NO ACTION or RESTRICT check sees a referencing row committed after the snapshot', () => {
    // ri_restrict always detects new rows: the latest snapshot, not the transaction's.
    for (const [action, expected] of [
      ['no action', '23503'],
      ['restrict', '23001'],
    ] as const) {
      const w = world((db) => parentsAndChildren(db, false, action), 2);
      w.run(0, { kind: 'begin', isolation: 'repeatable read' }, { kind: 'select', table: 'children', options: {} });
      w.run(1, { kind: 'insert', table: 'children', rows: [{ id: 10, pid: 1, pp: 1 }], options: {} });
      w.run(0, { kind: 'delete', table: 'parents', where: eq(col('id'), 1), options: {} });
      expect(w.result(0)).toBe(expected);
      w.run(0, rollback);
    }
  });

  it('under REPEATABLE READ, CASCADE and SET NULL act on the latest rows, failing on one the snapshot lacks', () => {
    // The action's query reads through the latest snapshot; its DELETE or UPDATE crosschecks each row
    // against the transaction's snapshot: 40001 for a row committed since, nothing for one deleted since.
    for (const action of ['cascade', 'set null'] as const) {
      const w = world((db) => {
        parentsAndChildren(db, false, action);
        db.insert('children', [{ id: 11, pid: 2, pp: 1 }]);
      }, 2);
      const rr: Statement = { kind: 'begin', isolation: 'repeatable read' };
      w.run(0, rr, { kind: 'select', table: 'children', options: {} });
      w.run(1, { kind: 'insert', table: 'children', rows: [{ id: 10, pid: 1, pp: 1 }], options: {} });
      w.run(0, { kind: 'delete', table: 'parents', where: eq(col('id'), 1), options: {} });
      expect(w.result(0)).toBe('40001');
      w.run(0, rollback, rr, { kind: 'select', table: 'children', options: {} });
      w.run(1, { kind: 'delete', table: 'children', where: eq(col('id'), 11), options: {} });
      w.run(0, { kind: 'delete', table: 'parents', where: eq(col('id'), 2), options: {} });
      expect(typeof w.result(0)).not.toBe('string');
      w.run(0, commit);
      expect(w.db.rows('children')).toEqual([{ id: 10, pid: 1, pp: 1 }]);
    }
  });

  it('an FK check takes RowShare on the referenced table when it runs: at the statement end, or at COMMIT', () => {
    // Checked on the server: the INSERT (or the COMMIT of a deferred key) waits for RowShareLock on
    // the parent while another transaction holds it in ACCESS EXCLUSIVE mode, its row already written.
    const lockItems: Statement = { kind: 'lockTable', tables: ['items'], mode: 'AccessExclusive', nowait: false };
    const insertRef: Statement = { kind: 'insert', table: 'refs', rows: [{ id: 1, item_id: 1 }], options: {} };
    for (const deferred of [true, false]) {
      const w = world((db) => referencingItems(db, deferred), 2);
      w.run(0, begin);
      if (deferred) w.run(0, insertRef);
      w.run(1, begin, lockItems);
      expect(w.run(0, deferred ? commit : insertRef)).toBe('waiting');
      expect(w.scheduler.waitOf(0)).toMatchObject({ blockedBy: [1], lock: 'RowShareLock on relation items' });
      w.run(1, commit);
      expect(w.scheduler.statusOf(0)).toBe('idle');
      if (!deferred) w.run(0, commit);
      expect(w.db.rows('refs')).toEqual([{ id: 1, item_id: 1 }]);
    }
  });
});

/** Parents (id, p), LIST-partitioned by p when asked, and children referencing them. */
function parentsAndChildren(
  db: Database,
  partitioned: boolean,
  onDelete: 'no action' | 'restrict' | 'cascade' | 'set null',
): void {
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
      {
        kind: 'foreignKey',
        name: 'children_parent',
        columns: ['pid', 'pp'],
        references: { table: 'parents' },
        onDelete,
      },
    ],
  });
}

function deferredRefs(db: Database): void {
  referencingItems(db, true);
}

/** Items, and refs whose item_id references them, the key INITIALLY DEFERRED when asked. */
function referencingItems(db: Database, deferred: boolean): void {
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
        deferrable: deferred,
        initiallyDeferred: deferred,
      },
    ],
  });
}
