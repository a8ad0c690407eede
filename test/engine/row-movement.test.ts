import { describe, expect, it } from 'vitest';
import { Database, col, eq } from '../../src/index.js';
import type { ForeignKeySpec } from '../../src/index.js';
import { expectPgError, logRowTrigger, logStatementTrigger, sortedRows } from './helpers.js';

/** docs/postgres-observed.md §6: r(id, t, note) LIST (t) with r_1, r_2; m(id, runner_id, t) likewise. */
function rm(): Database {
  const db = new Database();
  db.createTable({
    name: 'r',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 't', type: 'smallint', notNull: true },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id', 't'],
    partitionBy: { list: 't' },
  });
  db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
  db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
  db.createTable({
    name: 'm',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'runner_id', type: 'bigint' },
      { name: 't', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id', 't'],
    partitionBy: { list: 't' },
  });
  db.createTable({ name: 'm_1', partitionOf: { parent: 'm', values: [1] } });
  db.createTable({ name: 'm_2', partitionOf: { parent: 'm', values: [2] } });
  db.insert('r', [
    { id: 1, t: 1, note: 'a' },
    { id: 2, t: 2, note: 'b' },
  ]);
  db.insert('m', [
    { id: 100, runner_id: 1, t: 1 },
    { id: 200, runner_id: 2, t: 2 },
  ]);
  return db;
}
const fk = (
  name: string,
  table: string,
  references: string,
  extra: Partial<ForeignKeySpec> = {},
): [string, ForeignKeySpec] => [
  table,
  {
    kind: 'foreignKey',
    name,
    columns: ['runner_id', 't'],
    references: { table: references, columns: ['id', 't'] },
    ...extra,
  },
];
const cascade = { onUpdate: 'cascade', onDelete: 'cascade' } as const;
const placement = (db: Database, table: string) =>
  sortedRows(db, table).map(
    (row) => `${row.id}@${db.describe(table).partitions.find((partition) => db.rows(partition).includes(row))}`,
  );

describe('UPDATE that changes the partition key moves the row (docs/postgres-observed.md §6)', () => {
  it('trigger order: BEFORE UPDATE, BEFORE DELETE on source, BEFORE INSERT on destination, AFTER DELETE, AFTER INSERT; no AFTER UPDATE ROW', () => {
    const db = new Database();
    db.createTable({
      name: 'r',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 't', type: 'smallint', notNull: true },
        { name: 'note', type: 'text' },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
    db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
    db.insert('r', [
      { id: 1, t: 1, note: 'a' },
      { id: 2, t: 1, note: 'b' },
    ]);
    const log: string[] = [];
    for (const partition of ['r_1', 'r_2']) {
      for (const timing of ['before', 'after'] as const) {
        for (const event of ['insert', 'update', 'delete'] as const) {
          logRowTrigger(db, log, partition, `${partition}_${timing}_${event}_row`, timing, [event]);
          logStatementTrigger(db, log, partition, `${partition}_${timing}_${event}_stmt`, timing, [event]);
        }
      }
    }
    for (const timing of ['before', 'after'] as const)
      for (const event of ['insert', 'update', 'delete'] as const)
        logStatementTrigger(db, log, 'r', `r_${timing}_${event}_stmt`, timing, [event]);
    logRowTrigger(db, log, 'r', 'r_row_after_upd', 'after', ['update']);
    logRowTrigger(db, log, 'r', 'r_row_before_upd', 'before', ['update']);
    logRowTrigger(db, log, 'r', 'r_row_after_ins', 'after', ['insert']);
    logRowTrigger(db, log, 'r', 'r_row_after_del', 'after', ['delete']);
    logStatementTrigger(db, log, 'r', 'r_upd_tt', 'after', ['update'], true);
    db.update('r', { t: 2 }, eq(col('id'), 1));
    expect(log).toEqual([
      'r_before_update_stmt BEFORE UPDATE STATEMENT on r',
      'r_1_before_update_row BEFORE UPDATE on r_1',
      'r_row_before_upd BEFORE UPDATE on r_1',
      'r_1_before_delete_row BEFORE DELETE on r_1',
      'r_2_before_insert_row BEFORE INSERT on r_2',
      'r_1_after_delete_row AFTER DELETE on r_1',
      'r_row_after_del AFTER DELETE on r_1',
      'r_2_after_insert_row AFTER INSERT on r_2',
      'r_row_after_ins AFTER INSERT on r_2',
      'r_after_update_stmt AFTER UPDATE STATEMENT on r',
      'r_upd_tt AFTER UPDATE STATEMENT on r old=1 new=1',
    ]);
    expect(db.rows('r_2')).toEqual([{ id: 1, t: 2, note: 'a' }]);
    // For comparison, an update that stays in its partition fires UPDATE row triggers only.
    log.length = 0;
    db.update('r', { note: 'x' }, eq(col('id'), 2));
    expect(log).toEqual([
      'r_before_update_stmt BEFORE UPDATE STATEMENT on r',
      'r_1_before_update_row BEFORE UPDATE on r_1',
      'r_row_before_upd BEFORE UPDATE on r_1',
      'r_1_after_update_row AFTER UPDATE on r_1',
      'r_row_after_upd AFTER UPDATE on r_1',
      'r_after_update_stmt AFTER UPDATE STATEMENT on r',
      'r_upd_tt AFTER UPDATE STATEMENT on r old=1 new=1',
    ]);
  });

  it('a BEFORE UPDATE trigger returning NULL on the source cancels the move; statement triggers still fire with empty transition tables', () => {
    const db = rm();
    const log: string[] = [];
    db.createTrigger({ name: 'skip', table: 'r_1', timing: 'before', events: ['update'], fn: () => null });
    logRowTrigger(db, log, 'r_1', 'r_1_before_delete_row', 'before', ['delete']);
    logRowTrigger(db, log, 'r_2', 'r_2_before_insert_row', 'before', ['insert']);
    logStatementTrigger(db, log, 'r', 'r_upd_tt', 'after', ['update'], true);
    expect(db.update('r', { t: 2 }, eq(col('id'), 1))).toEqual([]);
    expect(log).toEqual(['r_upd_tt AFTER UPDATE STATEMENT on r old=0 new=0']);
    expect(db.rows('r_1')).toEqual([{ id: 1, t: 1, note: 'a' }]);
  });

  it('FK on the partitioned parents sees an UPDATE: ON UPDATE CASCADE moves the child row too (docs/postgres-observed.md §6 i)', () => {
    const db = rm();
    db.addConstraint(...fk('m_fk', 'm', 'r', cascade));
    const log: string[] = [];
    logRowTrigger(db, log, 'm_1', 'm_1_log', 'after', ['insert', 'update', 'delete']);
    logRowTrigger(db, log, 'm_2', 'm_2_log', 'after', ['insert', 'update', 'delete']);
    db.update('r', { t: 2 }, eq(col('id'), 1));
    expect(log).toEqual(['m_1_log AFTER DELETE on m_1', 'm_2_log AFTER INSERT on m_2']);
    expect(placement(db, 'm')).toEqual(['100@m_2', '200@m_2']);
    expect(sortedRows(db, 'm')).toEqual([
      { id: 100, runner_id: 1, t: 2 },
      { id: 200, runner_id: 2, t: 2 },
    ]);
    log.length = 0;
    db.update('r', { id: 5 }, eq(col('id'), 2));
    expect(log).toEqual(['m_2_log AFTER UPDATE on m_2']);
    expect(sortedRows(db, 'm').map((row) => row.runner_id)).toEqual([1, 5]);
  });

  it('per-partition FKs see a DELETE from the source: ON DELETE CASCADE silently deletes the child (docs/postgres-observed.md §6 ii, docs/pg-checks/t2_sync_trigger.sql H)', () => {
    const db = rm();
    db.addConstraint(...fk('m_1_fk', 'm_1', 'r_1', cascade));
    db.addConstraint(...fk('m_2_fk', 'm_2', 'r_2', cascade));
    const log: string[] = [];
    logRowTrigger(db, log, 'm_1', 'm_1_log', 'after', ['insert', 'update', 'delete']);
    db.update('r', { t: 2 }, eq(col('id'), 1));
    expect(log).toEqual(['m_1_log AFTER DELETE on m_1']);
    expect(sortedRows(db, 'm')).toEqual([{ id: 200, runner_id: 2, t: 2 }]);
    expect(sortedRows(db, 'r')).toEqual([
      { id: 1, t: 2, note: 'a' },
      { id: 2, t: 2, note: 'b' },
    ]);
  });

  it("per-partition FK with NO ACTION: 23503 naming the source partition and its FK (docs/postgres-observed.md §6 ii')", () => {
    const db = rm();
    db.addConstraint(...fk('m_1_fk', 'm_1', 'r_1'));
    expectPgError(() => db.update('r', { t: 2 }, eq(col('id'), 1)), {
      code: '23503',
      message: 'update or delete on table "r_1" violates foreign key constraint "m_1_fk" on table "m_1"',
      detail: 'Key (id, t)=(1, 1) is still referenced from table "m_1".',
      constraint: 'm_1_fk',
      table: 'm_1',
    });
    expect(db.rows('r_1')).toEqual([{ id: 1, t: 1, note: 'a' }]);
  });

  it('FK on the parents with NO ACTION: root names and root constraint; within a partition: leaf and <fk>_2 (docs/postgres-observed.md §6 iii)', () => {
    const db = rm();
    db.addConstraint(...fk('m_fk', 'm', 'r'));
    expectPgError(() => db.update('r', { t: 2 }, eq(col('id'), 1)), {
      code: '23503',
      message: 'update or delete on table "r" violates foreign key constraint "m_fk" on table "m"',
      detail: 'Key (id, t)=(1, 1) is still referenced from table "m".',
      constraint: 'm_fk',
      table: 'm',
    });
    expectPgError(() => db.update('r', { id: 5 }, eq(col('id'), 2)), {
      code: '23503',
      message: 'update or delete on table "r_2" violates foreign key constraint "m_fk_2" on table "m"',
      detail: 'Key (id, t)=(2, 2) is still referenced from table "m".',
      constraint: 'm_fk_2',
      table: 'm',
    });
  });

  it('a plain table referencing the partitioned table: CASCADE updates in place; RESTRICT gives 23001 on the root (docs/postgres-observed.md §6 iv, v)', () => {
    const build = (onUpdate: 'cascade' | 'restrict') => {
      const db = rm();
      db.dropTable('m');
      db.createTable({
        name: 'm',
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'runner_id', type: 'bigint' },
          { name: 't', type: 'smallint' },
        ],
        primaryKey: ['id'],
        constraints: [
          {
            kind: 'foreignKey',
            columns: ['runner_id', 't'],
            references: { table: 'r', columns: ['id', 't'] },
            onUpdate,
            ...(onUpdate === 'cascade' ? { onDelete: 'cascade' } : {}),
          },
        ],
      });
      db.insert('m', [
        { id: 100, runner_id: 1, t: 1 },
        { id: 200, runner_id: 2, t: 2 },
      ]);
      return db;
    };
    const db = build('cascade');
    const log: string[] = [];
    logRowTrigger(db, log, 'm', 'm_log', 'after', ['insert', 'update', 'delete']);
    db.update('r', { t: 2 }, eq(col('id'), 1));
    expect(log).toEqual(['m_log AFTER UPDATE on m']);
    expect(sortedRows(db, 'm')).toEqual([
      { id: 100, runner_id: 1, t: 2 },
      { id: 200, runner_id: 2, t: 2 },
    ]);
    const restrict = build('restrict');
    expectPgError(() => restrict.update('r', { t: 2 }, eq(col('id'), 1)), {
      code: '23001',
      message:
        'update or delete on table "r" violates RESTRICT setting of foreign key constraint "m_runner_id_t_fkey" on table "m"',
      detail: 'Key (id, t)=(1, 1) is referenced from table "m".',
      constraint: 'm_runner_id_t_fkey',
      table: 'm',
    });
    expectPgError(() => restrict.update('r', { id: 5 }, eq(col('id'), 2)), {
      code: '23001',
      message:
        'update or delete on table "r_2" violates RESTRICT setting of foreign key constraint "m_runner_id_t_fkey_2" on table "m"',
      detail: 'Key (id, t)=(2, 2) is referenced from table "m".',
      constraint: 'm_runner_id_t_fkey_2',
      table: 'm',
    });
  });

  it('FK from a partition to the partitioned table with ON UPDATE CASCADE: the cascade cannot move the row (docs/postgres-observed.md §6)', () => {
    const db = rm();
    db.addConstraint(...fk('m_1_fk', 'm_1', 'r', cascade));
    expectPgError(() => db.update('r', { t: 2 }, eq(col('id'), 1)), {
      code: '23514',
      message: 'new row for relation "m_1" violates partition constraint',
      detail: 'Failing row contains (100, 1, 2).',
      table: 'm_1',
    });
  });

  it('moving a referencing row to a partition where its key has no match: 23503 naming the destination (docs/postgres-observed.md §6)', () => {
    const db = rm();
    db.addConstraint(...fk('m_fk', 'm', 'r'));
    db.insert('r', { id: 5, t: 1, note: null });
    db.insert('m', { id: 300, runner_id: 5, t: 1 });
    expectPgError(() => db.update('m', { t: 2 }, eq(col('id'), 300)), {
      code: '23503',
      message: 'insert or update on table "m_2" violates foreign key constraint "m_fk"',
      detail: 'Key (runner_id, t)=(5, 2) is not present in table "r".',
      constraint: 'm_fk',
      table: 'm_2',
    });
  });

  it('a moved row that lands on an existing key in the destination: 23505 naming the destination index', () => {
    const db = rm();
    db.insert('r', { id: 2, t: 1, note: 'c' });
    expectPgError(() => db.update('r', { t: 2 }, eq(col('note'), 'c')), {
      code: '23505',
      message: 'duplicate key value violates unique constraint "r_2_pkey"',
      detail: 'Key (id, t)=(2, 2) already exists.',
      constraint: 'r_2_pkey',
      table: 'r_2',
    });
    expect(sortedRows(db, 'r', 'id', 't')).toEqual([
      { id: 1, t: 1, note: 'a' },
      { id: 2, t: 1, note: 'c' },
      { id: 2, t: 2, note: 'b' },
    ]);
  });
});
