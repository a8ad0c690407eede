/**
 * The partition locks of foreign-key queries on partitioned tables, as `pg_locks` shows them on the
 * real PostgreSQL 18 server: an RI query's `WHERE key = constants` is pruned, so a check against a
 * partitioned parent takes RowShare on the parent and on the one partition its key routes to, and a
 * referenced-side query on a referencing table partitioned by a column outside the key locks every
 * partition. The schedule as the server ran it is in test/oracle/sessions/fixtures/engineDiffCases.json.
 */
import { describe, expect, it } from 'vitest';
import { col, eq } from '../../../src/index.js';
import type { Database, Statement } from '../../../src/index.js';
import { begin, commit, rollback, world } from './helpers.js';

/** Parents (id, p) LIST-partitioned by p into parents_1, parents_2 and a default; children referencing them. */
function partitionedParents(db: Database, deferred: boolean): void {
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'p', type: 'integer' },
    ],
    primaryKey: ['id', 'p'],
    partitionBy: { list: 'p' },
  });
  db.createTable({ name: 'parents_1', partitionOf: { parent: 'parents', values: [1] } });
  db.createTable({ name: 'parents_2', partitionOf: { parent: 'parents', values: [2] } });
  db.createTable({ name: 'parents_d', partitionOf: { parent: 'parents', values: 'default' } });
  db.insert('parents', [
    { id: 1, p: 1 },
    { id: 2, p: 2 },
    { id: 3, p: 3 },
  ]);
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
      { name: 'pp', type: 'integer' },
      { name: 'q', type: 'integer' },
    ],
    primaryKey: ['id', 'q'],
    partitionBy: { list: 'q' },
    constraints: [
      {
        kind: 'foreignKey',
        name: 'children_parent',
        columns: ['pid', 'pp'],
        references: { table: 'parents' },
        deferrable: deferred,
        initiallyDeferred: deferred,
      },
    ],
  });
  db.createTable({ name: 'children_1', partitionOf: { parent: 'children', values: [1] } });
  db.createTable({ name: 'children_2', partitionOf: { parent: 'children', values: [2] } });
}

const lockTable = (table: string): Statement => ({
  kind: 'lockTable',
  tables: [table],
  mode: 'Exclusive',
  nowait: false,
});
const insertChild = (id: number, pid: number, pp: number): Statement => ({
  kind: 'insert',
  table: 'children',
  rows: [{ id, pid, pp, q: 1 }],
  options: {},
});

describe('foreign-key queries lock the partitions pruning keeps', () => {
  it('a check waits for the partition its key routes to, and for no other', () => {
    for (const deferred of [false, true]) {
      const w = world((db) => partitionedParents(db, deferred), 2);
      w.run(1, begin, lockTable('parents_1'));
      // Key (2, 2) routes to parents_2 and (3, 3) to the default: neither check meets the lock.
      w.run(0, begin, insertChild(1, 2, 2), insertChild(2, 3, 3));
      expect(w.scheduler.statusOf(0)).toBe('idle');
      // A deferred key's check of the row referencing (1, 1) runs at COMMIT.
      if (deferred) expect(w.run(0, insertChild(3, 1, 1))).toBe('idle');
      expect(w.run(0, deferred ? commit : insertChild(3, 1, 1))).toBe('waiting');
      expect(w.scheduler.waitOf(0)).toMatchObject({ blockedBy: [1], lock: 'RowShareLock on relation parents_1' });
      w.run(1, rollback);
      expect(w.scheduler.statusOf(0)).toBe('idle');
      if (!deferred) w.run(0, commit);
      expect(w.db.rows('children').map((row) => row.id)).toEqual([1, 2, 3]);
    }
  });

  it('a NO ACTION query on a referencing table partitioned outside the key locks every partition', () => {
    const w = world((db) => {
      partitionedParents(db, false);
      db.insert('children', [{ id: 1, pid: 1, pp: 1, q: 2 }]);
    }, 2);
    w.run(1, begin, lockTable('children_2'));
    expect(w.run(0, begin, { kind: 'delete', table: 'parents', where: eq(col('id'), 2), options: {} })).toBe('waiting');
    expect(w.scheduler.waitOf(0)).toMatchObject({ blockedBy: [1], lock: 'RowShareLock on relation children_2' });
    w.run(1, rollback);
    expect(w.scheduler.statusOf(0)).toBe('idle');
    w.run(0, rollback);
  });
});
