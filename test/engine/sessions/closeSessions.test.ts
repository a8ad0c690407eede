/**
 * `Database.closeSessions`: once the sessions a concurrent phase opened are closed, the database runs
 * as a single session again (no snapshots, no kept versions), with the rows the sessions committed;
 * a closed session runs nothing, and a session still inside a transaction is not closed.
 */
import { describe, expect, it } from 'vitest';
import { Database, EngineAssertionError, col, eq } from '../../../src/index.js';

function items(): Database {
  const db = new Database();
  db.createTable({
    name: 'items',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'integer' },
    ],
    primaryKey: ['id'],
  });
  db.insert('items', [
    { id: 1, v: 1 },
    { id: 2, v: 2 },
  ]);
  return db;
}

describe('closing sessions', () => {
  it('leaves the committed rows and a single-session database, which versions again when a session opens', () => {
    const db = items();
    const session = db.openSession();
    session.begin();
    session.update('items', { v: 10 }, eq(col('id'), 1));
    session.delete('items', eq(col('id'), 2));
    // Versioning is on: the database's own statements do not see the open transaction's writes.
    expect(db.select('items', { orderBy: [{ column: 'id', direction: 'asc' }] })).toEqual([
      { id: 1, v: 1 },
      { id: 2, v: 2 },
    ]);
    session.commit();
    expect(db.closeSessions([session])).toBe(true);
    expect(db.select('items')).toEqual([{ id: 1, v: 10 }]);
    db.insert('items', { id: 2, v: 20 });
    db.update('items', { v: 11 }, eq(col('id'), 1));
    expect(db.select('items', { orderBy: [{ column: 'id', direction: 'asc' }] })).toEqual([
      { id: 1, v: 11 },
      { id: 2, v: 20 },
    ]);
    // A closed session runs nothing; a new one turns versioning on again, with snapshots as before.
    expect(() => session.select('items')).toThrow(EngineAssertionError);
    const next = db.openSession();
    next.begin();
    next.update('items', { v: 12 }, eq(col('id'), 1));
    expect(db.select('items', { where: eq(col('id'), 1) })).toEqual([{ id: 1, v: 11 }]);
    next.commit();
    expect(db.select('items', { where: eq(col('id'), 1) })).toEqual([{ id: 1, v: 12 }]);
  });

  it('does not close a session inside a transaction', () => {
    const db = items();
    const session = db.openSession();
    session.begin();
    session.update('items', { v: 10 }, eq(col('id'), 1));
    expect(db.closeSessions([session])).toBe(false);
    // Still versioning, still usable: its write stays invisible to the database until it commits.
    expect(db.select('items', { where: eq(col('id'), 1) })).toEqual([{ id: 1, v: 1 }]);
    session.commit();
    expect(db.select('items', { where: eq(col('id'), 1) })).toEqual([{ id: 1, v: 10 }]);
    expect(db.closeSessions([session])).toBe(true);
  });
});
