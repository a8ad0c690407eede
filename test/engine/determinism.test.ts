import { describe, expect, it } from 'vitest';
import { Database, col, eq, gt } from '../../src/index.js';
import { catchPgError, plainSnapshot } from './helpers.js';

function schema(): Database {
  const db = new Database();
  db.createTable({
    name: 'p',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'c',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
    ],
    primaryKey: ['id'],
    constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'p' }, onDelete: 'cascade' }],
  });
  db.createTable({
    name: 'r',
    columns: [
      { name: 'id', type: 'integer', notNull: true },
      { name: 't', type: 'integer', notNull: true },
    ],
    primaryKey: ['id', 't'],
    partitionBy: { list: 't' },
  });
  db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
  db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
  db.insert(
    'p',
    [1, 2, 3, 4, 5].map((id) => ({ id, v: `v${id}` })),
  );
  db.insert('c', [
    { id: 1, pid: 1 },
    { id: 2, pid: 2 },
    { id: 3, pid: 2 },
    { id: 4, pid: 5 },
  ]);
  db.insert('r', [
    { id: 1, t: 1 },
    { id: 2, t: 2 },
    { id: 3, t: 1 },
    { id: 4, t: 2 },
  ]);
  return db;
}

describe('snapshots and rollback determinism', () => {
  it("snapshot() returns every leaf's rows, frozen, and later writes do not change a taken snapshot", () => {
    const db = schema();
    const snapshot = db.snapshot();
    expect([...snapshot.keys()]).toEqual(['p', 'c', 'r_1', 'r_2']);
    for (const rows of snapshot.values()) for (const row of rows) expect(Object.isFrozen(row)).toBe(true);
    expect(() => {
      (snapshot.get('p')![0] as Record<string, unknown>).v = 'x';
    }).toThrow(TypeError);
    const copy = plainSnapshot(db);
    db.update('p', { v: 'changed' });
    db.delete('c');
    expect(Object.fromEntries([...snapshot].map(([name, rows]) => [name, [...rows]]))).toEqual(copy);
    for (const row of db.select('p')) expect(Object.isFrozen(row)).toBe(true);
  });

  it('ROLLBACK restores exactly the previous snapshot, row order included, after deletes, updates, moves and cascades', () => {
    const db = schema();
    const before = plainSnapshot(db);
    const order = db.select('p').map((row) => row.id);
    db.begin();
    db.delete('p', eq(col('id'), 2));
    db.delete('p', eq(col('id'), 1));
    db.update('p', { v: 'x' }, gt(col('id'), 3));
    db.update('r', { t: 2 }, eq(col('id'), 1));
    db.insert('p', { id: 2, v: 'again' });
    db.rollback();
    expect(plainSnapshot(db)).toEqual(before);
    expect(db.select('p').map((row) => row.id)).toEqual(order);
    expect(db.select('r').map((row) => row.id)).toEqual([1, 3, 2, 4]);
  });

  it('a failed autocommit statement restores the previous snapshot exactly', () => {
    const db = schema();
    db.createTable({
      name: 'keeper',
      columns: [{ name: 'pid', type: 'integer' }],
      constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'p' } }],
    });
    db.insert('keeper', { pid: 5 });
    const before = plainSnapshot(db);
    expect(catchPgError(() => db.delete('p')).code).toBe('23503');
    expect(plainSnapshot(db)).toEqual(before);
    expect(db.select('c').map((row) => row.id)).toEqual([1, 2, 3, 4]);
  });

  it('ROLLBACK TO SAVEPOINT after DDL restores rows and the catalog, and the table order of snapshots', () => {
    const db = schema();
    const before = plainSnapshot(db);
    const tables = [...db.snapshot().keys()];
    const described = db.tableNames().map((name) => db.describe(name));
    db.begin();
    db.savepoint('s');
    db.addColumn('p', { name: 'extra', type: 'integer', default: 7 });
    db.dropTable('c');
    db.renameTable('p', 'p2');
    db.detachPartition('r', 'r_1');
    db.dropTable('r_1');
    db.rollbackToSavepoint('s');
    expect(plainSnapshot(db)).toEqual(before);
    expect([...db.snapshot().keys()]).toEqual(tables);
    expect(db.tableNames().map((name) => db.describe(name))).toEqual(described);
    db.commit();
    // The restored catalog still enforces everything.
    db.delete('p', eq(col('id'), 2));
    expect(db.select('c').map((row) => row.id)).toEqual([1, 4]);
  });

  it('two databases fed the same statements end in identical states (no hidden global state)', () => {
    const run = (): unknown => {
      const db = schema();
      db.begin();
      db.delete('p', eq(col('id'), 2));
      db.rollback();
      db.delete('p', eq(col('id'), 1));
      return plainSnapshot(db);
    };
    expect(run()).toEqual(run());
  });
});
