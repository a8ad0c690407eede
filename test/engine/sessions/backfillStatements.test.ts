/**
 * INSERT … SELECT and UPDATE … FROM under concurrent sessions, beyond the races of
 * model/runners/concurrency/races.ts (which hold the engine and the real server to the same
 * outcomes): the rows flow one at a time, so a sub-batch that waits on its second row has inserted
 * its first; a partition is locked when a row is routed to it, not before.
 */
import { describe, expect, it } from 'vitest';
import { and, col, eq, fromCol, ge } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, world } from './helpers.js';

function schema(db: Database): void {
  db.createTable({
    name: 'src',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'k', type: 'integer' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'copy',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'k', type: 'integer' },
    ],
    primaryKey: ['id', 'k'],
    partitionBy: { list: 'k' },
  });
  db.createTable({ name: 'copy_1', partitionOf: { parent: 'copy', values: [1] } });
  db.createTable({ name: 'copy_2', partitionOf: { parent: 'copy', values: [2] } });
  db.insert('src', [
    { id: 1, k: 1 },
    { id: 2, k: 1 },
  ]);
}

const copyAll = (where = ge(col('id'), 1)): Statement => ({
  kind: 'insertSelect',
  table: 'copy',
  columns: ['id', 'k'],
  query: { table: 'src', select: [col('id'), col('k')], where, locking: { strength: 'Update' } },
  options: { onConflict: { target: ['id', 'k'], action: 'nothing' } },
});

describe('INSERT … SELECT and UPDATE … FROM with several sessions', () => {
  it('a locking sub-batch waiting on its second row has already inserted its first, uncommitted', () => {
    const w = world(schema, 3);
    expect(w.run(0, begin, { kind: 'update', table: 'src', set: { k: 2 }, where: eq(col('id'), 2), options: {} })).toBe(
      'idle',
    );
    expect(w.run(1, copyAll())).toBe('waiting');
    // Row 1 is in the copy, uncommitted: an insert of the same key waits for the sub-batch.
    expect(w.run(2, { kind: 'insert', table: 'copy', rows: [{ id: 1, k: 1 }], options: {} })).toBe('waiting');
    w.run(0, commit);
    w.scheduler.runUntilQuiescent();
    // EvalPlanQual: row 2 is copied as committed (k = 2, routed to copy_2); the other insert then fails.
    expect(w.result(1)).toEqual([
      { id: 1, k: 1 },
      { id: 2, k: 2 },
    ]);
    expect(w.result(2)).toBe('23505');
    expect(w.db.rows('copy_2')).toEqual([{ id: 2, k: 2 }]);
  });

  it('a partition is locked when a row is routed to it: a sub-batch waits only for the partitions it writes', () => {
    const w = world(schema);
    w.run(0, begin, { kind: 'lockTable', tables: ['copy_2'], mode: 'Share', nowait: false });
    expect(w.run(1, copyAll())).toBe('idle');
    expect(w.result(1)).toEqual([
      { id: 1, k: 1 },
      { id: 2, k: 1 },
    ]);
    w.run(1, { kind: 'insert', table: 'src', rows: [{ id: 3, k: 2 }], options: {} });
    expect(w.run(1, copyAll())).toBe('waiting');
    expect(w.scheduler.waitOf(1)?.lock).toBe('RowExclusiveLock on relation copy_2');
    w.run(0, commit);
    w.scheduler.runUntilQuiescent();
    expect(w.result(1)).toEqual([{ id: 3, k: 2 }]);
  });

  it('UPDATE … FROM reads the FROM table through its snapshot and never waits for its rows', () => {
    const w = world((db) => {
      schema(db);
      db.createTable({
        name: 'dst',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'src_id', type: 'integer' },
          { name: 'k', type: 'integer' },
        ],
        primaryKey: ['id'],
      });
      db.insert('dst', [
        { id: 1, src_id: 1, k: null },
        { id: 2, src_id: 2, k: null },
      ]);
    });
    w.run(0, begin, { kind: 'update', table: 'src', set: { k: 5 }, where: eq(col('id'), 1), options: {} });
    const backfill: Statement = {
      kind: 'update',
      table: 'dst',
      set: { k: fromCol('s', 'k') },
      from: { table: 'src', alias: 's' },
      where: and(eq(col('src_id'), fromCol('s', 'id'))),
      options: {},
    };
    expect(w.run(1, backfill)).toBe('idle');
    w.run(0, commit);
    expect(w.db.rows('dst')).toEqual([
      { id: 1, src_id: 1, k: 1 },
      { id: 2, src_id: 2, k: 1 },
    ]);
  });
});
