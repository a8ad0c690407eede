import { describe, expect, it } from 'vitest';
import { Database, col, eq } from '../../src/index.js';
import type { ForeignKeySpec } from '../../src/index.js';
import { expectPgError, sortedRows } from './helpers.js';

/** docs/postgres-observed.md §3 SETUP: partitioned r(id, t, tok) and m(id, runner_id, t, note), LIST (t) with partitions 1 and 2. */
function setup(): Database {
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
  db.createTable({ name: 'm', columns: mColumns, primaryKey: ['id', 't'], partitionBy: { list: 't' } });
  db.createTable({ name: 'm_1', partitionOf: { parent: 'm', values: [1] } });
  db.createTable({ name: 'm_2', partitionOf: { parent: 'm', values: [2] } });
  db.insert('r', [
    { id: 1, t: 1, tok: 'a' },
    { id: 2, t: 2, tok: 'b' },
  ]);
  return db;
}
const mColumns = [
  { name: 'id', type: 'bigint', notNull: true },
  { name: 'runner_id', type: 'bigint' },
  { name: 't', type: 'smallint', notNull: true },
  { name: 'note', type: 'text' },
] as const;
const runnerFk = (name: string, table = 'r', extra: Partial<ForeignKeySpec> = {}): ForeignKeySpec => ({
  kind: 'foreignKey',
  name,
  columns: ['runner_id', 't'],
  references: { table, columns: ['id', 't'] },
  ...extra,
});

const notPresent = (table: string, constraint: string, key: string, referenced = 'r') => ({
  code: '23503',
  message: `insert or update on table "${table}" violates foreign key constraint "${constraint}"`,
  detail: `Key (runner_id, t)=(${key}) is not present in table "${referenced}".`,
  constraint,
  table,
});
const stillReferenced = (referencedTable: string, constraint: string, referencingTable: string, key: string) => ({
  code: '23503',
  message: `update or delete on table "${referencedTable}" violates foreign key constraint "${constraint}" on table "${referencingTable}"`,
  detail: `Key (id, t)=(${key}) is still referenced from table "${referencingTable}".`,
  constraint,
  table: referencingTable,
});
const fkSummary = (db: Database, table: string) =>
  db
    .describe(table)
    .constraints.filter((constraint) => constraint.kind === 'foreignKey')
    .map(
      (constraint) =>
        `${constraint.name}->${constraint.referencedTable}${constraint.inheritedFrom ? ` (from ${constraint.inheritedFrom})` : ''}${constraint.valid ? '' : ' NOT VALID'}`,
    );

describe('FK declared on a partitioned table referencing a partitioned table (docs/postgres-observed.md §3a)', () => {
  it('the FK is cloned into every partition under the same name', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expect(fkSummary(db, 'm')).toEqual(['m_runner_fk->r']);
    expect(fkSummary(db, 'm_1')).toEqual(['m_runner_fk->r (from m)']);
    expect(fkSummary(db, 'm_2')).toEqual(['m_runner_fk->r (from m)']);
  });

  it('insert/update errors name the leaf referencing partition and the root referenced table', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expectPgError(
      () => db.insert('m', { id: 10, runner_id: 99, t: 1, note: null }),
      notPresent('m_1', 'm_runner_fk', '99, 1'),
    );
    expectPgError(
      () => db.insert('m_2', { id: 10, runner_id: 1, t: 2, note: null }),
      notPresent('m_2', 'm_runner_fk', '1, 2'),
    );
    db.insert('m', [
      { id: 10, runner_id: 1, t: 1, note: null },
      { id: 11, runner_id: 2, t: 2, note: null },
    ]);
    expectPgError(
      () => db.update('m', { runner_id: 77 }, eq(col('id'), 10)),
      notPresent('m_1', 'm_runner_fk', '77, 1'),
    );
  });

  it('delete errors name the referenced partition, the <fk>_N referenced-side clone and the root referencing table', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.insert('m', [
      { id: 10, runner_id: 1, t: 1, note: null },
      { id: 11, runner_id: 2, t: 2, note: null },
    ]);
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_1', 'm_runner_fk_1', 'm', '1, 1'));
    expectPgError(() => db.delete('r_2', eq(col('id'), 2)), stillReferenced('r_2', 'm_runner_fk_2', 'm', '2, 2'));
    expectPgError(
      () => db.update('r', { id: 5 }, eq(col('id'), 1)),
      stillReferenced('r_1', 'm_runner_fk_1', 'm', '1, 1'),
    );
    // A cross-partition UPDATE reports the root table and the root constraint.
    expectPgError(() => db.update('r', { t: 2 }, eq(col('id'), 1)), stillReferenced('r', 'm_runner_fk', 'm', '1, 1'));
  });

  it('ON DELETE CASCADE reaches rows in every referencing partition', () => {
    const db = setup();
    db.insert('r', { id: 1, t: 2, tok: 'c' });
    db.addConstraint('m', runnerFk('m_runner_fk', 'r', { onDelete: 'cascade' }));
    db.insert('m', [
      { id: 10, runner_id: 1, t: 1, note: null },
      { id: 11, runner_id: 1, t: 2, note: null },
      { id: 12, runner_id: 2, t: 2, note: null },
    ]);
    db.delete('r', eq(col('id'), 1));
    expect(sortedRows(db, 'm')).toEqual([{ id: 12, runner_id: 2, t: 2, note: null }]);
    expect(sortedRows(db, 'r')).toEqual([{ id: 2, t: 2, tok: 'b' }]);
  });

  it('partitions created or attached later get the clone; ATTACH of violating rows fails with 23503 (docs/postgres-observed.md §3c, docs/postgres-observed.md §3e)', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.createTable({ name: 'm_3', partitionOf: { parent: 'm', values: [3] } });
    expect(fkSummary(db, 'm_3')).toEqual(['m_runner_fk->r (from m)']);
    db.createTable({ name: 'm_4', columns: mColumns });
    db.insert('m_4', { id: 1, runner_id: 555, t: 4, note: null });
    expectPgError(() => db.attachPartition('m', 'm_4', [4]), notPresent('m_4', 'm_runner_fk', '555, 4'));
    expect(db.describe('m_4').parent).toBe(null);
    expect(fkSummary(db, 'm_4')).toEqual([]);
    db.update('m_4', { runner_id: null }, eq(col('id'), 1));
    db.attachPartition('m', 'm_4', [4]);
    expect(fkSummary(db, 'm_4')).toEqual(['m_runner_fk->r (from m)']);
    expectPgError(
      () => db.insert('m', { id: 2, runner_id: 9, t: 4, note: null }),
      notPresent('m_4', 'm_runner_fk', '9, 4'),
    );
  });
});

describe('FKs declared on single partitions (docs/postgres-observed.md §3b)', () => {
  it('partition → partition: errors name the two partitions', () => {
    const db = setup();
    db.addConstraint('m_1', runnerFk('m_1_runner_fk', 'r_1'));
    expectPgError(
      () => db.insert('m', { id: 10, runner_id: 99, t: 1, note: null }),
      notPresent('m_1', 'm_1_runner_fk', '99, 1', 'r_1'),
    );
    db.insert('m', { id: 10, runner_id: 1, t: 1, note: null });
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_1', 'm_1_runner_fk', 'm_1', '1, 1'));
    // The other partition is unconstrained.
    db.insert('m', { id: 20, runner_id: 99, t: 2, note: null });
  });

  it('partition → partitioned table: referenced-side clones <fk>_1, <fk>_2 name the delete errors', () => {
    const db = setup();
    db.addConstraint('m_2', runnerFk('m_2_runner_fk'));
    expectPgError(
      () => db.insert('m', { id: 20, runner_id: 99, t: 2, note: null }),
      notPresent('m_2', 'm_2_runner_fk', '99, 2'),
    );
    db.insert('m', { id: 20, runner_id: 2, t: 2, note: null });
    expectPgError(() => db.delete('r', eq(col('id'), 2)), stillReferenced('r_2', 'm_2_runner_fk_2', 'm_2', '2, 2'));
  });

  it('a plain table referencing a single partition', () => {
    const db = setup();
    db.createTable({
      name: 'plain',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'runner_id', type: 'bigint' },
        { name: 't', type: 'smallint' },
      ],
      primaryKey: ['id'],
      constraints: [
        {
          kind: 'foreignKey',
          columns: ['runner_id', 't'],
          references: { table: 'r_2', columns: ['id', 't'] },
          onDelete: 'cascade',
        },
      ],
    });
    expectPgError(() => db.insert('plain', { id: 1, runner_id: 1, t: 1 }), {
      code: '23503',
      message: 'insert or update on table "plain" violates foreign key constraint "plain_runner_id_t_fkey"',
      detail: 'Key (runner_id, t)=(1, 1) is not present in table "r_2".',
      constraint: 'plain_runner_id_t_fkey',
      table: 'plain',
    });
    db.insert('plain', { id: 2, runner_id: 2, t: 2 });
    db.delete('r', eq(col('id'), 2));
    expect(db.rows('plain')).toEqual([]);
  });
});

describe('adoption of a partition FK by a parent FK (docs/postgres-observed.md §3d)', () => {
  it('an identical partition FK is adopted under its own name and validated by a valid parent FK (d1)', () => {
    const db = setup();
    db.addConstraint('m_1', runnerFk('m_1_own_fk', 'r', { notValid: true }));
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expect(fkSummary(db, 'm_1')).toEqual(['m_1_own_fk->r (from m)']);
    expect(fkSummary(db, 'm_2')).toEqual(['m_runner_fk->r (from m)']);
    db.insert('m', { id: 10, runner_id: 1, t: 1, note: null });
    // The adopted key lost its own referenced-side clones: the parent's clone reports the delete.
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_1', 'm_runner_fk_1', 'm', '1, 1'));
  });

  it('a violating adopted FK makes the whole ADD fail, naming the partition constraint (d2)', () => {
    const db = setup();
    db.insert('m_1', { id: 10, runner_id: 99, t: 1, note: 'orphan' });
    db.addConstraint('m_1', runnerFk('m_1_own_fk', 'r', { notValid: true }));
    expectPgError(() => db.addConstraint('m', runnerFk('m_runner_fk')), notPresent('m_1', 'm_1_own_fk', '99, 1'));
    expect(fkSummary(db, 'm_1')).toEqual(['m_1_own_fk->r NOT VALID']);
    expect(fkSummary(db, 'm')).toEqual([]);
    expect(fkSummary(db, 'm_2')).toEqual([]);
  });

  it('under a NOT VALID parent FK the adopted FK keeps its own validity (d3, d4)', () => {
    const db = setup();
    db.addConstraint('m_1', runnerFk('m_1_own_fk'));
    db.addConstraint('m', runnerFk('m_runner_fk', 'r', { notValid: true }));
    expect(fkSummary(db, 'm_1')).toEqual(['m_1_own_fk->r (from m)']);
    expect(fkSummary(db, 'm_2')).toEqual(['m_runner_fk->r (from m) NOT VALID']);
  });

  it('a same-named partition FK is adopted, and the referenced-side clone names skip taken ones (d5)', () => {
    const db = setup();
    db.addConstraint('m_1', runnerFk('m_runner_fk', 'r', { notValid: true }));
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expect(fkSummary(db, 'm_1')).toEqual(['m_runner_fk->r (from m)']);
    db.insert('m', [
      { id: 10, runner_id: 1, t: 1, note: null },
      { id: 11, runner_id: 2, t: 2, note: null },
    ]);
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_1', 'm_runner_fk_3', 'm', '1, 1'));
    expectPgError(() => db.delete('r', eq(col('id'), 2)), stillReferenced('r_2', 'm_runner_fk_4', 'm', '2, 2'));
  });

  it('a partition FK with other actions or another referenced table is not adopted; both coexist (d6, d7)', () => {
    const db = setup();
    db.addConstraint('m_1', runnerFk('m_1_own_fk', 'r', { onDelete: 'cascade', notValid: true }));
    db.addConstraint('m_2', runnerFk('m_2_own_fk', 'r_2', { notValid: true }));
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expect(fkSummary(db, 'm_1')).toEqual(['m_1_own_fk->r NOT VALID', 'm_runner_fk->r (from m)']);
    expect(fkSummary(db, 'm_2')).toEqual(['m_2_own_fk->r_2 NOT VALID', 'm_runner_fk->r (from m)']);
  });

  it('ATTACH adopts an identical FK of the attached table under its own name (docs/postgres-observed.md §3e)', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.createTable({ name: 'm_5', columns: mColumns, constraints: [runnerFk('m5_fk')] });
    db.attachPartition('m', 'm_5', [5]);
    expect(fkSummary(db, 'm_5')).toEqual(['m5_fk->r (from m)']);
  });
});

describe('DETACH and DROP CONSTRAINT of partitioned FKs (docs/postgres-observed.md §3f, docs/postgres-observed.md §3g)', () => {
  it('DETACH keeps the FK as a standalone one with new <fk>_3/<fk>_4 referenced-side names; re-ATTACH re-adopts it', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.insert('r', { id: 1, t: 2, tok: 'c' });
    db.insert('m', { id: 100, runner_id: 1, t: 2, note: 'n' });
    db.detachPartition('m', 'm_2');
    expect(fkSummary(db, 'm_2')).toEqual(['m_runner_fk->r']);
    expect(db.constraint('m_2', 'm_2_pkey').inheritedFrom).toBe(null);
    expectPgError(
      () => db.insert('m_2', { id: 101, runner_id: 99, t: 2, note: null }),
      notPresent('m_2', 'm_runner_fk', '99, 2'),
    );
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_2', 'm_runner_fk_4', 'm_2', '1, 2'));
    db.attachPartition('m', 'm_2', [2]);
    expect(fkSummary(db, 'm_2')).toEqual(['m_runner_fk->r (from m)']);
    expectPgError(() => db.delete('r', eq(col('id'), 1)), stillReferenced('r_2', 'm_runner_fk_2', 'm', '1, 2'));
  });

  it('DETACH of a referenced partition with referencing rows fails naming the <fk>_N clone and the referencing key (PGlite probe e5)', () => {
    const db = setup();
    db.insert('r', { id: 3, t: 1, tok: 'c' });
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.insert('m', { id: 10, runner_id: 1, t: 1, note: null });
    db.createTable({
      name: 'plain',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'rid', type: 'bigint' },
        { name: 't', type: 'smallint' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['rid', 't'], references: { table: 'r', columns: ['id', 't'] } }],
    });
    db.insert('plain', { id: 1, rid: 3, t: 1 });
    expectPgError(() => db.detachPartition('r', 'r_1'), {
      code: '23503',
      message: 'removing partition "r_1" violates foreign key constraint "m_runner_fk_1"',
      detail: 'Key (runner_id, t)=(1, 1) is still referenced from table "m".',
      constraint: 'm_runner_fk_1',
      table: 'm',
    });
    db.delete('m');
    expectPgError(() => db.detachPartition('r', 'r_1'), {
      code: '23503',
      message: 'removing partition "r_1" violates foreign key constraint "plain_rid_t_fkey_1"',
      detail: 'Key (rid, t)=(3, 1) is still referenced from table "plain".',
      constraint: 'plain_rid_t_fkey_1',
      table: 'plain',
    });
    db.delete('plain');
    db.detachPartition('r', 'r_1');
    // The key now only sees what is left of r.
    expectPgError(
      () => db.insert('m', { id: 11, runner_id: 1, t: 1, note: null }),
      notPresent('m_1', 'm_runner_fk', '1, 1'),
    );
    db.delete('r_1');
  });

  it('DETACH ignores NOT VALID orphans that match no row of the partition (PGlite probe e5)', () => {
    const db = setup();
    db.insert('m', [
      { id: 10, runner_id: 99, t: 1, note: null },
      { id: 11, runner_id: 1, t: 1, note: null },
    ]);
    db.addConstraint('m', runnerFk('m_runner_fk', 'r', { notValid: true }));
    expectPgError(() => db.detachPartition('r', 'r_1'), {
      code: '23503',
      message: 'removing partition "r_1" violates foreign key constraint "m_runner_fk_1"',
      detail: 'Key (runner_id, t)=(1, 1) is still referenced from table "m".',
      constraint: 'm_runner_fk_1',
      table: 'm',
    });
    db.delete('m', eq(col('id'), 11));
    db.detachPartition('r', 'r_1');
  });

  it('DROP TABLE of a partition of a referenced table gives 2BP01 even without rows (PGlite probe e6)', () => {
    const db = setup();
    db.createTable({
      name: 'plain',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'rid', type: 'bigint' },
        { name: 't', type: 'smallint' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['rid', 't'], references: { table: 'r', columns: ['id', 't'] } }],
    });
    expectPgError(() => db.dropTable('r_1'), {
      code: '2BP01',
      message: 'cannot drop table r_1 because other objects depend on it',
      detail: 'constraint plain_rid_t_fkey on table plain depends on table r_1',
    });
    db.detachPartition('r', 'r_1');
    db.dropTable('r_1');
    expect(db.describe('r').partitions).toEqual(['r_2']);
  });

  it('an inherited constraint cannot be dropped on a partition (42P16)', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    expectPgError(() => db.dropConstraint('m_1', 'm_runner_fk'), {
      code: '42P16',
      message: 'cannot drop inherited constraint "m_runner_fk" of relation "m_1"',
    });
    expectPgError(() => db.dropConstraint('m_1', 'm_1_pkey'), {
      code: '42P16',
      message: 'cannot drop inherited constraint "m_1_pkey" of relation "m_1"',
    });
    expectPgError(() => db.dropConstraint('m_1', 'm_note_chk'), {
      code: '42704',
      message: 'constraint "m_note_chk" of relation "m_1" does not exist',
    });
  });

  it('DROP CONSTRAINT on the parent removes the clones but keeps FKs added separately on partitions', () => {
    const db = setup();
    db.addConstraint('m', runnerFk('m_runner_fk'));
    db.addConstraint('m_1', runnerFk('m_1_own_fk2', 'r_1'));
    db.dropConstraint('m', 'm_runner_fk');
    expect(fkSummary(db, 'm')).toEqual([]);
    expect(fkSummary(db, 'm_1')).toEqual(['m_1_own_fk2->r_1']);
    expect(fkSummary(db, 'm_2')).toEqual([]);
    db.insert('m', { id: 1, runner_id: 99, t: 2, note: null });
    expectPgError(
      () => db.insert('m', { id: 1, runner_id: 99, t: 1, note: null }),
      notPresent('m_1', 'm_1_own_fk2', '99, 1', 'r_1'),
    );
  });
});
