/**
 * A cross-partition UPDATE that waits in its insert half (the destination's unique check, or a
 * statement of a BEFORE INSERT trigger) has already deleted the row from its source partition, as
 * PostgreSQL's ExecCrossPartitionUpdate has: after the wait it goes on with the insert, and does not
 * meet its own delete (the engine once skipped the row there, losing it). Checked on the server by
 * the programs of test/oracle/sessions/writeWaitPrograms.ts.
 */
import { describe, expect, it } from 'vitest';
import { col, eq } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, rollback, world } from './helpers.js';

function partitioned(db: Database): void {
  db.createTable({
    name: 't',
    columns: [
      { name: 'k', type: 'integer' },
      { name: 'p', type: 'integer' },
      { name: 'v', type: 'integer' },
    ],
    primaryKey: ['k', 'p'],
    partitionBy: { list: 'p' },
  });
  db.createTable({ name: 't_1', partitionOf: { parent: 't', values: [1] } });
  db.createTable({ name: 't_2', partitionOf: { parent: 't', values: [2] } });
  db.insert('t', [{ k: 1, p: 1, v: 0 }]);
}

const move: Statement = { kind: 'update', table: 't', set: { p: 2 }, where: eq(col('k'), 1), options: {} };
const bump: Statement = { kind: 'update', table: 't', set: { v: 5 }, where: eq(col('k'), 1), options: {} };

describe('a row move that waits in its insert half', () => {
  it("moves the row after a wait in the destination's unique check; another writer waits for the mover", () => {
    for (const [end, moved, other] of [
      [rollback, [{ k: 1, p: 2, v: 0 }], '40001'],
      [commit, '23505', [{ k: 1, p: 1, v: 5 }]],
    ] as const) {
      const w = world(partitioned, 3);
      w.run(0, begin, { kind: 'insert', table: 't', rows: [{ k: 1, p: 2, v: 9 }], options: {} });
      expect(w.run(1, move)).toBe('waiting');
      expect(w.run(2, bump)).toBe('waiting');
      expect(w.scheduler.waitOf(2)).toMatchObject({ blockedBy: [1] });
      w.run(0, end);
      expect(w.result(1)).toEqual(moved);
      expect(w.result(2)).toEqual(other);
    }
  });

  it('moves the row after a wait in a BEFORE INSERT trigger, whose statement runs once', () => {
    const w = world((db) => {
      partitioned(db);
      db.createTable({ name: 'moves', columns: [{ name: 'k', type: 'integer' }], primaryKey: ['k'] });
      db.createTrigger({
        name: 'note_move',
        table: 't',
        timing: 'before',
        events: ['insert'],
        fn: ({ db: session, newRow }) => {
          session.insert('moves', { k: newRow?.['k'] ?? null });
          return newRow;
        },
      });
    }, 2);
    w.run(0, begin, { kind: 'insert', table: 'moves', rows: [{ k: 1 }], options: {} });
    expect(w.run(1, move)).toBe('waiting');
    w.run(0, rollback);
    expect(w.result(1)).toEqual([{ k: 1, p: 2, v: 0 }]);
    expect(w.db.rows('t')).toEqual([{ k: 1, p: 2, v: 0 }]);
    expect(w.db.rows('moves')).toEqual([{ k: 1 }]);
  });
});
