import { test, expect } from 'vitest';
import { Database, PgError, eq, col } from '../../src/index.js';
test('smoke', () => {
  const db = new Database();
  db.createTable({
    name: 'ci_runners',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_type', type: 'smallint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'contacted_at', type: 'timestamptz' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'ci_runners_p',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'runner_type', type: 'smallint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'contacted_at', type: 'timestamptz' },
    ],
    primaryKey: ['id', 'runner_type'],
    partitionBy: { list: 'runner_type' },
  });
  for (const [name, v] of [
    ['instance_type_ci_runners_p', 1],
    ['group_type_ci_runners_p', 2],
    ['project_type_ci_runners_p', 3],
  ] as const)
    db.createTable({ name, partitionOf: { parent: 'ci_runners_p', values: [v] } });
  db.addConstraint('group_type_ci_runners_p', {
    kind: 'check',
    name: 'check_sharding_key_id_nullness',
    expr: { kind: 'isNull', operand: col('sharding_key_id'), negated: true },
  });
  db.createTable({
    name: 'm',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'runner_type', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', columns: ['runner_id'], references: { table: 'ci_runners' }, onDelete: 'cascade' },
    ],
  });
  db.createTable({
    name: 'm_p',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'runner_type', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id', 'runner_type'],
    partitionBy: { list: 'runner_type' },
  });
  for (const [name, v] of [
    ['instance_type_m_p', 1],
    ['group_type_m_p', 2],
    ['project_type_m_p', 3],
  ] as const)
    db.createTable({ name, partitionOf: { parent: 'm_p', values: [v] } });
  db.insert('ci_runners', [
    { runner_type: 2, sharding_key_id: 50 },
    { runner_type: 3, sharding_key_id: null },
  ]);
  db.insert('m', { runner_id: 1, runner_type: 2 });
  db.createTrigger({
    name: 'sync_r',
    table: 'ci_runners',
    timing: 'after',
    events: ['insert', 'update', 'delete'],
    fn: ({ operation, oldRow, newRow, db }) => {
      if (operation === 'DELETE') db.delete('ci_runners_p', eq(col('id'), oldRow!.id!));
      else if (operation === 'UPDATE')
        db.update(
          'ci_runners_p',
          {
            runner_type: newRow!.runner_type!,
            sharding_key_id: newRow!.sharding_key_id!,
            contacted_at: newRow!.contacted_at!,
          },
          eq(col('id'), newRow!.id!),
        );
      else db.insert('ci_runners_p', newRow!);
    },
  });
  db.createTrigger({
    name: 'sync_m',
    table: 'm',
    timing: 'after',
    events: ['insert', 'update', 'delete'],
    fn: ({ operation, oldRow, newRow, db }) => {
      if (operation === 'DELETE') db.delete('m_p', eq(col('id'), oldRow!.id!));
      else if (operation === 'UPDATE')
        db.update(
          'm_p',
          { runner_id: newRow!.runner_id!, runner_type: newRow!.runner_type! },
          eq(col('id'), newRow!.id!),
        );
      else db.insert('m_p', newRow!);
    },
  });
  db.update('ci_runners', { contacted_at: 5 }, eq(col('id'), 1));
  expect(db.rows('ci_runners_p')).toHaveLength(0);
  db.addConstraint('group_type_m_p', {
    kind: 'foreignKey',
    name: 'fk_rails_3f92913d27',
    columns: ['runner_id', 'runner_type'],
    references: { table: 'group_type_ci_runners_p', columns: ['id', 'runner_type'] },
    onDelete: 'cascade',
    onUpdate: 'cascade',
  });
  let error: unknown;
  try {
    db.insert('m', { runner_id: 1, runner_type: 2 });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PgError);
  expect((error as PgError).code).toBe('23503');
  expect((error as PgError).message).toBe(
    'insert or update on table "group_type_m_p" violates foreign key constraint "fk_rails_3f92913d27"',
  );
  expect((error as PgError).detail).toBe(
    'Key (runner_id, runner_type)=(1, 2) is not present in table "group_type_ci_runners_p".',
  );
  expect(db.rows('m')).toHaveLength(1);
  db.insert('ci_runners_p', db.select('ci_runners', { where: eq(col('id'), 1) })[0]!, {
    onConflict: { target: ['id', 'runner_type'], action: 'nothing' },
  });
  db.insert('m', { runner_id: 1, runner_type: 2 });
  expect(db.rows('m_p').map((r) => r.id)).toEqual([3]);
  try {
    db.insert('ci_runners', { runner_type: 2, sharding_key_id: null });
  } catch (e) {
    error = e;
  }
  expect((error as PgError).message).toBe(
    'new row for relation "group_type_ci_runners_p" violates check constraint "check_sharding_key_id_nullness"',
  );
  db.update('ci_runners', { runner_type: 3 }, eq(col('id'), 1));
  expect(db.rows('m_p')).toHaveLength(0);
  expect(db.rows('m')).toHaveLength(2);
  db.delete('ci_runners', eq(col('id'), 1));
  expect(db.rows('m')).toHaveLength(0);
  expect(db.rows('ci_runners_p')).toHaveLength(0);
});
