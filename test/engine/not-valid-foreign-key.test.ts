import { describe, expect, it } from 'vitest';
import { Database, col, eq } from '../../src/index.js';
import { expectPgError, ids, sortedRows } from './helpers.js';

/** docs/pg-checks/t1_not_valid.sql: parent(id), child(id, parent_id, note) with an orphan (11 → 99) before the FK exists. */
function t1Schema(): Database {
  const db = new Database();
  db.createTable({ name: 'parent', columns: [{ name: 'id', type: 'bigint' }], primaryKey: ['id'] });
  db.createTable({
    name: 'child',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'parent_id', type: 'bigint' },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.insert('parent', [{ id: 1 }, { id: 2 }]);
  db.insert('child', [
    { id: 10, parent_id: 1, note: 'ok' },
    { id: 11, parent_id: 99, note: 'orphan' },
  ]);
  db.addConstraint('child', {
    kind: 'foreignKey',
    name: 'fk_p',
    columns: ['parent_id'],
    references: { table: 'parent', columns: ['id'] },
    onDelete: 'cascade',
    notValid: true,
  });
  return db;
}

const missingKey = (value: number) => ({
  code: '23503',
  message: 'insert or update on table "child" violates foreign key constraint "fk_p"',
  detail: `Key (parent_id)=(${value}) is not present in table "parent".`,
  constraint: 'fk_p',
  table: 'child',
});

describe('NOT VALID foreign key (docs/semantics.md §c.3, docs/pg-checks/t1_not_valid.sql)', () => {
  it('NOT VALID FK: adding it with an orphan present succeeds and leaves convalidated false (docs/pg-checks/t1_not_valid.sql case 1)', () => {
    const db = t1Schema();
    expect(db.constraint('child', 'fk_p')).toMatchObject({
      kind: 'foreignKey',
      valid: false,
      columns: ['parent_id'],
      referencedTable: 'parent',
      referencedColumns: ['id'],
      onDelete: 'cascade',
      onUpdate: 'no action',
    });
  });

  it('NOT VALID FK: an INSERT with a missing key is rejected (docs/pg-checks/t1_not_valid.sql case 2)', () => {
    const db = t1Schema();
    expectPgError(() => db.insert('child', { id: 12, parent_id: 98, note: 'new orphan' }), missingKey(98));
    expect(ids(db, 'child')).toEqual([10, 11]);
  });

  it('NOT VALID FK: an UPDATE of the orphan touching only other columns is allowed (docs/pg-checks/t1_not_valid.sql case 3)', () => {
    const db = t1Schema();
    db.update('child', { note: 'touched' }, eq(col('id'), 11));
    expect(db.select('child', { where: eq(col('id'), 11) })).toEqual([{ id: 11, parent_id: 99, note: 'touched' }]);
  });

  it('NOT VALID FK: a key-preserving UPDATE setting the FK column to its same value is allowed (docs/pg-checks/t1_not_valid.sql case 4)', () => {
    const db = t1Schema();
    db.update('child', { parent_id: 99 }, eq(col('id'), 11));
    expect(db.select('child', { where: eq(col('id'), 11) })[0]!.parent_id).toBe(99);
  });

  it('NOT VALID FK: an UPDATE to another missing key is rejected (docs/pg-checks/t1_not_valid.sql case 5)', () => {
    const db = t1Schema();
    expectPgError(() => db.update('child', { parent_id: 97 }, eq(col('id'), 11)), missingKey(97));
    expect(db.select('child', { where: eq(col('id'), 11) })[0]!.parent_id).toBe(99);
  });

  it('NOT VALID FK: ON DELETE CASCADE still fires (docs/pg-checks/t1_not_valid.sql case 6)', () => {
    const db = t1Schema();
    db.delete('parent', eq(col('id'), 1));
    expect(sortedRows(db, 'child')).toEqual([{ id: 11, parent_id: 99, note: 'orphan' }]);
  });

  it('NOT VALID FK: VALIDATE fails on the first violator leaving convalidated false, and succeeds after cleanup (docs/pg-checks/t1_not_valid.sql case 7)', () => {
    const db = t1Schema();
    expectPgError(() => db.validateConstraint('child', 'fk_p'), missingKey(99));
    expect(db.constraint('child', 'fk_p').valid).toBe(false);
    db.delete('child', eq(col('id'), 11));
    db.validateConstraint('child', 'fk_p');
    expect(db.constraint('child', 'fk_p').valid).toBe(true);
  });

  it('NOT VALID FK: VALIDATE reports the first violator in heap order (docs/postgres-observed.md §1 VALIDATE)', () => {
    const db = new Database();
    db.createTable({ name: 'vp', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'vc',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'pid', type: 'integer' },
        { name: 'n', type: 'integer' },
      ],
      primaryKey: ['id'],
    });
    db.insert('vc', [
      { id: 1, pid: 42, n: -5 },
      { id: 2, pid: 43, n: -6 },
    ]);
    db.addConstraint('vc', {
      kind: 'foreignKey',
      name: 'vc_pid_fk',
      columns: ['pid'],
      references: { table: 'vp', columns: ['id'] },
      notValid: true,
    });
    expectPgError(() => db.validateConstraint('vc', 'vc_pid_fk'), {
      code: '23503',
      message: 'insert or update on table "vc" violates foreign key constraint "vc_pid_fk"',
      detail: 'Key (pid)=(42) is not present in table "vp".',
      constraint: 'vc_pid_fk',
      table: 'vc',
    });
  });

  it('MATCH SIMPLE: a composite FK with a NULL in any column is not checked, valid or NOT VALID (docs/pg-checks/t4_check_not_valid.sql)', () => {
    const db = new Database();
    db.createTable({
      name: 'p',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 't', type: 'smallint' },
      ],
      primaryKey: ['id', 't'],
    });
    db.createTable({
      name: 'c',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'pid', type: 'bigint' },
        { name: 't', type: 'smallint' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['pid', 't'], references: { table: 'p', columns: ['id', 't'] } }],
    });
    db.insert('c', { id: 1, pid: 999, t: null });
    db.insert('c', { id: 2, pid: null, t: 5 });
    expect(sortedRows(db, 'c')).toEqual([
      { id: 1, pid: 999, t: null },
      { id: 2, pid: null, t: 5 },
    ]);
    db.insert('c', { id: 3, pid: 7, t: null });
    db.addConstraint('c', {
      kind: 'foreignKey',
      name: 'c_nv',
      columns: ['pid', 't'],
      references: { table: 'p', columns: ['id', 't'] },
      notValid: true,
    });
    db.validateConstraint('c', 'c_nv');
    expectPgError(() => db.insert('c', { id: 4, pid: 7, t: 1 }), {
      code: '23503',
      message: 'insert or update on table "c" violates foreign key constraint "c_pid_t_fkey"',
      detail: 'Key (pid, t)=(7, 1) is not present in table "p".',
      constraint: 'c_pid_t_fkey',
      table: 'c',
    });
  });
});

describe('the RI re-check rule: RI_FKey_fk_upd_check_required and the row version xmin (docs/postgres-observed.md §7)', () => {
  function committedOrphan(): Database {
    const db = new Database();
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'c',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'pid', type: 'integer' },
        { name: 'note', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    db.insert('p', { id: 1 });
    db.insert('c', { id: 2, pid: 98, note: null });
    return db;
  }
  const fk = {
    kind: 'foreignKey',
    name: 'c_fk',
    columns: ['pid'],
    references: { table: 'p', columns: ['id'] },
    notValid: true,
  } as const;
  const orphanError = (value: number, table = 'c') => ({
    code: '23503',
    message: `insert or update on table "${table}" violates foreign key constraint "c_fk"`,
    detail: `Key (pid)=(${value}) is not present in table "p".`,
    constraint: 'c_fk',
    table,
  });

  it('RI re-check: in one transaction, the second key-preserving UPDATE of an old orphan fails (docs/postgres-observed.md §7b)', () => {
    const db = committedOrphan();
    db.addConstraint('c', fk);
    db.begin();
    db.update('c', { note: 'x' }, eq(col('id'), 2));
    expectPgError(() => db.update('c', { note: 'y' }, eq(col('id'), 2)), orphanError(98));
    expect(db.transactionStatus).toBe('aborted');
    expect(db.commit()).toBe('ROLLBACK');
    expect(db.select('c')[0]!.note).toBe(null);
  });

  it('RI re-check: the same holds when the FK was added inside the transaction (docs/postgres-observed.md §7b)', () => {
    const db = committedOrphan();
    db.begin();
    db.addConstraint('c', fk);
    db.update('c', { note: 'x' }, eq(col('id'), 2));
    expectPgError(() => db.update('c', { note: 'y' }, eq(col('id'), 2)), orphanError(98));
    db.rollback();
    expect(db.describe('c').constraints.map((constraint) => constraint.name)).toEqual(['c_id_not_null', 'c_pkey']);
  });

  it('RI re-check: in autocommit, repeated key-preserving UPDATEs of an old orphan all succeed (docs/postgres-observed.md §7b)', () => {
    const db = committedOrphan();
    db.addConstraint('c', fk);
    for (const note of ['x', 'y', 'z']) db.update('c', { note }, eq(col('id'), 2));
    expect(db.select('c')).toEqual([{ id: 2, pid: 98, note: 'z' }]);
  });

  it('RI re-check: an orphan inserted in the same transaction fails its first key-preserving UPDATE (docs/postgres-observed.md §7a)', () => {
    const db = committedOrphan();
    db.begin();
    db.insert('c', { id: 1, pid: 99, note: null });
    db.addConstraint('c', fk);
    expectPgError(() => db.update('c', { note: 'x' }, eq(col('id'), 1)), orphanError(99));
    db.rollback();
  });

  it('RI re-check: a row updated in this transaction before the FK existed is re-checked (docs/postgres-observed.md §7c)', () => {
    const db = committedOrphan();
    db.begin();
    db.update('c', { note: 'pre' }, eq(col('id'), 2));
    db.addConstraint('c', fk);
    expectPgError(() => db.update('c', { note: 'post' }, eq(col('id'), 2)), orphanError(98));
    db.rollback();
  });

  it('RI re-check: a row inserted in a released savepoint counts as this transaction (docs/postgres-observed.md §7d)', () => {
    const db = committedOrphan();
    db.begin();
    db.savepoint('s1');
    db.insert('c', { id: 3, pid: 97, note: null });
    db.releaseSavepoint('s1');
    db.addConstraint('c', fk);
    expectPgError(() => db.update('c', { note: 'x' }, eq(col('id'), 3)), orphanError(97));
    db.rollback();
  });

  it('RI re-check: a NULL key written in this transaction is not checked (MATCH SIMPLE, docs/postgres-observed.md §7e)', () => {
    const db = committedOrphan();
    db.addConstraint('c', fk);
    db.begin();
    db.insert('c', { id: 4, pid: null, note: null });
    db.update('c', { note: 'x' }, eq(col('id'), 4));
    db.update('c', { note: 'y' }, eq(col('id'), 4));
    expect(db.commit()).toBe('COMMIT');
  });

  it('RI re-check: on a partitioned child the error names the leaf partition (docs/postgres-observed.md §7f)', () => {
    const db = new Database();
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'pm',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 'pid', type: 'integer' },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'note', type: 'text' },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'pm_1', partitionOf: { parent: 'pm', values: [1] } });
    db.insert('pm', { id: 1, pid: 99, t: 1, note: null });
    db.addConstraint('pm', { ...fk, name: 'c_fk' });
    db.begin();
    db.update('pm', { note: 'x' }, eq(col('id'), 1));
    expectPgError(() => db.update('pm', { note: 'y' }, eq(col('id'), 1)), orphanError(99, 'pm_1'));
    db.rollback();
  });
});

describe('NOT VALID foreign keys on partitioned tables differ by server version (docs/pg-checks/t1_not_valid.sql case 8, docs/postgres-observed.md §3c)', () => {
  function partitionedSchema(serverVersion: number): Database {
    const db = new Database({ serverVersion });
    db.createTable({
      name: 'prunners',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
      ],
      primaryKey: ['id', 'runner_type'],
      partitionBy: { list: 'runner_type' },
    });
    db.createTable({ name: 'instance_type_prunners', partitionOf: { parent: 'prunners', values: [1] } });
    db.createTable({ name: 'group_type_prunners', partitionOf: { parent: 'prunners', values: [2] } });
    db.createTable({
      name: 'pmachines',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'runner_id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
      ],
      primaryKey: ['id', 'runner_type'],
      partitionBy: { list: 'runner_type' },
    });
    db.createTable({ name: 'instance_type_pmachines', partitionOf: { parent: 'pmachines', values: [1] } });
    db.createTable({ name: 'group_type_pmachines', partitionOf: { parent: 'pmachines', values: [2] } });
    db.insert('pmachines', { id: 1, runner_id: 7, runner_type: 2 });
    return db;
  }
  const parentFk = {
    kind: 'foreignKey',
    name: 'fk_m',
    columns: ['runner_id', 'runner_type'],
    references: { table: 'prunners', columns: ['id', 'runner_type'] },
    onDelete: 'cascade',
    notValid: true,
  } as const;

  it('PostgreSQL 15 rejects a NOT VALID FK on a partitioned table with 0A000 (docs/pg-checks/t1_not_valid.sql case 8)', () => {
    const db = partitionedSchema(15);
    expectPgError(() => db.addConstraint('pmachines', parentFk), {
      code: '0A000',
      message: 'cannot add NOT VALID foreign key on partitioned table "pmachines" referencing relation "prunners"',
      detail: 'This feature is not yet supported on partitioned tables.',
    });
    const keysOf = (table: string): string[] =>
      db
        .describe(table)
        .constraints.filter((constraint) => constraint.kind !== 'notNull')
        .map((constraint) => constraint.name);
    expect(keysOf('pmachines')).toEqual(['pmachines_pkey']);
    expect(keysOf('group_type_pmachines')).toEqual(['group_type_pmachines_pkey']);
  });

  it('PostgreSQL 15 accepts a NOT VALID FK on a single partition (docs/pg-checks/t1_not_valid.sql case 8)', () => {
    const db = partitionedSchema(15);
    db.addConstraint('group_type_pmachines', {
      kind: 'foreignKey',
      name: 'fk_m',
      columns: ['runner_id', 'runner_type'],
      references: { table: 'group_type_prunners', columns: ['id', 'runner_type'] },
      onDelete: 'cascade',
      onUpdate: 'cascade',
      notValid: true,
    });
    expect(db.constraint('group_type_pmachines', 'fk_m').valid).toBe(false);
  });

  it('PostgreSQL 18 accepts it: every clone starts NOT VALID and new rows are still checked (docs/postgres-observed.md §3c)', () => {
    const db = partitionedSchema(18);
    db.addConstraint('pmachines', parentFk);
    for (const table of ['pmachines', 'instance_type_pmachines', 'group_type_pmachines']) {
      expect(db.constraint(table, 'fk_m')).toMatchObject({
        valid: false,
        inheritedFrom: table === 'pmachines' ? null : 'pmachines',
      });
    }
    expectPgError(() => db.insert('pmachines', { id: 2, runner_id: 8, runner_type: 1 }), {
      code: '23503',
      message: 'insert or update on table "instance_type_pmachines" violates foreign key constraint "fk_m"',
      detail: 'Key (runner_id, runner_type)=(8, 1) is not present in table "prunners".',
      constraint: 'fk_m',
      table: 'instance_type_pmachines',
    });
    expectPgError(() => db.validateConstraint('pmachines', 'fk_m'), {
      code: '23503',
      message: 'insert or update on table "group_type_pmachines" violates foreign key constraint "fk_m"',
      detail: 'Key (runner_id, runner_type)=(7, 2) is not present in table "prunners".',
      constraint: 'fk_m',
      table: 'group_type_pmachines',
    });
  });

  it('PostgreSQL 18: VALIDATE on one partition validates only that partition; on the root, all (docs/postgres-observed.md §3c)', () => {
    const db = partitionedSchema(18);
    db.addConstraint('pmachines', parentFk);
    db.validateConstraint('instance_type_pmachines', 'fk_m');
    expect(db.constraint('instance_type_pmachines', 'fk_m').valid).toBe(true);
    expect(db.constraint('group_type_pmachines', 'fk_m').valid).toBe(false);
    expect(db.constraint('pmachines', 'fk_m').valid).toBe(false);
    db.delete('pmachines');
    db.validateConstraint('pmachines', 'fk_m');
    for (const table of ['pmachines', 'instance_type_pmachines', 'group_type_pmachines'])
      expect(db.constraint(table, 'fk_m').valid).toBe(true);
  });

  it('PostgreSQL 18: a partition created later inherits a NOT VALID copy; an attached one is still scanned (docs/postgres-observed.md §3c)', () => {
    const db = partitionedSchema(18);
    db.addConstraint('pmachines', parentFk);
    db.createTable({ name: 'project_type_pmachines', partitionOf: { parent: 'pmachines', values: [3] } });
    expect(db.constraint('project_type_pmachines', 'fk_m').valid).toBe(false);
    db.createTable({
      name: 'm_4',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'runner_id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
      ],
    });
    db.insert('m_4', { id: 1, runner_id: 555, runner_type: 4 });
    expectPgError(() => db.attachPartition('pmachines', 'm_4', [4]), {
      code: '23503',
      message: 'insert or update on table "m_4" violates foreign key constraint "fk_m"',
      detail: 'Key (runner_id, runner_type)=(555, 4) is not present in table "prunners".',
      constraint: 'fk_m',
      table: 'm_4',
    });
    expect(db.describe('m_4').parent).toBe(null);
  });
});
