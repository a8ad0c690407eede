import { describe, expect, it } from 'vitest';
import { Database, col, eq, gt, isNotNull } from '../../src/index.js';
import { expectPgError, ids } from './helpers.js';

/** docs/pg-checks/t4_check_not_valid.sql: a machine row with organization_id NULL exists before the NOT VALID CHECK. */
function t4Schema(): Database {
  const db = new Database();
  db.createTable({
    name: 'group_type_ci_runner_machines',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'organization_id', type: 'bigint' },
      { name: 'contacted_at', type: 'timestamptz' },
    ],
    primaryKey: ['id'],
  });
  db.insert('group_type_ci_runner_machines', { id: 1, organization_id: null, contacted_at: null });
  db.addConstraint('group_type_ci_runner_machines', {
    kind: 'check',
    name: 'check_organization_id_nullness',
    expr: isNotNull(col('organization_id')),
    notValid: true,
  });
  return db;
}

const violation = (row: string) => ({
  code: '23514',
  message:
    'new row for relation "group_type_ci_runner_machines" violates check constraint "check_organization_id_nullness"',
  detail: `Failing row contains (${row}).`,
  constraint: 'check_organization_id_nullness',
  table: 'group_type_ci_runner_machines',
});

describe('NOT VALID CHECK (docs/semantics.md §c.3, docs/pg-checks/t4_check_not_valid.sql)', () => {
  it('NOT VALID CHECK: adding it over a violating row succeeds, convalidated false', () => {
    const db = t4Schema();
    expect(db.constraint('group_type_ci_runner_machines', 'check_organization_id_nullness')).toMatchObject({
      kind: 'check',
      valid: false,
      checkSql: '(organization_id IS NOT NULL)',
    });
  });

  it('NOT VALID CHECK: a violating INSERT is rejected (docs/pg-checks/t4_check_not_valid.sql)', () => {
    const db = t4Schema();
    expectPgError(
      () => db.insert('group_type_ci_runner_machines', { id: 2, organization_id: null, contacted_at: null }),
      violation('2, null, null'),
    );
  });

  it('NOT VALID CHECK: a heartbeat-style UPDATE of other columns of the old violating row is rejected (docs/pg-checks/t4_check_not_valid.sql)', () => {
    const db = t4Schema();
    expectPgError(
      () => db.update('group_type_ci_runner_machines', { contacted_at: 1700000000 }, eq(col('id'), 1)),
      violation('1, null, 1700000000'),
    );
    expect(db.rows('group_type_ci_runner_machines')).toEqual([{ id: 1, organization_id: null, contacted_at: null }]);
  });

  it('NOT VALID CHECK: DELETE of the violating row is allowed, then VALIDATE succeeds (docs/pg-checks/t4_check_not_valid.sql)', () => {
    const db = t4Schema();
    db.delete('group_type_ci_runner_machines', eq(col('id'), 1));
    db.validateConstraint('group_type_ci_runner_machines', 'check_organization_id_nullness');
    expect(db.constraint('group_type_ci_runner_machines', 'check_organization_id_nullness').valid).toBe(true);
  });

  it('NOT VALID CHECK: VALIDATE with a violator fails with 23514 and no detail, leaving it NOT VALID (docs/postgres-observed.md §1)', () => {
    const db = t4Schema();
    expectPgError(() => db.validateConstraint('group_type_ci_runner_machines', 'check_organization_id_nullness'), {
      code: '23514',
      message:
        'check constraint "check_organization_id_nullness" of relation "group_type_ci_runner_machines" is violated by some row',
      constraint: 'check_organization_id_nullness',
      table: 'group_type_ci_runner_machines',
    });
    expect(db.constraint('group_type_ci_runner_machines', 'check_organization_id_nullness').valid).toBe(false);
  });

  it('CHECK semantics: UNKNOWN passes (a NULL operand does not violate n > 0)', () => {
    const db = new Database();
    db.createTable({
      name: 'chk',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'integer' },
      ],
      constraints: [{ kind: 'check', name: 'chk_pos', expr: gt(col('n'), 0) }],
    });
    db.insert('chk', { id: 1, n: null });
    expectPgError(() => db.insert('chk', { id: 2, n: -1 }), {
      code: '23514',
      message: 'new row for relation "chk" violates check constraint "chk_pos"',
      detail: 'Failing row contains (2, -1).',
      constraint: 'chk_pos',
      table: 'chk',
    });
  });
});

describe('ADD CONSTRAINT without NOT VALID scans existing rows (docs/postgres-observed.md §1)', () => {
  function vcSchema(): Database {
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
    return db;
  }

  it('ADD FOREIGN KEY with violators fails with 23503 naming the first violator, and leaves nothing behind', () => {
    const db = vcSchema();
    const before = db.describe('vc');
    expectPgError(
      () =>
        db.addConstraint('vc', {
          kind: 'foreignKey',
          name: 'vc_pid_fk2',
          columns: ['pid'],
          references: { table: 'vp', columns: ['id'] },
        }),
      {
        code: '23503',
        message: 'insert or update on table "vc" violates foreign key constraint "vc_pid_fk2"',
        detail: 'Key (pid)=(42) is not present in table "vp".',
        constraint: 'vc_pid_fk2',
        table: 'vc',
      },
    );
    expect(db.describe('vc')).toEqual(before);
    // Nothing is left behind: the referenced row can be deleted and the name is free again.
    db.insert('vp', { id: 42 });
    db.delete('vp', eq(col('id'), 42));
    db.addConstraint('vc', {
      kind: 'foreignKey',
      name: 'vc_pid_fk2',
      columns: ['pid'],
      references: { table: 'vp', columns: ['id'] },
      notValid: true,
    });
  });

  it('ADD CHECK with violators fails with 23514 and leaves nothing behind', () => {
    const db = vcSchema();
    const before = db.describe('vc');
    expectPgError(() => db.addConstraint('vc', { kind: 'check', name: 'vc_n_chk2', expr: gt(col('n'), 0) }), {
      code: '23514',
      message: 'check constraint "vc_n_chk2" of relation "vc" is violated by some row',
      constraint: 'vc_n_chk2',
      table: 'vc',
    });
    expect(db.describe('vc')).toEqual(before);
    db.insert('vc', { id: 3, pid: null, n: -1 });
  });

  it('ADD composite FOREIGN KEY with violators reports the composite key (docs/postgres-observed.md §1)', () => {
    const db = new Database();
    db.createTable({
      name: 'vp2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      primaryKey: ['a', 'b'],
    });
    db.createTable({
      name: 'vc2',
      columns: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
    });
    db.insert('vc2', { a: 1, b: 2 });
    expectPgError(
      () =>
        db.addConstraint('vc2', {
          kind: 'foreignKey',
          name: 'vc2_fk',
          columns: ['a', 'b'],
          references: { table: 'vp2', columns: ['a', 'b'] },
        }),
      {
        code: '23503',
        message: 'insert or update on table "vc2" violates foreign key constraint "vc2_fk"',
        detail: 'Key (a, b)=(1, 2) is not present in table "vp2".',
        constraint: 'vc2_fk',
        table: 'vc2',
      },
    );
  });

  it('ADD FOREIGN KEY on a partitioned table with a violating partition names that partition and clones nothing', () => {
    const db = new Database();
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.insert('p', { id: 1 });
    db.createTable({
      name: 'm',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 'pid', type: 'integer' },
        { name: 't', type: 'smallint', notNull: true },
      ],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'm_1', partitionOf: { parent: 'm', values: [1] } });
    db.createTable({ name: 'm_2', partitionOf: { parent: 'm', values: [2] } });
    db.insert('m', [
      { id: 1, pid: 1, t: 1 },
      { id: 2, pid: 9, t: 2 },
    ]);
    expectPgError(
      () => db.addConstraint('m', { kind: 'foreignKey', name: 'm_fk', columns: ['pid'], references: { table: 'p' } }),
      {
        code: '23503',
        message: 'insert or update on table "m_2" violates foreign key constraint "m_fk"',
        detail: 'Key (pid)=(9) is not present in table "p".',
        constraint: 'm_fk',
        table: 'm_2',
      },
    );
    for (const table of ['m', 'm_1', 'm_2'])
      expect(db.describe(table).constraints.filter((constraint) => constraint.kind !== 'notNull')).toEqual([]);
    db.delete('p', eq(col('id'), 1));
    expect(ids(db, 'm')).toEqual([1, 2]);
  });

  it('ADD CHECK on a partitioned table with a violating partition names that partition', () => {
    const db = new Database();
    db.createTable({
      name: 'm',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
      ],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'm_1', partitionOf: { parent: 'm', values: [1] } });
    db.createTable({ name: 'm_2', partitionOf: { parent: 'm', values: [2] } });
    db.insert('m', [
      { id: 1, t: 1 },
      { id: -2, t: 2 },
    ]);
    expectPgError(() => db.addConstraint('m', { kind: 'check', name: 'm_id_pos', expr: gt(col('id'), 0) }), {
      code: '23514',
      message: 'check constraint "m_id_pos" of relation "m_2" is violated by some row',
      constraint: 'm_id_pos',
      table: 'm_2',
    });
    for (const table of ['m', 'm_1', 'm_2'])
      expect(db.describe(table).constraints.filter((constraint) => constraint.kind !== 'notNull')).toEqual([]);
  });
});
