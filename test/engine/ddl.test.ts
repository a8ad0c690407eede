import { describe, expect, it } from 'vitest';
import { Database, col, eq, gt } from '../../src/index.js';
import { expectPgError, sortedRows } from './helpers.js';

function pc(): Database {
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
    ],
    primaryKey: ['id'],
    constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'p', columns: ['id'] } }],
  });
  db.insert('p', { id: 1, name: 'a' });
  db.insert('c', { id: 1, pid: 1 });
  return db;
}

describe('CREATE/DROP TABLE (PGlite probe e4, docs/postgres-observed.md §1)', () => {
  it('CREATE TABLE of an existing name gives 42P07; tables, indexes and sequences share one namespace', () => {
    const db = pc();
    expectPgError(() => db.createTable({ name: 'p', columns: [{ name: 'x', type: 'integer' }] }), {
      code: '42P07',
      message: 'relation "p" already exists',
    });
    expectPgError(() => db.createTable({ name: 'p_pkey', columns: [{ name: 'x', type: 'integer' }] }), {
      code: '42P07',
      message: 'relation "p_pkey" already exists',
    });
    expectPgError(() => db.createSequence('c_pkey'), { code: '42P07', message: 'relation "c_pkey" already exists' });
    expectPgError(() => db.createIndex({ name: 'p_pkey', table: 'p', columns: ['name'] }), {
      code: '42P07',
      message: 'relation "p_pkey" already exists',
    });
    expectPgError(
      () =>
        db.createTable({
          name: 'dup',
          columns: [
            { name: 'x', type: 'integer' },
            { name: 'x', type: 'text' },
          ],
        }),
      { code: '42701', message: 'column "x" specified more than once' },
    );
  });

  it('DROP TABLE of a referenced table gives 2BP01; CASCADE drops the referencing FK with a NOTICE', () => {
    const db = pc();
    expectPgError(() => db.dropTable('p'), {
      code: '2BP01',
      message: 'cannot drop table p because other objects depend on it',
      detail: 'constraint c_pid_fkey on table c depends on table p',
    });
    db.dropTable('p', { cascade: true });
    expect(db.notices).toEqual(['NOTICE: drop cascades to constraint c_pid_fkey on table c']);
    expect(db.hasTable('p')).toBe(false);
    expect(db.describe('c').constraints.map((constraint) => constraint.name)).toEqual(['c_id_not_null', 'c_pkey']);
    db.insert('c', { id: 2, pid: 99 });
  });

  it('DROP TABLE of a missing table says "table"; IF EXISTS gives a NOTICE', () => {
    const db = pc();
    expectPgError(() => db.dropTable('nosuch'), { code: '42P01', message: 'table "nosuch" does not exist' });
    db.dropTable('nosuch', { ifExists: true });
    expect(db.notices).toEqual(['NOTICE: table "nosuch" does not exist, skipping']);
  });

  it('DROP TABLE drops its partitions and the sequences it owns; dropping a referencing table needs no CASCADE', () => {
    const db = new Database();
    db.createTable({
      name: 'r',
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 't', type: 'integer', notNull: true },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
    db.createTable({
      name: 'm',
      columns: [
        { name: 'rid', type: 'bigint' },
        { name: 't', type: 'integer' },
      ],
      constraints: [{ kind: 'foreignKey', columns: ['rid', 't'], references: { table: 'r', columns: ['id', 't'] } }],
    });
    expect(db.sequenceInfo('r_id_seq')).toEqual({ name: 'r_id_seq', nextValue: 1, ownedBy: 'r.id' });
    db.dropTable('m');
    db.dropTable('r');
    expect(db.tableNames()).toEqual([]);
    expect(db.sequenceInfo('r_id_seq')).toBe(undefined);
  });
});

describe('ADD/DROP COLUMN, defaults and sequences (PGlite probe e4)', () => {
  it('ADD COLUMN with a literal default fills existing rows; with nextval() each existing row takes the next number', () => {
    const db = new Database();
    db.createTable({ name: 'q', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.insert('q', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    db.addColumn('q', { name: 'flag', type: 'boolean', default: true });
    db.createSequence('s2', { start: 10 });
    db.addColumn('q', { name: 'n', type: 'bigint', default: { nextval: 's2' } });
    db.addColumn('q', { name: 'ser', type: 'bigserial' });
    expect(sortedRows(db, 'q')).toEqual([
      { id: 1, flag: true, n: 10, ser: 1 },
      { id: 2, flag: true, n: 11, ser: 2 },
      { id: 3, flag: true, n: 12, ser: 3 },
    ]);
    expect(db.columnDefault('q', 'n')).toBe("nextval('s2')");
    expect(db.sequenceInfo('q_ser_seq')).toEqual({ name: 'q_ser_seq', nextValue: 4, ownedBy: 'q.ser' });
    expect(db.insert('q', { id: 4 })).toEqual([{ id: 4, flag: true, n: 13, ser: 4 }]);
  });

  it('ADD COLUMN NOT NULL without a default over existing rows fails with 23502', () => {
    const db = new Database();
    db.createTable({ name: 'q', columns: [{ name: 'id', type: 'integer' }] });
    db.insert('q', { id: 1 });
    expectPgError(() => db.addColumn('q', { name: 'x', type: 'integer', notNull: true }), {
      code: '23502',
      message: 'column "x" of relation "q" contains null values',
      table: 'q',
      column: 'x',
    });
    expect(db.describe('q').columns.map((column) => column.name)).toEqual(['id']);
  });

  it('ADD COLUMN of an existing column is 42701; IF NOT EXISTS and DROP COLUMN IF EXISTS give NOTICEs', () => {
    const db = new Database();
    db.createTable({ name: 'q', columns: [{ name: 'id', type: 'integer' }] });
    expectPgError(() => db.addColumn('q', { name: 'id', type: 'integer' }), {
      code: '42701',
      message: 'column "id" of relation "q" already exists',
    });
    db.addColumn('q', { name: 'id', type: 'integer' }, { ifNotExists: true });
    db.dropColumn('q', 'nosuch', { ifExists: true });
    expectPgError(() => db.dropColumn('q', 'nosuch'), {
      code: '42703',
      message: 'column "nosuch" of relation "q" does not exist',
    });
    expect(db.notices).toEqual([
      'NOTICE: column "id" of relation "q" already exists, skipping',
      'NOTICE: column "nosuch" of relation "q" does not exist, skipping',
    ]);
  });

  it('DROP COLUMN removes the indexes (partial ones included) and constraints using it, and the sequence it owns', () => {
    const db = new Database();
    db.createTable({
      name: 'q',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
        { name: 'ser', type: 'bigserial' },
      ],
      primaryKey: ['id'],
    });
    db.createIndex({ name: 'q_ab', table: 'q', columns: ['a', 'b'] });
    db.createIndex({ name: 'q_b', table: 'q', columns: ['b'], unique: true, where: gt(col('a'), 0) });
    db.addConstraint('q', { kind: 'check', name: 'a_pos', expr: gt(col('a'), 0) });
    db.insert('q', { id: 1, a: 1, b: 1 });
    db.dropColumn('q', 'a');
    db.dropColumn('q', 'ser');
    expect(db.describe('q').indexes.map((index) => index.name)).toEqual(['q_pkey']);
    expect(db.describe('q').constraints.map((constraint) => constraint.name)).toEqual(['q_id_not_null', 'q_pkey']);
    expect(db.rows('q')).toEqual([{ id: 1, b: 1 }]);
    expect(db.sequenceInfo('q_ser_seq')).toBe(undefined);
  });

  it("DROP COLUMN referenced by another table's FK gives 2BP01 unless CASCADE", () => {
    const db = pc();
    expectPgError(() => db.dropColumn('p', 'id'), {
      code: '2BP01',
      message: 'cannot drop column id of table p because other objects depend on it',
      detail: 'constraint c_pid_fkey on table c depends on column id of table p',
    });
    db.dropColumn('p', 'id', { cascade: true });
    expect(db.describe('c').constraints.map((constraint) => constraint.name)).toEqual(['c_id_not_null', 'c_pkey']);
  });

  it('SET/DROP DEFAULT and SET/DROP NOT NULL; a primary-key column cannot drop NOT NULL (42P16)', () => {
    const db = new Database();
    db.createTable({
      name: 'q',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'integer' },
      ],
      primaryKey: ['id'],
    });
    db.setColumnDefault('q', 'n', 5);
    expect(db.insert('q', { id: 9 })).toEqual([{ id: 9, n: 5 }]);
    db.setColumnDefault('q', 'n', undefined);
    expect(db.insert('q', { id: 10 })).toEqual([{ id: 10, n: null }]);
    expect(db.columnDefault('q', 'n')).toBe(null);
    expectPgError(() => db.setColumnNotNull('q', 'id', false), {
      code: '42P16',
      message: 'column "id" is in a primary key',
    });
    expectPgError(() => db.setColumnNotNull('q', 'n', true), {
      code: '23502',
      message: 'column "n" of relation "q" contains null values',
      table: 'q',
      column: 'n',
    });
    db.update('q', { n: 0 }, eq(col('id'), 10));
    db.setColumnNotNull('q', 'n', true);
    expectPgError(() => db.insert('q', { id: 11 }), {
      code: '23502',
      message: 'null value in column "n" of relation "q" violates not-null constraint',
      detail: 'Failing row contains (11, null).',
      table: 'q',
      column: 'n',
    });
  });

  it('a sequence used by a column default cannot be dropped (2BP01); ownership can be set and cleared', () => {
    const db = new Database();
    db.createSequence('s2');
    db.createTable({
      name: 'q',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'bigint', default: { nextval: 's2' } },
      ],
    });
    expectPgError(() => db.dropSequence('s2'), {
      code: '2BP01',
      message: 'cannot drop sequence s2 because other objects depend on it',
      detail: 'default value for column n of table q depends on sequence s2',
    });
    db.setSequenceOwner('s2', { table: 'q', column: 'n' });
    expect(db.sequenceInfo('s2')!.ownedBy).toBe('q.n');
    db.renameSequence('s2', 's3');
    expect(db.columnDefault('q', 'n')).toBe("nextval('s3')");
    db.setSequenceOwner('s3', null);
    db.setColumnDefault('q', 'n', undefined);
    db.dropSequence('s3');
    expectPgError(() => db.nextval('s3'), { code: '42P01', message: 'relation "s3" does not exist' });
    expectPgError(() => db.setSequenceOwner('nosuch', null), {
      code: '42P01',
      message: 'relation "nosuch" does not exist',
    });
  });
});

describe('RENAME (PGlite probe e4)', () => {
  it("RENAME TABLE keeps FKs attached to the table's identity and error messages use the new name", () => {
    const db = pc();
    db.renameTable('p', 'parent');
    expect(db.constraint('c', 'c_pid_fkey').referencedTable).toBe('parent');
    expectPgError(() => db.insert('c', { id: 2, pid: 99 }), {
      code: '23503',
      message: 'insert or update on table "c" violates foreign key constraint "c_pid_fkey"',
      detail: 'Key (pid)=(99) is not present in table "parent".',
      constraint: 'c_pid_fkey',
      table: 'c',
    });
    expectPgError(() => db.delete('parent'), {
      code: '23503',
      message: 'update or delete on table "parent" violates foreign key constraint "c_pid_fkey" on table "c"',
      detail: 'Key (id)=(1) is still referenced from table "c".',
      constraint: 'c_pid_fkey',
      table: 'c',
    });
    // Constraint and index names do not change with the table.
    expectPgError(() => db.insert('parent', { id: 1, name: 'b' }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "p_pkey"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'p_pkey',
      table: 'parent',
    });
    expectPgError(() => db.renameTable('c', 'parent'), { code: '42P07', message: 'relation "parent" already exists' });
    expectPgError(() => db.select('p'), { code: '42P01', message: 'relation "p" does not exist' });
  });

  it('RENAME CONSTRAINT of a PRIMARY KEY or UNIQUE renames its index; the wording for a missing one differs', () => {
    const db = pc();
    db.renameConstraint('p', 'p_pkey', 'p_pk');
    expect(db.describe('p').indexes.map((index) => index.name)).toEqual(['p_pk']);
    expectPgError(() => db.insert('p', { id: 1, name: 'b' }), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "p_pk"',
      detail: 'Key (id)=(1) already exists.',
      constraint: 'p_pk',
      table: 'p',
    });
    expectPgError(() => db.renameConstraint('p', 'nosuch', 'x'), {
      code: '42704',
      message: 'constraint "nosuch" for table "p" does not exist',
    });
    db.renameIndex('p_pk', 'p_pkey2');
    expect(db.describe('p').constraints.map((constraint) => constraint.name)).toEqual(['p_id_not_null', 'p_pkey2']);
  });

  it('duplicate names: 42P07 for a key whose index name is taken, 42710 for a CHECK/FK name (docs/postgres-observed.md §1)', () => {
    const db = pc();
    db.addConstraint('p', { kind: 'check', name: 'p_chk', expr: gt(col('id'), 0) });
    expectPgError(() => db.addConstraint('p', { kind: 'unique', name: 'p_pkey', columns: ['name'] }), {
      code: '42P07',
      message: 'relation "p_pkey" already exists',
    });
    expectPgError(() => db.addConstraint('p', { kind: 'unique', name: 'c_pkey', columns: ['name'] }), {
      code: '42P07',
      message: 'relation "c_pkey" already exists',
    });
    expectPgError(() => db.addConstraint('p', { kind: 'check', name: 'p_chk', expr: gt(col('id'), 1) }), {
      code: '42710',
      message: 'constraint "p_chk" for relation "p" already exists',
    });
    expectPgError(
      () =>
        db.addConstraint('c', { kind: 'foreignKey', name: 'c_pid_fkey', columns: ['pid'], references: { table: 'p' } }),
      { code: '42710', message: 'constraint "c_pid_fkey" for relation "c" already exists' },
    );
    expectPgError(() => db.addConstraint('p', { kind: 'unique', name: 'p_chk', columns: ['name'] }), {
      code: '42710',
      message: 'constraint "p_chk" for relation "p" already exists',
    });
    expectPgError(() => db.addConstraint('p', { kind: 'primaryKey', columns: ['name'] }), {
      code: '42P16',
      message: 'multiple primary keys for table "p" are not allowed',
    });
  });

  it('missing constraints: VALIDATE and DROP give 42704; DROP IF EXISTS gives a NOTICE (docs/postgres-observed.md §1)', () => {
    const db = pc();
    expectPgError(() => db.validateConstraint('c', 'nosuch_con'), {
      code: '42704',
      message: 'constraint "nosuch_con" of relation "c" does not exist',
    });
    expectPgError(() => db.dropConstraint('c', 'nosuch_con'), {
      code: '42704',
      message: 'constraint "nosuch_con" of relation "c" does not exist',
    });
    db.dropConstraint('c', 'nosuch_con', { ifExists: true });
    expect(db.notices).toEqual(['NOTICE: constraint "nosuch_con" of relation "c" does not exist, skipping']);
  });

  it('auto-generated CHECK names: <table>_<column>_check, then numbered', () => {
    const db = new Database();
    db.createTable({ name: 'zz4', columns: [{ name: 'a', type: 'integer' }] });
    const names = [1, 2, 3].map((bound) => db.addConstraint('zz4', { kind: 'check', expr: gt(col('a'), -bound) }).name);
    expect(names).toEqual(['zz4_a_check', 'zz4_a_check1', 'zz4_a_check2']);
  });
});
