import { describe, expect, it } from 'vitest';
import { Database, col, eq, outer, scalarSubquery } from '../../src/index.js';
import type { ReferentialAction } from '../../src/index.js';
import { expectPgError, sortedRows } from './helpers.js';

function parentChild(onDelete: ReferentialAction = 'no action', onUpdate: ReferentialAction = 'no action'): Database {
  const db = new Database();
  db.createTable({
    name: 'p',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'c',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', columns: ['pid'], references: { table: 'p', columns: ['id'] }, onDelete, onUpdate },
    ],
  });
  db.insert('p', [
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
  ]);
  db.insert('c', [
    { id: 10, pid: 1, note: null },
    { id: 11, pid: 1, note: null },
    { id: 12, pid: 2, note: null },
  ]);
  return db;
}

const stillReferenced = (key: string) => ({
  code: '23503',
  message: 'update or delete on table "p" violates foreign key constraint "c_pid_fkey" on table "c"',
  detail: `Key ${key} is still referenced from table "c".`,
  constraint: 'c_pid_fkey',
  table: 'c',
});

describe('foreign keys on plain tables (docs/postgres-observed.md §1)', () => {
  it('FK insert/update with a missing key: 23503 naming the referencing table, default name <table>_<cols>_fkey', () => {
    const db = parentChild();
    const missing = {
      code: '23503',
      message: 'insert or update on table "c" violates foreign key constraint "c_pid_fkey"',
      detail: 'Key (pid)=(99) is not present in table "p".',
      constraint: 'c_pid_fkey',
      table: 'c',
    };
    expectPgError(() => db.insert('c', { id: 13, pid: 99, note: null }), missing);
    expectPgError(() => db.update('c', { pid: 99 }, eq(col('id'), 10)), missing);
    db.update('c', { pid: 98 }, eq(col('id'), 999));
    db.insert('c', { id: 13, pid: null, note: null });
  });

  it('composite FK: detail lists both columns; default name <table>_<a>_<b>_fkey', () => {
    const db = new Database();
    db.createTable({
      name: 'p2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      primaryKey: ['a', 'b'],
    });
    db.createTable({
      name: 'c2',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['a', 'b'], references: { table: 'p2', columns: ['a', 'b'] } }],
    });
    db.insert('p2', { a: 1, b: 1 });
    expectPgError(() => db.insert('c2', { id: 1, a: 1, b: 2 }), {
      code: '23503',
      message: 'insert or update on table "c2" violates foreign key constraint "c2_a_b_fkey"',
      detail: 'Key (a, b)=(1, 2) is not present in table "p2".',
      constraint: 'c2_a_b_fkey',
      table: 'c2',
    });
    db.insert('c2', { id: 2, a: 1, b: 1 });
    expectPgError(() => db.delete('p2'), {
      code: '23503',
      message: 'update or delete on table "p2" violates foreign key constraint "c2_a_b_fkey" on table "c2"',
      detail: 'Key (a, b)=(1, 1) is still referenced from table "c2".',
      constraint: 'c2_a_b_fkey',
      table: 'c2',
    });
  });

  it('ON DELETE / ON UPDATE NO ACTION: 23503 "still referenced", table field is the referencing table', () => {
    const db = parentChild();
    expectPgError(() => db.delete('p', eq(col('id'), 1)), stillReferenced('(id)=(1)'));
    expectPgError(() => db.update('p', { id: 3 }, eq(col('id'), 1)), stillReferenced('(id)=(1)'));
    db.update('p', { name: 'uno' }, eq(col('id'), 1));
    expect(sortedRows(db, 'p')).toEqual([
      { id: 1, name: 'uno' },
      { id: 2, name: 'two' },
    ]);
  });

  it('ON DELETE / ON UPDATE RESTRICT: 23001 "RESTRICT setting", "is referenced from"', () => {
    const db = parentChild('restrict', 'restrict');
    const restrict = {
      code: '23001',
      message:
        'update or delete on table "p" violates RESTRICT setting of foreign key constraint "c_pid_fkey" on table "c"',
      detail: 'Key (id)=(1) is referenced from table "c".',
      constraint: 'c_pid_fkey',
      table: 'c',
    };
    expectPgError(() => db.delete('p', eq(col('id'), 1)), restrict);
    expectPgError(() => db.update('p', { id: 3 }, eq(col('id'), 1)), restrict);
  });

  it('ON DELETE CASCADE deletes the referencing rows; ON UPDATE CASCADE rewrites their keys', () => {
    const db = parentChild('cascade', 'cascade');
    db.update('p', { id: 5 }, eq(col('id'), 1));
    expect(sortedRows(db, 'c').map((row) => row.pid)).toEqual([5, 5, 2]);
    db.delete('p', eq(col('id'), 5));
    expect(sortedRows(db, 'c')).toEqual([{ id: 12, pid: 2, note: null }]);
  });

  it('ON DELETE / ON UPDATE SET NULL nulls the referencing columns', () => {
    const db = parentChild('set null', 'set null');
    db.update('p', { id: 5 }, eq(col('id'), 2));
    db.delete('p', eq(col('id'), 1));
    expect(sortedRows(db, 'c').map((row) => row.pid)).toEqual([null, null, null]);
  });

  it("cascades chain through several levels and run the child tables' own FKs", () => {
    const db = new Database();
    db.createTable({ name: 'a', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'b',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'a_id', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['a_id'], references: { table: 'a' }, onDelete: 'cascade' }],
    });
    db.createTable({
      name: 'c',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'b_id', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['b_id'], references: { table: 'b' } }],
    });
    db.insert('a', [{ id: 1 }, { id: 2 }]);
    db.insert('b', [
      { id: 1, a_id: 1 },
      { id: 2, a_id: 2 },
    ]);
    db.insert('c', { id: 1, b_id: 2 });
    db.delete('a', eq(col('id'), 1));
    expect(db.rows('b')).toEqual([{ id: 2, a_id: 2 }]);
    expectPgError(() => db.delete('a', eq(col('id'), 2)), {
      code: '23503',
      message: 'update or delete on table "b" violates foreign key constraint "c_b_id_fkey" on table "c"',
      detail: 'Key (id)=(2) is still referenced from table "c".',
      constraint: 'c_b_id_fkey',
      table: 'c',
    });
    expect(db.rows('a')).toEqual([{ id: 2 }]);
    expect(db.rows('b')).toEqual([{ id: 2, a_id: 2 }]);
  });

  it('NO ACTION passes when the same statement re-supplies the key (ri_Check_Pk_Match); RESTRICT does not', () => {
    const build = (action: ReferentialAction): Database => {
      const db = new Database();
      db.createTable({
        name: 'pc',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'code', type: 'text' },
        ],
        primaryKey: ['id'],
        constraints: [{ kind: 'unique', columns: ['code'] }],
      });
      db.createTable({
        name: 'map',
        columns: [
          { name: 'old', type: 'text' },
          { name: 'new', type: 'text' },
        ],
      });
      db.createTable({
        name: 'cc',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'code', type: 'text' },
        ],
        primaryKey: ['id'],
        constraints: [
          { kind: 'foreignKey', columns: ['code'], references: { table: 'pc', columns: ['code'] }, onUpdate: action },
        ],
      });
      db.insert('pc', [
        { id: 1, code: 'a' },
        { id: 2, code: 'b' },
      ]);
      db.insert('map', [
        { old: 'a', new: 'z' },
        { old: 'b', new: 'a' },
      ]);
      db.insert('cc', { id: 1, code: 'a' });
      return db;
    };
    // UPDATE pc SET code = (SELECT new FROM map WHERE map.old = pc.code): row 1 gives up 'a', row 2 takes it.
    const remap = { code: scalarSubquery({ table: 'map', column: 'new', where: eq(col('old'), outer('pc', 'code')) }) };
    const noAction = build('no action');
    noAction.update('pc', remap);
    expect(sortedRows(noAction, 'pc')).toEqual([
      { id: 1, code: 'z' },
      { id: 2, code: 'a' },
    ]);
    const restrict = build('restrict');
    expectPgError(() => restrict.update('pc', remap), {
      code: '23001',
      message:
        'update or delete on table "pc" violates RESTRICT setting of foreign key constraint "cc_code_fkey" on table "cc"',
      detail: 'Key (code)=(a) is referenced from table "cc".',
      constraint: 'cc_code_fkey',
      table: 'cc',
    });
    expect(sortedRows(restrict, 'pc')).toEqual([
      { id: 1, code: 'a' },
      { id: 2, code: 'b' },
    ]);
  });

  it('FK definition errors: 42830 without a matching unique key, or with a column-count mismatch; 42703 for a missing column', () => {
    const db = parentChild();
    expectPgError(
      () =>
        db.addConstraint('c', { kind: 'foreignKey', columns: ['note'], references: { table: 'p', columns: ['name'] } }),
      { code: '42830', message: 'there is no unique constraint matching given keys for referenced table "p"' },
    );
    expectPgError(
      () => db.addConstraint('c', { kind: 'foreignKey', columns: ['pid', 'id'], references: { table: 'p' } }),
      { code: '42830', message: 'number of referencing and referenced columns for foreign key disagree' },
    );
    expectPgError(
      () =>
        db.addConstraint('c', {
          kind: 'foreignKey',
          columns: ['pid'],
          references: { table: 'p', columns: ['nosuchcol'] },
        }),
      { code: '42703', message: 'column "nosuchcol" referenced in foreign key constraint does not exist' },
    );
    expectPgError(
      () => db.addConstraint('c', { kind: 'foreignKey', columns: ['pid'], references: { table: 'nosuch' } }),
      { code: '42P01', message: 'relation "nosuch" does not exist' },
    );
  });

  it('a self-referencing FK with ON DELETE CASCADE deletes the whole subtree', () => {
    const db = new Database();
    db.createTable({
      name: 'n',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'parent_id', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['parent_id'], references: { table: 'n' }, onDelete: 'cascade' }],
    });
    db.insert('n', [
      { id: 1, parent_id: null },
      { id: 2, parent_id: 1 },
      { id: 3, parent_id: 2 },
      { id: 4, parent_id: null },
    ]);
    db.delete('n', eq(col('id'), 1));
    expect(db.rows('n')).toEqual([{ id: 4, parent_id: null }]);
  });
});
