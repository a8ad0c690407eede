/**
 * Concurrent sessions on one database (docs/concurrency.md, semantics 1-5): snapshots, row locks,
 * waits that suspend a statement where it stands, EvalPlanQual, unique-key and foreign-key waits,
 * statements of trigger functions resumed through the replay log, and byte-identical replays.
 */
import { describe, expect, it } from 'vitest';
import { arithmetic, col, eq } from '../../../src/index.js';
import type { Database, Row, Statement } from '../../../src/index.js';
import { begin, commit, items, rollback, world } from './helpers.js';

const byId = { orderBy: [{ column: 'id', direction: 'asc' as const }] };
const selectItems: Statement = { kind: 'select', table: 'items', options: byId };
const update = (id: number, v: number | ReturnType<typeof arithmetic>, where = eq(col('id'), id)): Statement => ({
  kind: 'update',
  table: 'items',
  set: { v },
  where,
  options: {},
});
const insertItem = (id: number, v = 0): Statement => ({
  kind: 'insert',
  table: 'items',
  rows: [{ id, v }],
  options: {},
});

describe('snapshots and visibility', () => {
  it('uncommitted rows are invisible, an uncommitted delete still looks live, a commit shows at the next statement', () => {
    const w = world(items);
    w.run(0, begin, insertItem(3), { kind: 'delete', table: 'items', where: eq(col('id'), 1), options: {} });
    w.run(1, selectItems);
    expect(w.result(1)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 0 },
    ]);
    // The writer sees its own changes.
    w.run(0, selectItems);
    expect(w.result(0)).toEqual([
      { id: 2, v: 0 },
      { id: 3, v: 0 },
    ]);
    w.run(0, commit);
    w.run(1, selectItems);
    expect(w.result(1)).toEqual([
      { id: 2, v: 0 },
      { id: 3, v: 0 },
    ]);
  });

  it('REPEATABLE READ keeps its first statement snapshot; READ COMMITTED takes one per statement', () => {
    const w = world(items, 3);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' }, selectItems);
    w.run(1, begin, selectItems);
    w.run(2, update(1, 5));
    w.run(0, selectItems);
    w.run(1, selectItems);
    expect((w.result(0) as Row[])[0]).toEqual({ id: 1, v: 0 });
    expect((w.result(1) as Row[])[0]).toEqual({ id: 1, v: 5 });
  });

  it('old versions are pruned once no snapshot can see them', () => {
    const w = world(items);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' }, selectItems);
    w.run(1, update(1, 5), update(1, 6), { kind: 'delete', table: 'items', where: eq(col('id'), 2), options: {} });
    const relation = w.sessions[0]!.state.relations.get('items')!;
    expect(relation.oldVersions?.size).toBe(3);
    w.run(0, selectItems);
    expect(w.result(0)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 0 },
    ]);
    w.run(0, commit);
    expect(relation.oldVersions).toBeNull();
    expect(relation.ghosts).toBeNull();
    expect(w.db.rows('items')).toEqual([{ id: 1, v: 6 }]);
  });
});

describe('row locks and waits', () => {
  it('an UPDATE waits for the row writer, then re-checks the newest version (EvalPlanQual)', () => {
    const w = world(items);
    w.run(0, begin, update(1, 1));
    // v = 0 held when the statement started; after the wait row 1 no longer matches and is skipped.
    expect(w.run(1, update(1, arithmetic('+', col('v'), 10), eq(col('v'), 0)))).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0], lock: 'ShareLock on transaction' });
    w.run(0, commit);
    expect(w.scheduler.statusOf(1)).toBe('idle');
    expect(w.result(1)).toEqual([{ id: 2, v: 10 }]);
    expect(w.db.rows('items')).toEqual([
      { id: 1, v: 1 },
      { id: 2, v: 10 },
    ]);
  });

  it('a re-checked row that still matches is updated on top of the committed version', () => {
    const w = world(items);
    w.run(0, begin, update(1, 1));
    w.run(1, update(1, arithmetic('+', col('v'), 10)));
    w.run(0, commit);
    expect(w.db.rows('items')[0]).toEqual({ id: 1, v: 11 });
  });

  it('a rolled-back writer lets the waiter proceed on the original row', () => {
    const w = world(items);
    w.run(0, begin, update(1, 1));
    w.run(1, update(1, arithmetic('+', col('v'), 10), eq(col('v'), 0)));
    w.run(0, rollback);
    expect(w.result(1)).toEqual([
      { id: 1, v: 10 },
      { id: 2, v: 10 },
    ]);
  });

  it('REPEATABLE READ fails with 40001 when the row changed after its snapshot', () => {
    const w = world(items);
    w.run(0, { kind: 'begin', isolation: 'repeatable read' }, selectItems);
    w.run(1, update(1, 5));
    w.run(0, update(1, 7));
    expect(w.result(0)).toBe('40001');
    expect(w.sessions[0]!.transactionStatus).toBe('aborted');
  });

  it('SELECT FOR UPDATE: NOWAIT fails, SKIP LOCKED passes over, FOR KEY SHARE does not conflict with NO KEY UPDATE', () => {
    const w = world(items);
    w.run(0, begin, {
      kind: 'select',
      table: 'items',
      options: { where: eq(col('id'), 1), locking: { strength: 'Update' } },
    });
    w.run(1, { kind: 'select', table: 'items', options: { ...byId, locking: { strength: 'Update', wait: 'nowait' } } });
    expect(w.result(1)).toBe('55P03');
    w.run(1, {
      kind: 'select',
      table: 'items',
      options: { ...byId, locking: { strength: 'Share', wait: 'skipLocked' } },
    });
    expect(w.result(1)).toEqual([{ id: 2, v: 0 }]);
    w.run(0, commit, begin, update(1, 3));
    expect(w.run(1, { kind: 'select', table: 'items', options: { locking: { strength: 'KeyShare' } } })).toBe('idle');
    expect(w.run(1, { kind: 'select', table: 'items', options: { locking: { strength: 'Share' } } })).toBe('waiting');
    w.run(0, commit);
    expect(w.result(1)).toEqual([
      { id: 1, v: 3 },
      { id: 2, v: 0 },
    ]);
  });

  it('a deadlock aborts the waiter whose check runs first; lock_timeout fails a long wait with 55P03', () => {
    const w = world(items);
    w.run(0, begin, update(1, 1));
    w.run(1, begin, update(2, 2));
    w.run(0, update(2, 3));
    w.run(1, update(1, 4));
    expect(w.scheduler.waiting()).toEqual([0, 1]);
    expect(w.scheduler.advanceClock()).toBe(true);
    w.scheduler.runUntilQuiescent();
    expect(w.result(0)).toBe('40P01');
    expect(w.result(1)).toEqual([{ id: 1, v: 4 }]);
    w.run(0, rollback);
    w.run(0, { kind: 'set', name: 'lock_timeout', milliseconds: 50 }, update(1, 9));
    expect(w.scheduler.nextTimerAt()).toBe(w.scheduler.clock.now() + 50);
    w.scheduler.advanceClock();
    w.scheduler.runUntilQuiescent();
    expect(w.result(0)).toBe('55P03');
    w.run(1, commit);
    expect(w.db.rows('items')).toEqual([
      { id: 1, v: 4 },
      { id: 2, v: 2 },
    ]);
  });
});

describe('unique keys and foreign keys', () => {
  it('an INSERT meeting an uncommitted key waits: 23505 if it commits, proceeds if it rolls back', () => {
    const w = world(items);
    w.run(0, begin, insertItem(5));
    expect(w.run(1, insertItem(5, 1))).toBe('waiting');
    w.run(0, commit);
    expect(w.result(1)).toBe('23505');
    w.run(0, begin, insertItem(6));
    w.run(1, insertItem(6, 1));
    w.run(0, rollback);
    expect(w.result(1)).toEqual([{ id: 6, v: 1 }]);
  });

  it('ON CONFLICT DO NOTHING waits for an uncommitted key, then does nothing', () => {
    const w = world(items);
    w.run(0, begin, insertItem(5));
    const insert: Statement = {
      kind: 'insert',
      table: 'items',
      rows: [{ id: 5, v: 9 }],
      options: { onConflict: { target: ['id'], action: 'nothing' } },
    };
    expect(w.run(1, insert)).toBe('waiting');
    w.run(0, commit);
    expect(w.result(1)).toEqual([]);
  });

  const parentsAndChildren = (db: Database): void => {
    db.createTable({
      name: 'parents',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'note', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    db.createTable({
      name: 'children',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'parent_id', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [
        { kind: 'foreignKey', name: 'fk_parent', columns: ['parent_id'], references: { table: 'parents' } },
      ],
    });
    db.insert('parents', [{ id: 1 }, { id: 2 }]);
  };
  const child = (id: number, parent: number): Statement => ({
    kind: 'insert',
    table: 'children',
    rows: [{ id, parent_id: parent }],
    options: {},
  });

  it('an FK check takes KEY SHARE on the parent: it waits for a delete, not for a non-key update', () => {
    const w = world(parentsAndChildren);
    w.run(0, begin, { kind: 'update', table: 'parents', set: { note: 'x' }, where: eq(col('id'), 2), options: {} });
    expect(w.run(1, child(1, 2))).toBe('idle');
    expect(w.result(1)).toEqual([{ id: 1, parent_id: 2 }]);
    w.run(0, { kind: 'delete', table: 'parents', where: eq(col('id'), 1), options: {} });
    expect(w.run(1, child(2, 1))).toBe('waiting');
    w.run(0, commit);
    expect(w.result(1)).toBe('23503');
    // A delete of a parent whose child is uncommitted is not blocked (the child is invisible) but
    // the child's check then waits for the delete.
    w.run(1, begin, child(3, 2));
    w.run(0, {
      kind: 'select',
      table: 'parents',
      options: { where: eq(col('id'), 2), locking: { strength: 'Update' } },
    });
    expect(w.scheduler.statusOf(0)).toBe('waiting');
    w.run(1, commit);
    expect(w.result(0)).toEqual([{ id: 2, note: 'x' }]);
  });
});

describe('statements of trigger functions', () => {
  const withTrigger =
    (calls: string[]) =>
    (db: Database): void => {
      items(db);
      db.createTable({
        name: 'copy',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'v', type: 'integer' },
        ],
        primaryKey: ['id'],
      });
      db.createTable({ name: 'audit', columns: [{ name: 'v', type: 'integer' }] });
      db.insert('copy', [
        { id: 1, v: 0 },
        { id: 2, v: 0 },
      ]);
      db.createTrigger({
        name: 'sync',
        table: 'items',
        timing: 'after',
        events: ['update'],
        level: 'row',
        fn: ({ db: session, newRow }) => {
          calls.push(`sync ${newRow?.['v']}`);
          session.insert('audit', { v: newRow?.['v'] ?? null });
          session.update('copy', { v: newRow?.['v'] ?? null }, eq(col('id'), newRow?.['id'] ?? null));
        },
      });
    };

  it('a nested statement that waits suspends the firing statement; on resumption the trigger replays, nothing is done twice', () => {
    const calls: string[] = [];
    const w = world(withTrigger(calls));
    w.run(0, begin, { kind: 'update', table: 'copy', set: { v: 100 }, where: eq(col('id'), 1), options: {} });
    expect(w.run(1, update(1, 7))).toBe('waiting');
    expect(calls).toEqual(['sync 7']);
    w.run(0, commit);
    expect(w.result(1)).toEqual([{ id: 1, v: 7 }]);
    // The trigger ran again to reach its waiting statement; its INSERT was answered from the log.
    expect(calls).toEqual(['sync 7', 'sync 7']);
    expect(w.db.rows('audit')).toEqual([{ v: 7 }]);
    expect(w.db.rows('copy')).toEqual([
      { id: 1, v: 7 },
      { id: 2, v: 0 },
    ]);
  });

  it('an error delivered at a nested wait unwinds the nested statement and the firing one', () => {
    const calls: string[] = [];
    const w = world(withTrigger(calls));
    w.run(0, begin, { kind: 'update', table: 'copy', set: { v: 100 }, where: eq(col('id'), 1), options: {} });
    w.run(1, { kind: 'set', name: 'lock_timeout', milliseconds: 20 }, update(1, 7));
    w.scheduler.advanceClock();
    w.scheduler.runUntilQuiescent();
    expect(w.result(1)).toBe('55P03');
    w.run(0, commit);
    expect(w.db.rows('audit')).toEqual([]);
    expect(w.db.rows('items')[0]).toEqual({ id: 1, v: 0 });
    expect(w.sessions[1]!.state.replays).toEqual([]);
  });
});

describe('table locks', () => {
  it('LOCK TABLE holds its mode to the end of the transaction: a writer queues, NOWAIT fails, a later reader queues behind the writer', () => {
    const w = world(items, 3);
    w.run(0, begin, { kind: 'lockTable', tables: ['items'], mode: 'Share', nowait: false });
    expect(w.run(1, update(1, 5))).toBe('waiting');
    expect(w.scheduler.waitOf(1)).toMatchObject({ blockedBy: [0], lock: 'RowExclusiveLock on relation items' });
    w.run(2, begin, { kind: 'lockTable', tables: ['items'], mode: 'Exclusive', nowait: true });
    expect(w.result(2)).toBe('55P03');
    w.run(2, rollback);
    w.run(0, commit);
    expect(w.result(1)).toEqual([{ id: 1, v: 5 }]);
  });
});

describe('determinism', () => {
  it('a schedule replays byte for byte: the same events and the same rows', () => {
    const schedule = () => {
      const w = world(items, 3);
      w.run(0, begin, update(1, 1));
      w.run(1, begin, update(2, 2));
      w.run(2, update(1, arithmetic('+', col('v'), 100)));
      w.run(0, update(2, 3));
      w.run(1, update(1, 4));
      while (w.scheduler.advanceClock()) w.scheduler.runUntilQuiescent();
      w.run(0, rollback);
      w.run(1, commit);
      return { events: w.scheduler.events.join('\n'), rows: JSON.stringify(w.db.rows('items')) };
    };
    const first = schedule();
    // s1 queues behind s2 on row 1's tuple lock, so the cycle runs through s2, whose check fires first.
    expect(first.events).toContain('fail s2 40P01');
    expect(schedule()).toEqual(first);
  });
});
