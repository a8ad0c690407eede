import { describe, expect, it } from 'vitest';
import { Database, PgError } from '../../src/index.js';
import { arithmetic, coalesce, col } from '../../src/engine/expression.js';

/** Engine behaviours the PGlite oracle found wrong, pinned with PostgreSQL 18's answers. */
function codeOf(body: () => unknown): string | null {
  try {
    body();
    return null;
  } catch (error) {
    if (error instanceof PgError) return error.code;
    throw error;
  }
}

function partitioned(db: Database): void {
  db.createTable({
    name: 'lp',
    columns: [
      { name: 'k', type: 'integer', notNull: true },
      { name: 'p', type: 'smallint' },
      { name: 'v', type: 'integer' },
    ],
    partitionBy: { list: 'p' },
  });
  db.createTable({ name: 'lp_1', partitionOf: { parent: 'lp', values: [1] } });
  db.createTable({ name: 'lp_d', partitionOf: { parent: 'lp', values: 'default' } });
}

describe('engine behaviours found by the differential oracle', () => {
  it('ATTACH of a table that is already a partition is 42809 (wrong object type)', () => {
    const db = new Database();
    partitioned(db);
    expect(codeOf(() => db.attachPartition('lp', 'lp_d', 'default'))).toBe('42809');
  });

  it('ROLLBACK TO or RELEASE of an unknown savepoint aborts the transaction block', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'a', type: 'integer' }] });
    db.begin();
    expect(codeOf(() => db.rollbackToSavepoint('nosuch'))).toBe('3B001');
    expect(codeOf(() => db.insert('t', { a: 1 }))).toBe('25P02');
    db.rollback();
    db.begin();
    expect(codeOf(() => db.releaseSavepoint('nosuch'))).toBe('3B001');
    expect(db.transactionStatus).toBe('aborted');
    db.rollback();
  });

  it('BEGIN inside an aborted transaction block is refused with 25P02', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'a', type: 'integer', notNull: true }] });
    db.begin();
    expect(codeOf(() => db.insert('t', { a: null }))).toBe('23502');
    expect(codeOf(() => db.begin())).toBe('25P02');
    expect(db.commit()).toBe('ROLLBACK');
  });

  it('a cloned BEFORE trigger that changes a row inserted into the wrong partition fails with 0A000 first', () => {
    const db = new Database();
    partitioned(db);
    db.createTrigger({
      name: 'clamp',
      table: 'lp',
      timing: 'before',
      events: ['insert'],
      fn: ({ newRow }) => (newRow !== null && newRow.v === -1 ? { ...newRow, v: 0 } : newRow),
    });
    // The trigger changes the row: PostgreSQL re-checks the partition at once (before NOT NULL).
    expect(codeOf(() => db.insert('lp_d', { k: null, p: 1, v: -1 }))).toBe('0A000');
    // The trigger hands back the row unchanged: the ordinary partition-constraint error.
    expect(codeOf(() => db.insert('lp_d', { k: 1, p: 1, v: 7 }))).toBe('23514');
  });

  it('COALESCE evaluates its arguments only up to the first non-null one', () => {
    // PostgreSQL 18 (checked on PGlite): UPDATE t SET b = coalesce(a, 10 / b) over (1, 0) and
    // (NULL, 2) gives (1, 1) and (NULL, 5): the division by zero of the first row is never evaluated.
    const db = new Database();
    db.createTable({
      name: 't',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
    });
    db.insert('t', [
      { a: 1, b: 0 },
      { a: null, b: 2 },
    ]);
    db.update('t', { b: coalesce(col('a'), arithmetic('/', 10, col('b'))) });
    expect(db.rows('t')).toEqual([
      { a: 1, b: 1 },
      { a: null, b: 5 },
    ]);
    // Where the first argument is NULL the next one is evaluated, and its error is raised.
    expect(
      codeOf(() => db.update('t', { b: coalesce(col('a'), arithmetic('/', 10, arithmetic('-', col('b'), col('b')))) })),
    ).toBe('22012');
  });
});
