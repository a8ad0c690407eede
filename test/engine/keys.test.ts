import { describe, expect, it } from 'vitest';
import { Database, col, eq, gt, isNotNull } from '../../src/index.js';
import { expectPgError, ids } from './helpers.js';

const duplicate = (constraint: string, table: string, key: string) => ({
  code: '23505',
  message: `duplicate key value violates unique constraint "${constraint}"`,
  detail: `Key ${key} already exists.`,
  constraint,
  table,
});

describe('primary keys, UNIQUE constraints and unique indexes (docs/postgres-observed.md §1)', () => {
  it('PRIMARY KEY: a duplicate gives 23505 naming <table>_pkey', () => {
    const db = new Database();
    db.createTable({
      name: 'p',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    db.insert('p', { id: 1, name: 'one' });
    expectPgError(() => db.insert('p', { id: 1, name: 'dup' }), duplicate('p_pkey', 'p', '(id)=(1)'));
    expect(db.describe('p').columns[0]).toEqual({ name: 'id', type: 'integer', notNull: true });
  });

  it('PRIMARY KEY columns are NOT NULL: 23502 with column and no constraint field', () => {
    const db = new Database();
    db.createTable({
      name: 'p',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    expectPgError(() => db.insert('p', { id: null, name: 'a' }), {
      code: '23502',
      message: 'null value in column "id" of relation "p" violates not-null constraint',
      detail: 'Failing row contains (null, a).',
      table: 'p',
      column: 'id',
    });
  });

  it('composite PRIMARY KEY: the detail lists every key column', () => {
    const db = new Database();
    db.createTable({
      name: 'p2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      primaryKey: ['a', 'b'],
    });
    db.insert('p2', [
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]);
    expectPgError(() => db.insert('p2', { a: 1, b: 1 }), duplicate('p2_pkey', 'p2', '(a, b)=(1, 1)'));
  });

  it('UNIQUE constraint: a duplicate within one multi-row INSERT names the constraint and inserts nothing', () => {
    const db = new Database();
    db.createTable({
      name: 'u2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'text' },
      ],
      constraints: [{ kind: 'unique', name: 'u2_ab', columns: ['a', 'b'] }],
    });
    expectPgError(
      () =>
        db.insert('u2', [
          { a: 1, b: 'x' },
          { a: 1, b: 'x' },
        ]),
      duplicate('u2_ab', 'u2', '(a, b)=(1, x)'),
    );
    expect(db.rows('u2')).toEqual([]);
  });

  it('UNIQUE constraint default name is <table>_<cols>_key, and its index has the same name', () => {
    const db = new Database();
    db.createTable({
      name: 'u',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'text' },
      ],
    });
    expect(db.addConstraint('u', { kind: 'unique', columns: ['a', 'b'] }).name).toBe('u_a_b_key');
    expect(db.describe('u').indexes).toEqual([
      { name: 'u_a_b_key', columns: ['a', 'b'], unique: true, where: null, valid: true, parent: null },
    ]);
  });

  it('unique index without a constraint: reported as a "unique constraint" with the index name; default name <table>_<cols>_idx', () => {
    const db = new Database();
    db.createTable({
      name: 'u',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'text' },
      ],
    });
    expect(db.createIndex({ table: 'u', columns: ['b'], unique: true })).toBe('u_b_idx');
    db.insert('u', { a: 1, b: 'q' });
    expectPgError(() => db.insert('u', { a: 2, b: 'q' }), duplicate('u_b_idx', 'u', '(b)=(q)'));
    expect(db.describe('u').constraints).toEqual([]);
  });

  it('partial unique index (WHERE a > 10): only rows matching the predicate conflict', () => {
    const db = new Database();
    db.createTable({
      name: 'u2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'text' },
      ],
    });
    db.createIndex({ name: 'u2_partial', table: 'u2', columns: ['b'], unique: true, where: gt(col('a'), 10) });
    db.insert('u2', [
      { a: 1, b: 'z' },
      { a: 2, b: 'z' },
      { a: 11, b: 'z' },
    ]);
    expectPgError(() => db.insert('u2', { a: 12, b: 'z' }), duplicate('u2_partial', 'u2', '(b)=(z)'));
    // Leaving the predicate frees the key.
    db.update('u2', { a: 5 }, eq(col('a'), 11));
    db.insert('u2', { a: 12, b: 'z' });
    expect(db.describe('u2').indexes[0]!.where).toBe('(a > 10)');
  });

  it('NULLs are distinct in unique indexes, single-column and composite', () => {
    const db = new Database();
    db.createTable({
      name: 'u',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      constraints: [
        { kind: 'unique', columns: ['a'] },
        { kind: 'unique', columns: ['a', 'b'] },
      ],
    });
    db.insert('u', [
      { a: null, b: 1 },
      { a: null, b: 1 },
      { a: 1, b: null },
    ]);
    expectPgError(() => db.insert('u', { a: 1, b: null }), duplicate('u_a_key', 'u', '(a)=(1)'));
    expect(db.rows('u')).toHaveLength(3);
  });

  it('an UPDATE onto an existing key gives 23505 and changes nothing', () => {
    const db = new Database();
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.insert('p', [{ id: 1 }, { id: 2 }]);
    expectPgError(() => db.update('p', { id: 2 }, eq(col('id'), 1)), duplicate('p_pkey', 'p', '(id)=(2)'));
    expect(ids(db, 'p')).toEqual([1, 2]);
  });

  it('CREATE UNIQUE INDEX over duplicates fails with "could not create unique index" and leaves no index', () => {
    const db = new Database();
    db.createTable({ name: 'u', columns: [{ name: 'a', type: 'integer' }] });
    db.insert('u', [{ a: 1 }, { a: 1 }]);
    expectPgError(() => db.createIndex({ name: 'u_a', table: 'u', columns: ['a'], unique: true }), {
      code: '23505',
      message: 'could not create unique index "u_a"',
      detail: 'Key (a)=(1) is duplicated.',
      constraint: 'u_a',
      table: 'u',
    });
    expect(db.describe('u').indexes).toEqual([]);
  });
});

describe('keys on partitioned tables (docs/postgres-observed.md §2)', () => {
  function rSchema(): Database {
    const db = new Database();
    db.createTable({
      name: 'r',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'tok', type: 'text' },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
    db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
    return db;
  }
  const indexNames = (db: Database, table: string) =>
    db
      .describe(table)
      .indexes.map((index) => index.name)
      .sort();

  it('partition indexes and constraints are named <partition>_pkey, <partition>_<cols>_key, <partition>_<cols>_idx (docs/postgres-observed.md §2a, docs/postgres-observed.md §2b)', () => {
    const db = rSchema();
    db.addConstraint('r', { kind: 'unique', name: 'r_tok_t_key', columns: ['tok', 't'] });
    db.createIndex({
      name: 'idx_r_tok',
      table: 'r',
      columns: ['tok', 't'],
      unique: true,
      where: isNotNull(col('tok')),
    });
    expect(indexNames(db, 'r')).toEqual(['idx_r_tok', 'r_pkey', 'r_tok_t_key']);
    expect(indexNames(db, 'r_1')).toEqual(['r_1_pkey', 'r_1_tok_t_idx', 'r_1_tok_t_key']);
    expect(indexNames(db, 'r_2')).toEqual(['r_2_pkey', 'r_2_tok_t_idx', 'r_2_tok_t_key']);
    expect(
      db.describe('r_1').constraints.map((constraint) => [constraint.name, constraint.kind, constraint.inheritedFrom]),
    ).toEqual([
      // PostgreSQL 18's not-null constraints: a new partition's copies keep the parent's names.
      ['r_id_not_null', 'notNull', 'r'],
      ['r_t_not_null', 'notNull', 'r'],
      ['r_1_pkey', 'primaryKey', 'r'],
      ['r_1_tok_t_key', 'unique', 'r'],
    ]);
    db.createTable({ name: 'r_3', partitionOf: { parent: 'r', values: [3] } });
    expect(indexNames(db, 'r_3')).toEqual(['r_3_pkey', 'r_3_tok_t_idx', 'r_3_tok_t_key']);
  });

  it('23505 through the parent names the partition index and table (docs/postgres-observed.md §2c)', () => {
    const db = rSchema();
    db.addConstraint('r', { kind: 'unique', name: 'r_tok_t_key', columns: ['tok', 't'] });
    db.insert('r', [
      { id: 1, t: 1, tok: 'a' },
      { id: 2, t: 2, tok: 'b' },
    ]);
    expectPgError(() => db.insert('r', { id: 1, t: 1, tok: 'zz' }), duplicate('r_1_pkey', 'r_1', '(id, t)=(1, 1)'));
    expectPgError(() => db.insert('r_1', { id: 1, t: 1, tok: 'zz' }), duplicate('r_1_pkey', 'r_1', '(id, t)=(1, 1)'));
    expectPgError(
      () => db.insert('r', { id: 3, t: 1, tok: 'a' }),
      duplicate('r_1_tok_t_key', 'r_1', '(tok, t)=(a, 1)'),
    );
    db.dropConstraint('r', 'r_tok_t_key');
    db.createIndex({
      name: 'idx_r_tok',
      table: 'r',
      columns: ['tok', 't'],
      unique: true,
      where: isNotNull(col('tok')),
    });
    expectPgError(
      () => db.insert('r', { id: 3, t: 1, tok: 'a' }),
      duplicate('r_1_tok_t_idx', 'r_1', '(tok, t)=(a, 1)'),
    );
    db.insert('r', [
      { id: 4, t: 1, tok: null },
      { id: 5, t: 1, tok: null },
    ]);
    expectPgError(
      () => db.update('r', { id: 2, t: 2 }, eq(col('id'), 1)),
      duplicate('r_2_pkey', 'r_2', '(id, t)=(2, 2)'),
    );
  });

  it('a unique key on a partitioned table must include the partition key (0A000)', () => {
    const db = rSchema();
    expectPgError(() => db.addConstraint('r', { kind: 'unique', columns: ['tok'] }), {
      code: '0A000',
      message: 'unique constraint on partitioned table must include all partitioning columns',
      detail: 'UNIQUE constraint on table "r" lacks column "t" which is part of the partition key.',
    });
  });

  it('ATTACH creates missing indexes with PARTITION OF naming, and adopts matching ones under their own names (docs/postgres-observed.md §2d)', () => {
    const db = rSchema();
    db.createIndex({
      name: 'idx_r_tok',
      table: 'r',
      columns: ['tok', 't'],
      unique: true,
      where: isNotNull(col('tok')),
    });
    const columns = [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 't', type: 'smallint', notNull: true },
      { name: 'tok', type: 'text' },
    ] as const;
    db.createTable({ name: 'r_4', columns });
    db.attachPartition('r', 'r_4', [4]);
    expect(indexNames(db, 'r_4')).toEqual(['r_4_pkey', 'r_4_tok_t_idx']);
    db.createTable({
      name: 'r_5',
      columns,
      constraints: [{ kind: 'primaryKey', name: 'my_r5_pk', columns: ['id', 't'] }],
    });
    db.createIndex({
      name: 'my_r5_tok',
      table: 'r_5',
      columns: ['tok', 't'],
      unique: true,
      where: isNotNull(col('tok')),
    });
    db.attachPartition('r', 'r_5', [5]);
    expect(indexNames(db, 'r_5')).toEqual(['my_r5_pk', 'my_r5_tok']);
    expect(db.constraint('r_5', 'my_r5_pk').inheritedFrom).toBe('r');
    expectPgError(
      () =>
        db.insert('r', [
          { id: 1, t: 5, tok: 'x' },
          { id: 1, t: 5, tok: 'y' },
        ]),
      duplicate('my_r5_pk', 'r_5', '(id, t)=(1, 5)'),
    );
    expectPgError(
      () =>
        db.insert('r', [
          { id: 1, t: 4, tok: 'x' },
          { id: 1, t: 4, tok: 'y' },
        ]),
      duplicate('r_4_pkey', 'r_4', '(id, t)=(1, 4)'),
    );
  });

  it('ATTACH does not adopt a UNIQUE constraint for the parent PRIMARY KEY: <partition>_pkey is created next to it (docs/postgres-observed.md §2d, r_6)', () => {
    const db = rSchema();
    db.createTable({
      name: 'r_6',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'tok', type: 'text' },
      ],
      constraints: [{ kind: 'unique', name: 'r_6_pk', columns: ['id', 't'] }],
    });
    db.attachPartition('r', 'r_6', [6]);
    expect(indexNames(db, 'r_6')).toEqual(['r_6_pk', 'r_6_pkey']);
    expect(
      db.describe('r_6').constraints.map((constraint) => [constraint.name, constraint.kind, constraint.inheritedFrom]),
    ).toEqual([
      // The attached table's own not-null constraints are adopted under their names.
      ['r_6_id_not_null', 'notNull', 'r'],
      ['r_6_t_not_null', 'notNull', 'r'],
      ['r_6_pk', 'unique', null],
      ['r_6_pkey', 'primaryKey', 'r'],
    ]);
  });

  it('ATTACH errors: a nullable key column (42804) and rows outside the bound (23514) (docs/postgres-observed.md §2d)', () => {
    const db = rSchema();
    db.createTable({
      name: 'r_7',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'tok', type: 'text' },
      ],
    });
    expectPgError(() => db.attachPartition('r', 'r_7', [7]), {
      code: '42804',
      message: 'column "id" in child table "r_7" must be marked NOT NULL',
    });
    db.createTable({
      name: 'r_8',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'tok', type: 'text' },
      ],
    });
    db.insert('r_8', { id: 1, t: 9, tok: null });
    expectPgError(() => db.attachPartition('r', 'r_8', [8]), {
      code: '23514',
      message: 'partition constraint of relation "r_8" is violated by some row',
      table: 'r_8',
    });
    expect(db.describe('r_8').parent).toBe(null);
    expect(indexNames(db, 'r_8')).toEqual([]);
  });

  it('DETACH keeps adopted constraints as local ones under their names (docs/postgres-observed.md §2 extra)', () => {
    const db = rSchema();
    db.createTable({
      name: 'r_5',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'tok', type: 'text' },
      ],
      constraints: [{ kind: 'primaryKey', name: 'my_r5_pk', columns: ['id', 't'] }],
    });
    db.attachPartition('r', 'r_5', [5]);
    db.detachPartition('r', 'r_5');
    expect(db.constraint('r_5', 'my_r5_pk').inheritedFrom).toBe(null);
    db.dropConstraint('r_5', 'my_r5_pk');
  });
});
