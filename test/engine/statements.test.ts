import { describe, expect, it } from 'vitest';
import { Database, and, col, eq, exists, ge, gt, inList, isNull, lt, ne, not, or, outer } from '../../src/index.js';
import { expectPgError, plainSnapshot, sortedRows } from './helpers.js';

function people(): Database {
  const db = new Database();
  db.createTable({
    name: 'person',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'age', type: 'integer' },
    ],
    primaryKey: ['id'],
  });
  db.insert('person', [
    { id: 3, name: 'c', age: 30 },
    { id: 1, name: 'a', age: null },
    { id: 2, name: 'b', age: 20 },
    { id: 4, name: 'd', age: 20 },
  ]);
  return db;
}

describe('statement atomicity', () => {
  it('a multi-row INSERT failing on row 3 undoes rows 1–2 and their BEFORE-trigger side effects', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({ name: 'side', columns: [{ name: 'id', type: 'integer' }] });
    db.insert('t', { id: 3 });
    db.createTrigger({
      name: 'note',
      table: 't',
      timing: 'before',
      events: ['insert'],
      fn: ({ newRow, db: inner }) => {
        inner.insert('side', { id: newRow!.id });
      },
    });
    const before = plainSnapshot(db);
    expectPgError(() => db.insert('t', [{ id: 1 }, { id: 2 }, { id: 3 }]), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "t_pkey"',
      detail: 'Key (id)=(3) already exists.',
      constraint: 't_pkey',
      table: 't',
    });
    expect(plainSnapshot(db)).toEqual(before);
  });

  it('a DELETE failing on its third row undoes the cascades and AFTER-trigger effects of rows 1–2', () => {
    const db = new Database();
    db.createTable({ name: 'par', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'ch',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'pid', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'par' }, onDelete: 'cascade' }],
    });
    db.createTable({
      name: 'keeper',
      columns: [{ name: 'pid', type: 'integer' }],
      constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'par' } }],
    });
    db.createTable({ name: 'audit', columns: [{ name: 'what', type: 'text' }] });
    db.insert('par', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    db.insert('ch', [
      { id: 10, pid: 1 },
      { id: 20, pid: 2 },
      { id: 30, pid: 3 },
    ]);
    db.insert('keeper', { pid: 3 });
    db.createTrigger({
      name: 'ch_audit',
      table: 'ch',
      timing: 'after',
      events: ['delete'],
      fn: ({ oldRow, db: inner }) => {
        inner.insert('audit', { what: `ch ${oldRow!.id}` });
      },
    });
    const before = plainSnapshot(db);
    expectPgError(() => db.delete('par'), {
      code: '23503',
      message: 'update or delete on table "par" violates foreign key constraint "keeper_pid_fkey" on table "keeper"',
      detail: 'Key (id)=(3) is still referenced from table "keeper".',
      constraint: 'keeper_pid_fkey',
      table: 'keeper',
    });
    expect(plainSnapshot(db)).toEqual(before);
    db.delete('keeper');
    db.delete('par');
    expect(db.rows('audit').map((row) => row.what)).toEqual(['ch 10', 'ch 20', 'ch 30']);
  });

  it('an UPDATE failing a CHECK on a later row leaves every row unchanged', () => {
    const db = people();
    db.addConstraint('person', { kind: 'check', name: 'age_small', expr: lt(col('age'), 30), notValid: true });
    const before = plainSnapshot(db);
    expectPgError(() => db.update('person', { name: 'x' }), {
      code: '23514',
      message: 'new row for relation "person" violates check constraint "age_small"',
      detail: 'Failing row contains (3, x, 30).',
      constraint: 'age_small',
      table: 'person',
    });
    expect(plainSnapshot(db)).toEqual(before);
  });

  it('an UPDATE reads its rows at statement start: it never revisits a row it moved or re-keyed', () => {
    const db = new Database();
    db.createTable({
      name: 'n',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'integer' },
      ],
    });
    db.insert('n', [
      { id: 1, v: 1 },
      { id: 2, v: 2 },
    ]);
    expect(db.update('n', { v: 3 }, ge(col('v'), 1))).toHaveLength(2);
    expect(db.rows('n')).toEqual([
      { id: 1, v: 3 },
      { id: 2, v: 3 },
    ]);
  });
});

describe('update, delete and select by predicate', () => {
  it('UPDATE and DELETE return the affected rows; three-valued logic excludes NULL comparisons', () => {
    const db = people();
    expect(db.update('person', { name: 'teen' }, eq(col('age'), 20))).toEqual([
      { id: 2, name: 'teen', age: 20 },
      { id: 4, name: 'teen', age: 20 },
    ]);
    expect(db.update('person', { name: 'x' }, ne(col('age'), 20))).toEqual([{ id: 3, name: 'x', age: 30 }]);
    expect(db.select('person', { where: not(gt(col('age'), 25)) }).map((row) => row.id)).toEqual([2, 4]);
    expect(db.select('person', { where: isNull(col('age')) }).map((row) => row.id)).toEqual([1]);
    expect(db.select('person', { where: or(isNull(col('age')), eq(col('id'), 3)) }).map((row) => row.id)).toEqual([
      3, 1,
    ]);
    expect(db.delete('person', and(eq(col('age'), 20), inList(col('id'), [4, 5])))).toEqual([
      { id: 4, name: 'teen', age: 20 },
    ]);
    expect(sortedRows(db, 'person').map((row) => row.id)).toEqual([1, 2, 3]);
  });

  it('SELECT orders ascending with NULLs last, descending with NULLs first, and applies LIMIT after ordering', () => {
    const db = people();
    expect(
      db
        .select('person', {
          orderBy: [
            { column: 'age', direction: 'asc' },
            { column: 'id', direction: 'asc' },
          ],
        })
        .map((row) => row.id),
    ).toEqual([2, 4, 3, 1]);
    expect(
      db
        .select('person', {
          orderBy: [
            { column: 'age', direction: 'desc' },
            { column: 'id', direction: 'desc' },
          ],
        })
        .map((row) => row.id),
    ).toEqual([1, 3, 4, 2]);
    expect(
      db.select('person', { orderBy: [{ column: 'id', direction: 'asc' }], limit: 2 }).map((row) => row.id),
    ).toEqual([1, 2]);
    expect(db.select('person', { limit: 0 })).toEqual([]);
  });

  it('correlated EXISTS sub-queries filter by the enclosing row', () => {
    const db = people();
    db.createTable({ name: 'pet', columns: [{ name: 'owner_id', type: 'integer' }] });
    db.insert('pet', [{ owner_id: 2 }, { owner_id: 2 }, { owner_id: 3 }]);
    const hasPet = exists({ table: 'pet', where: eq(col('owner_id'), outer('person', 'id')) });
    expect(
      db.select('person', { where: hasPet, orderBy: [{ column: 'id', direction: 'asc' }] }).map((row) => row.id),
    ).toEqual([2, 3]);
    expect(db.delete('person', not(hasPet)).map((row) => row.id)).toEqual([1, 4]);
  });

  it("missing relations and columns: 42P01 and 42703 with PostgreSQL's wording (docs/postgres-observed.md §1)", () => {
    const db = people();
    expectPgError(() => db.insert('nosuch', { id: 1 }), { code: '42P01', message: 'relation "nosuch" does not exist' });
    expectPgError(() => db.select('nosuch'), { code: '42P01', message: 'relation "nosuch" does not exist' });
    expectPgError(() => db.insert('person', { id: 5, nosuchcol: 1 }), {
      code: '42703',
      message: 'column "nosuchcol" of relation "person" does not exist',
    });
    expectPgError(() => db.update('person', { nosuchcol: 1 }), {
      code: '42703',
      message: 'column "nosuchcol" of relation "person" does not exist',
    });
    expectPgError(() => db.select('person', { where: eq(col('nosuchcol'), 1) }), {
      code: '42703',
      message: 'column "nosuchcol" does not exist',
    });
    expectPgError(() => db.update('person', { name: 'x' }, eq(col('nosuchcol'), 1)), {
      code: '42703',
      message: 'column "nosuchcol" does not exist',
    });
  });

  it('values must fit their column types: 22003 out of range, 22P02 invalid input', () => {
    const db = new Database();
    db.createTable({
      name: 'rng',
      columns: [
        { name: 's', type: 'smallint' },
        { name: 'i', type: 'integer' },
        { name: 'b', type: 'bigint' },
      ],
    });
    expectPgError(() => db.insert('rng', { s: 32768, i: 0, b: 0 }), {
      code: '22003',
      message: 'smallint out of range',
    });
    expectPgError(() => db.insert('rng', { s: -32769 }), { code: '22003', message: 'smallint out of range' });
    expectPgError(() => db.insert('rng', { i: 2147483648 }), { code: '22003', message: 'integer out of range' });
    expectPgError(() => db.insert('rng', { i: 1.5 }), {
      code: '22P02',
      message: 'invalid input syntax for type integer: "1.5"',
    });
    expectPgError(() => db.insert('rng', { i: 'abc' }), {
      code: '22P02',
      message: 'invalid input syntax for type integer: "abc"',
    });
  });
});
