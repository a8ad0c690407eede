import { describe, expect, it } from 'vitest';
import { Database, col, eq } from '../../src/index.js';
import { expectPgError, plainSnapshot } from './helpers.js';

const aborted = {
  code: '25P02',
  message: 'current transaction is aborted, commands ignored until end of transaction block',
};

/** docs/postgres-observed.md §9: sequence sq, table sv(id PRIMARY KEY, v DEFAULT nextval('sq')). */
function sv(): Database {
  const db = new Database();
  db.createSequence('sq');
  db.createTable({
    name: 'sv',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'bigint', default: { nextval: 'sq' } },
    ],
    primaryKey: ['id'],
  });
  return db;
}

describe('transactions (docs/postgres-observed.md §1 aborted transaction, docs/postgres-observed.md §9)', () => {
  it('BEGIN/COMMIT makes statements visible; ROLLBACK restores the state before BEGIN exactly', () => {
    const db = sv();
    db.begin();
    expect(db.transactionStatus).toBe('active');
    db.insert('sv', { id: 1 });
    expect(db.commit()).toBe('COMMIT');
    const committed = plainSnapshot(db);
    db.begin();
    db.insert('sv', { id: 2 });
    db.update('sv', { id: 10 }, eq(col('id'), 1));
    db.delete('sv', eq(col('id'), 2));
    db.rollback();
    expect(db.transactionStatus).toBe('idle');
    expect(plainSnapshot(db)).toEqual(committed);
  });

  it('an error aborts the transaction: every statement then gives 25P02 and COMMIT rolls back', () => {
    const db = sv();
    db.insert('sv', { id: 1 });
    db.begin();
    db.insert('sv', { id: 50 });
    expectPgError(() => db.insert('sv', { id: 1 }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "sv_pkey"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'sv_pkey',
      table: 'sv',
    });
    expect(db.transactionStatus).toBe('aborted');
    expectPgError(() => db.select('sv'), aborted);
    expectPgError(() => db.insert('sv', { id: 51 }), aborted);
    expectPgError(() => db.savepoint('late'), aborted);
    expect(db.commit()).toBe('ROLLBACK');
    expect(db.rows('sv').map((row) => row.id)).toEqual([1]);
  });

  it('ROLLBACK TO SAVEPOINT makes an aborted transaction usable and keeps the work before the savepoint (docs/postgres-observed.md §9)', () => {
    const db = sv();
    db.begin();
    expect(db.insert('sv', { id: 1 })).toEqual([{ id: 1, v: 1 }]);
    db.savepoint('a');
    expectPgError(() => db.insert('sv', { id: 1 }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "sv_pkey"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'sv_pkey',
      table: 'sv',
    });
    expectPgError(() => db.select('sv'), aborted);
    db.rollbackToSavepoint('a');
    expect(db.transactionStatus).toBe('active');
    expect(db.insert('sv', { id: 2 })).toEqual([{ id: 2, v: 3 }]);
    db.savepoint('b');
    expect(db.insert('sv', { id: 3 })).toEqual([{ id: 3, v: 4 }]);
    db.rollbackToSavepoint('b');
    db.releaseSavepoint('b');
    db.releaseSavepoint('a');
    expectPgError(() => db.releaseSavepoint('nosuch'), { code: '3B001', message: 'savepoint "nosuch" does not exist' });
    db.rollback();
    // Sequences are not transactional: 1 and 2 (the failed insert), 3, 4 were taken.
    expect(db.nextval('sq')).toBe(5);
    expect(db.rows('sv')).toEqual([]);
  });

  it('savepoint names nest: ROLLBACK TO goes to the newest, RELEASE can be done twice (docs/postgres-observed.md §9)', () => {
    const db = sv();
    db.begin();
    db.savepoint('a');
    db.insert('sv', { id: 10 });
    db.savepoint('a');
    db.insert('sv', { id: 11 });
    db.rollbackToSavepoint('a');
    expect(db.select('sv').map((row) => row.id)).toEqual([10]);
    db.releaseSavepoint('a');
    db.releaseSavepoint('a');
    expect(db.commit()).toBe('COMMIT');
    expect(db.rows('sv').map((row) => row.id)).toEqual([10]);
  });

  it('ROLLBACK TO a savepoint restores the snapshot taken when it was set', () => {
    const db = sv();
    db.insert('sv', [{ id: 1 }, { id: 2 }]);
    db.begin();
    db.delete('sv', eq(col('id'), 1));
    db.savepoint('s');
    const atSavepoint = plainSnapshot(db);
    db.insert('sv', { id: 1 });
    db.update('sv', { id: 20 }, eq(col('id'), 2));
    db.delete('sv', eq(col('id'), 20));
    db.rollbackToSavepoint('s');
    expect(plainSnapshot(db)).toEqual(atSavepoint);
    db.commit();
    expect(db.rows('sv').map((row) => row.id)).toEqual([2]);
  });

  it('savepoints outside a transaction block give 25P01; nested BEGIN and stray COMMIT/ROLLBACK only warn', () => {
    const db = sv();
    expectPgError(() => db.savepoint('outside'), {
      code: '25P01',
      message: 'SAVEPOINT can only be used in transaction blocks',
    });
    expectPgError(() => db.rollbackToSavepoint('outside'), {
      code: '25P01',
      message: 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks',
    });
    expectPgError(() => db.releaseSavepoint('outside'), {
      code: '25P01',
      message: 'RELEASE SAVEPOINT can only be used in transaction blocks',
    });
    db.commit();
    db.rollback();
    db.begin();
    db.begin();
    db.commit();
    expect(db.notices).toEqual([
      'WARNING: there is no transaction in progress',
      'WARNING: there is no transaction in progress',
      'WARNING: there is already a transaction in progress',
    ]);
  });

  it('transaction control is refused from inside a trigger function (0A000)', () => {
    const db = sv();
    db.createTrigger({
      name: 'rogue',
      table: 'sv',
      timing: 'after',
      events: ['insert'],
      fn: ({ db: inner }) => {
        inner.execute({ kind: 'commit' });
      },
    });
    db.begin();
    expectPgError(() => db.insert('sv', { id: 1 }), {
      code: '0A000',
      message: 'COMMIT cannot be run from a trigger function',
    });
    db.rollback();
  });

  it('transaction() commits on success and rolls back and rethrows on error', () => {
    const db = sv();
    db.transaction((tx) => tx.insert('sv', { id: 1 }));
    expect(() =>
      db.transaction((tx) => {
        tx.insert('sv', { id: 2 });
        tx.insert('sv', { id: 1 });
      }),
    ).toThrow('duplicate key value violates unique constraint "sv_pkey"');
    expect(db.transactionStatus).toBe('idle');
    expect(db.rows('sv').map((row) => row.id)).toEqual([1]);
  });

  it('sequences are not rolled back, in autocommit either: a failed INSERT still consumes its value', () => {
    const db = sv();
    db.insert('sv', { id: 1 });
    expectPgError(() => db.insert('sv', { id: 1 }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "sv_pkey"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'sv_pkey',
      table: 'sv',
    });
    expect(db.insert('sv', { id: 2 })).toEqual([{ id: 2, v: 3 }]);
    db.begin();
    db.nextval('sq');
    db.setval('sq', 100);
    db.rollback();
    expect(db.nextval('sq')).toBe(101);
  });
});

describe('DDL is transactional', () => {
  function base(): Database {
    const db = new Database();
    db.createTable({
      name: 'p',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'integer' },
      ],
      primaryKey: ['id'],
    });
    db.createTable({
      name: 'r',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 't', type: 'integer', notNull: true },
      ],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
    db.createTable({
      name: 'loose',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 't', type: 'integer', notNull: true },
      ],
    });
    db.insert('p', [
      { id: 1, n: 1 },
      { id: 2, n: -2 },
    ]);
    db.insert('loose', { id: 1, t: 2 });
    return db;
  }
  const catalog = (db: Database) => db.tableNames().map((name) => db.describe(name));

  it('ROLLBACK undoes CREATE TABLE, ADD CONSTRAINT, RENAME, ATTACH, ADD COLUMN, CREATE INDEX and the data written meanwhile', () => {
    const db = base();
    const before = catalog(db);
    const rows = plainSnapshot(db);
    db.begin();
    db.createTable({ name: 'fresh', columns: [{ name: 'id', type: 'bigserial' }], primaryKey: ['id'] });
    db.insert('fresh', {});
    db.addConstraint('p', {
      kind: 'check',
      name: 'n_pos',
      expr: { kind: 'compare', op: '>', left: col('n'), right: { kind: 'literal', value: 0 } },
      notValid: true,
    });
    db.renameTable('p', 'p_renamed');
    db.renameConstraint('p_renamed', 'p_pkey', 'p_renamed_pkey');
    db.attachPartition('r', 'loose', [2]);
    db.addColumn('p_renamed', { name: 'extra', type: 'text', default: 'x' });
    db.createIndex({ table: 'p_renamed', columns: ['n'], unique: true });
    db.dropTable('r');
    db.rollback();
    expect(catalog(db)).toEqual(before);
    expect(plainSnapshot(db)).toEqual(rows);
    expect(db.sequenceInfo('fresh_id_seq')).toBe(undefined);
    expectPgError(() => db.insert('p', { id: 1, n: 5 }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "p_pkey"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'p_pkey',
      table: 'p',
    });
  });

  it('a failing DDL statement in a transaction undoes only itself once rolled back to a savepoint', () => {
    const db = base();
    db.begin();
    db.addConstraint('p', { kind: 'unique', columns: ['n'] });
    db.savepoint('s');
    expectPgError(
      () =>
        db.addConstraint('p', {
          kind: 'check',
          name: 'n_pos',
          expr: { kind: 'compare', op: '>', left: col('n'), right: { kind: 'literal', value: 0 } },
        }),
      {
        code: '23514',
        message: 'check constraint "n_pos" of relation "p" is violated by some row',
        constraint: 'n_pos',
        table: 'p',
      },
    );
    db.rollbackToSavepoint('s');
    db.commit();
    expect(db.describe('p').constraints.map((constraint) => constraint.name)).toEqual([
      'p_id_not_null',
      'p_pkey',
      'p_n_key',
    ]);
  });
});
