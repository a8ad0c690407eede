import { describe, expect, it } from 'vitest';
import { Database, col, eq, isNotNull } from '../../src/index.js';
import type { Row } from '../../src/index.js';
import { expectPgError, logRowTrigger, logStatementTrigger, sortedRows } from './helpers.js';

/** docs/postgres-observed.md §4 setup: p(id), c(id, pid → p, note NOT NULL DEFAULT 'n'). */
function q4(): { db: Database; log: string[] } {
  const db = new Database();
  const log: string[] = [];
  db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
  db.createTable({
    name: 'c',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
      { name: 'note', type: 'text', notNull: true, default: 'n' },
    ],
    primaryKey: ['id'],
    constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'p' } }],
  });
  db.insert('p', [{ id: 1 }, { id: 2 }]);
  const rowLogger = (name: string, timing: 'before' | 'after') =>
    db.createTrigger({
      name,
      table: 'c',
      timing,
      events: ['insert'],
      fn: ({ newRow }) => {
        log.push(`${name}(${newRow!.id})`);
        if (timing === 'before' && newRow!.note === 'skip') return null;
        return undefined;
      },
    });
  rowLogger('b_trig', 'after');
  rowLogger('a_trig', 'after');
  rowLogger('A_upper_trig', 'after');
  rowLogger('Z_upper_trig', 'after');
  rowLogger('b_before', 'before');
  rowLogger('a_before', 'before');
  db.createTrigger({
    name: 's_after',
    table: 'c',
    timing: 'after',
    events: ['insert'],
    level: 'statement',
    fn: () => {
      log.push('s_after');
    },
  });
  db.createTrigger({
    name: 's_before',
    table: 'c',
    timing: 'before',
    events: ['insert'],
    level: 'statement',
    fn: () => {
      log.push('s_before');
    },
  });
  return { db, log };
}
const missing99 = {
  code: '23503',
  message: 'insert or update on table "c" violates foreign key constraint "c_pid_fkey"',
  detail: 'Key (pid)=(99) is not present in table "p".',
  constraint: 'c_pid_fkey',
  table: 'c',
};

describe('row trigger order and RI checks (docs/postgres-observed.md §4)', () => {
  it('BEFORE ROW triggers run per row in C name order; AFTER ROW run row-major at statement end, uppercase first', () => {
    const { db, log } = q4();
    db.insert('c', [
      { id: 1, pid: 1 },
      { id: 2, pid: 2 },
    ]);
    expect(log).toEqual([
      's_before',
      'a_before(1)',
      'b_before(1)',
      'a_before(2)',
      'b_before(2)',
      'A_upper_trig(1)',
      'Z_upper_trig(1)',
      'a_trig(1)',
      'b_trig(1)',
      'A_upper_trig(2)',
      'Z_upper_trig(2)',
      'a_trig(2)',
      'b_trig(2)',
      's_after',
    ]);
  });

  it('the RI check is an AFTER ROW trigger named RI_ConstraintTrigger_c_*: row 2 fails after A_upper_trig(2), before Z_upper_trig(2)', () => {
    const { db, log } = q4();
    expectPgError(
      () =>
        db.insert('c', [
          { id: 3, pid: 1 },
          { id: 4, pid: 99 },
        ]),
      missing99,
    );
    expect(log).toEqual([
      's_before',
      'a_before(3)',
      'b_before(3)',
      'a_before(4)',
      'b_before(4)',
      'A_upper_trig(3)',
      'Z_upper_trig(3)',
      'a_trig(3)',
      'b_trig(3)',
      'A_upper_trig(4)',
    ]);
    expect(db.rows('c')).toEqual([]);
  });

  it('when row 1 violates the FK only its A_upper_trig runs before the error', () => {
    const { db, log } = q4();
    expectPgError(
      () =>
        db.insert('c', [
          { id: 5, pid: 99 },
          { id: 6, pid: 1 },
        ]),
      missing99,
    );
    expect(log).toEqual(['s_before', 'a_before(5)', 'b_before(5)', 'a_before(6)', 'b_before(6)', 'A_upper_trig(5)']);
  });

  it("a duplicate key fails while the row is stored: after both rows' BEFORE triggers, before any AFTER trigger", () => {
    const { db, log } = q4();
    db.insert('c', { id: 1, pid: 1 });
    log.length = 0;
    expectPgError(
      () =>
        db.insert('c', [
          { id: 2, pid: 1 },
          { id: 1, pid: 1 },
        ]),
      {
        code: '23505',
        message: 'duplicate key value violates unique constraint "c_pkey"',
        detail: 'Key (id)=(1) already exists.',
        constraint: 'c_pkey',
        table: 'c',
      },
    );
    expect(log).toEqual(['s_before', 'a_before(2)', 'b_before(2)', 'a_before(1)', 'b_before(1)']);
  });

  it('a BEFORE ROW trigger returning NULL skips the row: no later BEFORE trigger, no constraint check, no AFTER ROW trigger', () => {
    const { db, log } = q4();
    db.insert('c', { id: 1, pid: 1 });
    log.length = 0;
    const inserted = db.insert('c', [
      { id: 7, pid: 99, note: 'skip' },
      { id: 1, pid: 1, note: 'skip' },
      { id: 8, pid: 1, note: 'n' },
    ]);
    expect(inserted).toEqual([{ id: 8, pid: 1, note: 'n' }]);
    expect(log).toEqual([
      's_before',
      'a_before(7)',
      'a_before(1)',
      'a_before(8)',
      'b_before(8)',
      'A_upper_trig(8)',
      'Z_upper_trig(8)',
      'a_trig(8)',
      'b_trig(8)',
      's_after',
    ]);
    expect(sortedRows(db, 'c').map((row) => row.id)).toEqual([1, 8]);
  });

  it('a BEFORE ROW trigger can replace NEW; NOT NULL is checked on the replaced row, after the triggers', () => {
    const db = new Database();
    db.createTable({
      name: 't',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'note', type: 'text', notNull: true },
      ],
      primaryKey: ['id'],
    });
    const seen: (Row | null)[] = [];
    db.createTrigger({
      name: 'fill',
      table: 't',
      timing: 'before',
      events: ['insert', 'update'],
      fn: ({ newRow }) => {
        seen.push(newRow);
        return newRow!.note === null ? { ...newRow!, note: 'filled' } : undefined;
      },
    });
    db.insert('t', { id: 1, note: null });
    expect(seen).toEqual([{ id: 1, note: null }]);
    expect(db.rows('t')).toEqual([{ id: 1, note: 'filled' }]);
    db.update('t', { note: null }, eq(col('id'), 1));
    expect(db.rows('t')).toEqual([{ id: 1, note: 'filled' }]);
    db.createTrigger({
      name: 'null_again',
      table: 't',
      timing: 'before',
      events: ['insert'],
      fn: ({ newRow }) => ({ ...newRow!, note: null }),
    });
    expectPgError(() => db.insert('t', { id: 2, note: 'x' }), {
      code: '23502',
      message: 'null value in column "note" of relation "t" violates not-null constraint',
      detail: 'Failing row contains (2, null).',
      table: 't',
      column: 'note',
    });
  });

  it('a BEFORE DELETE trigger returning NULL keeps the row', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'id', type: 'integer' }] });
    db.insert('t', [{ id: 1 }, { id: 2 }]);
    db.createTrigger({
      name: 'keep_one',
      table: 't',
      timing: 'before',
      events: ['delete'],
      fn: ({ oldRow }) => (oldRow!.id === 1 ? null : undefined),
    });
    expect(db.delete('t')).toEqual([{ id: 2 }]);
    expect(db.rows('t')).toEqual([{ id: 1 }]);
  });
});

describe('statements run from trigger functions', () => {
  it('fire their own triggers and constraint checks, each with its own query level', () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({ name: 'a', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'audit',
      columns: [{ name: 'a_id', type: 'integer' }],
      constraints: [{ kind: 'foreignKey', columns: ['a_id'], references: { table: 'a' } }],
    });
    logStatementTrigger(db, log, 'audit', 'audit_bs', 'before', ['insert']);
    logRowTrigger(db, log, 'audit', 'audit_row', 'after', ['insert']);
    logStatementTrigger(db, log, 'audit', 'audit_as', 'after', ['insert'], true);
    db.createTrigger({
      name: 'a_audit',
      table: 'a',
      timing: 'after',
      events: ['insert'],
      fn: ({ newRow, db: inner }) => {
        inner.insert('audit', { a_id: newRow!.id });
      },
    });
    db.insert('a', [{ id: 1 }, { id: 2 }]);
    expect(log).toEqual([
      'audit_bs BEFORE INSERT STATEMENT on audit',
      'audit_row AFTER INSERT on audit',
      'audit_as AFTER INSERT STATEMENT on audit old=0 new=1',
      'audit_bs BEFORE INSERT STATEMENT on audit',
      'audit_row AFTER INSERT on audit',
      'audit_as AFTER INSERT STATEMENT on audit old=0 new=1',
    ]);
    db.dropTrigger('a', 'a_audit');
    db.createTrigger({
      name: 'a_bad_audit',
      table: 'a',
      timing: 'after',
      events: ['insert'],
      fn: ({ db: inner }) => {
        inner.insert('audit', { a_id: 99 });
      },
    });
    expectPgError(() => db.insert('a', { id: 3 }), {
      code: '23503',
      message: 'insert or update on table "audit" violates foreign key constraint "audit_a_id_fkey"',
      detail: 'Key (a_id)=(99) is not present in table "a".',
      constraint: 'audit_a_id_fkey',
      table: 'audit',
    });
    expect(db.rows('a')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(db.rows('audit')).toHaveLength(2);
  });

  it('a trigger-inserted row failing an FK rolls back the whole outer statement (docs/pg-checks/t2_sync_trigger.sql case C), and the fix makes it pass (case D)', () => {
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
      name: 'ci_runner_machines',
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 'runner_id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
        { name: 'system_xid', type: 'text', notNull: true },
      ],
      primaryKey: ['id'],
      constraints: [
        { kind: 'foreignKey', columns: ['runner_id'], references: { table: 'ci_runners' }, onDelete: 'cascade' },
      ],
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
    db.createTable({
      name: 'ci_runner_machines_p',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'runner_id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
        { name: 'system_xid', type: 'text', notNull: true },
      ],
      primaryKey: ['id', 'runner_type'],
      partitionBy: { list: 'runner_type' },
    });
    for (const [type, value] of [
      ['instance_type', 1],
      ['group_type', 2],
      ['project_type', 3],
    ] as const) {
      db.createTable({ name: `${type}_ci_runners_p`, partitionOf: { parent: 'ci_runners_p', values: [value] } });
      db.createTable({
        name: `${type}_ci_runner_machines_p`,
        partitionOf: { parent: 'ci_runner_machines_p', values: [value] },
      });
    }
    db.addConstraint('group_type_ci_runners_p', {
      kind: 'check',
      name: 'check_sharding_key_id_nullness',
      expr: isNotNull(col('sharding_key_id')),
    });
    db.insert('ci_runners', [
      { runner_type: 2, sharding_key_id: 50 },
      { runner_type: 3, sharding_key_id: null },
    ]);
    db.insert('ci_runner_machines', { runner_id: 1, runner_type: 2, system_xid: 'old-m1' });
    db.createTrigger({
      name: 'table_sync_trigger_m',
      table: 'ci_runner_machines',
      timing: 'after',
      events: ['insert'],
      fn: ({ newRow, db: inner }) => {
        inner.insert('ci_runner_machines_p', newRow!);
      },
    });
    db.addConstraint('group_type_ci_runner_machines_p', {
      kind: 'foreignKey',
      name: 'fk_rails_3f92913d27',
      columns: ['runner_id', 'runner_type'],
      references: { table: 'group_type_ci_runners_p', columns: ['id', 'runner_type'] },
      onUpdate: 'cascade',
      onDelete: 'cascade',
    });
    const before = db.snapshot();
    expectPgError(() => db.insert('ci_runner_machines', { runner_id: 1, runner_type: 2, system_xid: 'new-m' }), {
      code: '23503',
      message:
        'insert or update on table "group_type_ci_runner_machines_p" violates foreign key constraint "fk_rails_3f92913d27"',
      detail: 'Key (runner_id, runner_type)=(1, 2) is not present in table "group_type_ci_runners_p".',
      constraint: 'fk_rails_3f92913d27',
      table: 'group_type_ci_runner_machines_p',
    });
    expect(db.snapshot()).toEqual(before);
    // The sequence value is consumed even though the statement failed.
    expect(db.sequenceInfo('ci_runner_machines_id_seq')!.nextValue).toBe(3);
    db.insert('ci_runners_p', db.select('ci_runners', { where: eq(col('id'), 1) })[0]!, {
      onConflict: { target: ['id', 'runner_type'], action: 'nothing' },
    });
    db.insert('ci_runner_machines', { runner_id: 1, runner_type: 2, system_xid: 'new-m' });
    expect(db.rows('ci_runner_machines_p')).toEqual([{ id: 3, runner_id: 1, runner_type: 2, system_xid: 'new-m' }]);
    // Case E: the copy of an orphan runner violates the partition's CHECK.
    expectPgError(
      () => db.insert('ci_runners_p', { id: 3, runner_type: 2, sharding_key_id: null, contacted_at: null }),
      {
        code: '23514',
        message:
          'new row for relation "group_type_ci_runners_p" violates check constraint "check_sharding_key_id_nullness"',
        detail: 'Failing row contains (3, 2, null, null).',
        constraint: 'check_sharding_key_id_nullness',
        table: 'group_type_ci_runners_p',
      },
    );
  });
});

describe('statement triggers and transition tables (docs/postgres-observed.md §5)', () => {
  function parCh(): { db: Database; log: string[] } {
    const db = new Database();
    const log: string[] = [];
    db.createTable({ name: 'par', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'ch',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'pid', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [
        {
          kind: 'foreignKey',
          columns: ['pid'],
          references: { table: 'par' },
          onDelete: 'cascade',
          onUpdate: 'cascade',
        },
      ],
    });
    db.insert('par', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    db.insert('ch', [
      { id: 10, pid: 1 },
      { id: 20, pid: 2 },
      { id: 21, pid: 2 },
      { id: 30, pid: 3 },
      { id: 31, pid: 3 },
    ]);
    return { db, log };
  }

  it("a cascaded DELETE fires the child's OLD TABLE statement trigger once with all rows, after the parent's statement trigger", () => {
    const { db, log } = parCh();
    const oldTables: (readonly Row[])[] = [];
    db.createTrigger({
      name: 'ch_del_stmt',
      table: 'ch',
      timing: 'after',
      events: ['delete'],
      level: 'statement',
      referencing: { oldTable: 'old_table' },
      fn: ({ oldTable }) => {
        oldTables.push(oldTable);
        log.push(`ch_del_stmt(${oldTable.length})`);
      },
    });
    logStatementTrigger(db, log, 'ch', 'ch_del_bstmt', 'before', ['delete']);
    db.createTrigger({
      name: 'ch_del_row',
      table: 'ch',
      timing: 'after',
      events: ['delete'],
      fn: ({ oldRow }) => {
        log.push(`ch_del_row(${oldRow!.id})`);
      },
    });
    logStatementTrigger(db, log, 'par', 'par_del_stmt', 'after', ['delete'], true);
    db.delete('par');
    expect(log).toEqual([
      'ch_del_bstmt BEFORE DELETE STATEMENT on ch',
      'par_del_stmt AFTER DELETE STATEMENT on par old=3 new=0',
      'ch_del_row(10)',
      'ch_del_row(20)',
      'ch_del_row(21)',
      'ch_del_row(30)',
      'ch_del_row(31)',
      'ch_del_stmt(5)',
    ]);
    expect(oldTables[0]).toEqual([
      { id: 10, pid: 1 },
      { id: 20, pid: 2 },
      { id: 21, pid: 2 },
      { id: 30, pid: 3 },
      { id: 31, pid: 3 },
    ]);
  });

  it('statement triggers fire with 0 rows on the target; a cascade that never runs fires nothing on the child', () => {
    const { db, log } = parCh();
    logStatementTrigger(db, log, 'par', 'par_del_stmt', 'after', ['delete'], true);
    logStatementTrigger(db, log, 'ch', 'ch_del_bstmt', 'before', ['delete']);
    logStatementTrigger(db, log, 'ch', 'ch_del_stmt', 'after', ['delete'], true);
    db.delete('par', eq(col('id'), 999));
    expect(log).toEqual(['par_del_stmt AFTER DELETE STATEMENT on par old=0 new=0']);
    log.length = 0;
    db.delete('ch', eq(col('id'), 999));
    expect(log).toEqual([
      'ch_del_bstmt BEFORE DELETE STATEMENT on ch',
      'ch_del_stmt AFTER DELETE STATEMENT on ch old=0 new=0',
    ]);
  });

  it("ON UPDATE CASCADE fires the child's UPDATE statement trigger once with 5 old and 5 new rows", () => {
    const { db, log } = parCh();
    let newTable: readonly Row[] = [];
    db.createTrigger({
      name: 'ch_upd_stmt',
      table: 'ch',
      timing: 'after',
      events: ['update'],
      level: 'statement',
      referencing: { oldTable: 'o', newTable: 'n' },
      fn: ({ oldTable, newTable: rows }) => {
        newTable = rows;
        log.push(`ch_upd_stmt(${oldTable.length}, ${rows.length})`);
      },
    });
    for (const id of [1, 2, 3]) db.update('par', { id: id + 100 }, eq(col('id'), id));
    expect(log).toEqual(['ch_upd_stmt(1, 1)', 'ch_upd_stmt(2, 2)', 'ch_upd_stmt(2, 2)']);
    log.length = 0;
    db.createTable({
      name: 'shift',
      columns: [
        { name: 'old', type: 'integer' },
        { name: 'new', type: 'integer' },
      ],
    });
    db.insert('shift', [
      { old: 101, new: 1 },
      { old: 102, new: 2 },
      { old: 103, new: 3 },
    ]);
    db.update('par', {
      id: {
        kind: 'scalarSubquery',
        query: {
          table: 'shift',
          column: 'new',
          where: eq(col('old'), { kind: 'outer', table: 'par', name: 'id' }),
          orderBy: [],
          limit: null,
        },
      },
    });
    expect(log).toEqual(['ch_upd_stmt(5, 5)']);
    expect(newTable.map((row) => row.pid)).toEqual([1, 2, 2, 3, 3]);
  });

  it("partitioned child with the FK on the partitioned table: only the partitioned table's statement triggers fire, once (docs/postgres-observed.md §5b)", () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({ name: 'par', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'ch',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 'pid', type: 'integer' },
        { name: 't', type: 'integer', notNull: true },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
      constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'par' }, onDelete: 'cascade' }],
    });
    db.createTable({ name: 'ch_1', partitionOf: { parent: 'ch', values: [1] } });
    db.createTable({ name: 'ch_2', partitionOf: { parent: 'ch', values: [2] } });
    db.insert('par', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    db.insert('ch', [
      { id: 10, pid: 1, t: 1 },
      { id: 20, pid: 2, t: 1 },
      { id: 21, pid: 2, t: 2 },
      { id: 30, pid: 3, t: 2 },
      { id: 31, pid: 3, t: 1 },
    ]);
    let oldTable: readonly Row[] = [];
    db.createTrigger({
      name: 'ch_parent_stmt',
      table: 'ch',
      timing: 'after',
      events: ['delete'],
      level: 'statement',
      referencing: { oldTable: 'old_table' },
      fn: ({ oldTable: rows }) => {
        oldTable = rows;
        log.push(`ch_parent_stmt(${rows.length})`);
      },
    });
    logStatementTrigger(db, log, 'ch', 'ch_parent_bstmt', 'before', ['delete']);
    logStatementTrigger(db, log, 'ch_1', 'ch_1_stmt', 'after', ['delete'], true);
    logStatementTrigger(db, log, 'ch_2', 'ch_2_stmt', 'after', ['delete'], true);
    db.delete('par');
    expect(log).toEqual(['ch_parent_bstmt BEFORE DELETE STATEMENT on ch', 'ch_parent_stmt(5)']);
    expect(oldTable.map((row) => row.id)).toEqual([10, 20, 21, 31, 30]);
    // A direct DELETE fires the target's statement triggers only, also with partition pruning.
    db.insert('par', [{ id: 1 }, { id: 2 }]);
    db.insert('ch', [
      { id: 10, pid: 1, t: 1 },
      { id: 21, pid: 2, t: 2 },
    ]);
    log.length = 0;
    db.delete('ch', eq(col('t'), 1));
    expect(log).toEqual(['ch_parent_bstmt BEFORE DELETE STATEMENT on ch', 'ch_parent_stmt(1)']);
    log.length = 0;
    db.delete('ch_2');
    expect(log).toEqual(['ch_2_stmt AFTER DELETE STATEMENT on ch_2 old=1 new=0']);
  });

  it("per-partition FKs cascade per partition: each partition's statement trigger fires once with its rows (docs/postgres-observed.md §5 extra)", () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({ name: 'par', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.createTable({
      name: 'ch',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 'pid', type: 'integer' },
        { name: 't', type: 'integer', notNull: true },
      ],
      primaryKey: ['id', 't'],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'ch_1', partitionOf: { parent: 'ch', values: [1] } });
    db.createTable({ name: 'ch_2', partitionOf: { parent: 'ch', values: [2] } });
    for (const partition of ['ch_1', 'ch_2'])
      db.addConstraint(partition, {
        kind: 'foreignKey',
        columns: ['pid'],
        references: { table: 'par' },
        onDelete: 'cascade',
      });
    db.insert('par', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    db.insert('ch', [
      { id: 10, pid: 1, t: 1 },
      { id: 20, pid: 2, t: 1 },
      { id: 21, pid: 2, t: 2 },
      { id: 30, pid: 3, t: 2 },
      { id: 31, pid: 3, t: 1 },
    ]);
    logStatementTrigger(db, log, 'ch', 'ch_stmt', 'after', ['delete'], true);
    logStatementTrigger(db, log, 'ch_1', 'ch_1_stmt', 'after', ['delete'], true);
    logStatementTrigger(db, log, 'ch_2', 'ch_2_stmt', 'after', ['delete'], true);
    db.delete('par');
    expect(log.sort()).toEqual([
      'ch_1_stmt AFTER DELETE STATEMENT on ch_1 old=3 new=0',
      'ch_2_stmt AFTER DELETE STATEMENT on ch_2 old=2 new=0',
    ]);
  });

  it('BEFORE STATEMENT fires once per cascade level, even for a two-level cascade chain', () => {
    const db = new Database();
    const log: string[] = [];
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
      constraints: [{ kind: 'foreignKey', columns: ['b_id'], references: { table: 'b' }, onDelete: 'cascade' }],
    });
    db.insert('a', [{ id: 1 }, { id: 2 }]);
    db.insert('b', [
      { id: 1, a_id: 1 },
      { id: 2, a_id: 1 },
      { id: 3, a_id: 2 },
    ]);
    db.insert('c', [
      { id: 1, b_id: 1 },
      { id: 2, b_id: 2 },
      { id: 3, b_id: 3 },
    ]);
    for (const table of ['b', 'c']) {
      logStatementTrigger(db, log, table, `${table}_bs`, 'before', ['delete']);
      logStatementTrigger(db, log, table, `${table}_as`, 'after', ['delete'], true);
    }
    db.delete('a');
    expect(log).toEqual([
      'b_bs BEFORE DELETE STATEMENT on b',
      'c_bs BEFORE DELETE STATEMENT on c',
      'b_as AFTER DELETE STATEMENT on b old=3 new=0',
      'c_as AFTER DELETE STATEMENT on c old=3 new=0',
    ]);
  });

  it('transition tables are only for AFTER triggers; OLD TABLE needs DELETE or UPDATE (42P17)', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'id', type: 'integer' }] });
    expectPgError(
      () =>
        db.createTrigger({
          name: 'x',
          table: 't',
          timing: 'before',
          events: ['delete'],
          level: 'statement',
          referencing: { oldTable: 'o' },
          fn: () => {},
        }),
      { code: '42P17', message: 'transition tables can only be specified for AFTER triggers' },
    );
    expectPgError(
      () =>
        db.createTrigger({
          name: 'x',
          table: 't',
          timing: 'after',
          events: ['insert'],
          level: 'statement',
          referencing: { oldTable: 'o' },
          fn: () => {},
        }),
      { code: '42P17', message: 'OLD TABLE can only be specified for a DELETE or UPDATE trigger' },
    );
  });
});

describe('trigger DDL', () => {
  it('disable/enable and drop; names must be unique per table (42710); missing ones give 42704', () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }] });
    logRowTrigger(db, log, 'p', 'trg1', 'after', ['insert']);
    expectPgError(() => logRowTrigger(db, log, 'p', 'trg1', 'after', ['insert']), {
      code: '42710',
      message: 'trigger "trg1" for relation "p" already exists',
    });
    db.disableTrigger('p', 'trg1');
    db.insert('p', { id: 1 });
    expect(db.describe('p').triggers[0]).toMatchObject({ name: 'trg1', enabled: false });
    db.enableTrigger('p', 'trg1');
    db.insert('p', { id: 2 });
    db.dropTrigger('p', 'trg1');
    db.insert('p', { id: 3 });
    expect(log).toEqual(['trg1 AFTER INSERT on p']);
    expectPgError(() => db.dropTrigger('p', 'nosuch_trig'), {
      code: '42704',
      message: 'trigger "nosuch_trig" for table "p" does not exist',
    });
    db.dropTrigger('p', 'nosuch_trig', { ifExists: true });
    expect(db.notices.at(-1)).toBe('NOTICE: trigger "nosuch_trig" for relation "p" does not exist, skipping');
    expectPgError(() => db.dropTrigger('nosuchtable', 'x'), {
      code: '42P01',
      message: 'relation "nosuchtable" does not exist',
    });
  });

  it('row triggers on a partitioned table are cloned to present and future partitions; statement triggers are not', () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({
      name: 'r',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 't', type: 'integer' },
      ],
      partitionBy: { list: 't' },
    });
    db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
    logRowTrigger(db, log, 'r', 'r_row', 'after', ['insert']);
    logStatementTrigger(db, log, 'r', 'r_stmt', 'after', ['insert']);
    db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
    expect(db.describe('r_1').triggers).toEqual([
      { name: 'r_row', level: 'row', timing: 'after', events: ['insert'], enabled: true, inherited: true },
    ]);
    expect(db.describe('r_2').triggers.map((trigger) => trigger.name)).toEqual(['r_row']);
    db.insert('r', [
      { id: 1, t: 1 },
      { id: 2, t: 2 },
    ]);
    db.insert('r_2', { id: 3, t: 2 });
    expect(log).toEqual([
      'r_row AFTER INSERT on r_1',
      'r_row AFTER INSERT on r_2',
      'r_stmt AFTER INSERT STATEMENT on r',
      'r_row AFTER INSERT on r_2',
    ]);
    expectPgError(() => db.dropTrigger('r_1', 'r_row'), {
      code: '2BP01',
      message: 'cannot drop trigger r_row on table r_1 because trigger r_row on table r requires it',
    });
    db.disableTrigger('r', 'r_row');
    expect(db.describe('r_2').triggers[0]!.enabled).toBe(false);
    db.dropTrigger('r', 'r_row');
    expect(db.describe('r_1').triggers).toEqual([]);
  });
});
