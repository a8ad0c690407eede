import { describe, expect, it } from 'vitest';
import { Database, and, col, eq, excluded, gt, isNotNull } from '../../src/index.js';
import { expectPgError, sortedRows } from './helpers.js';

/** docs/postgres-observed.md §8 setup: partitioned r(id, t, tok, n) with PK (id, t) and a partial unique index on (tok, t). */
function q8(): Database {
  const db = new Database();
  db.createTable({
    name: 'r',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 't', type: 'smallint', notNull: true },
      { name: 'tok', type: 'text' },
      { name: 'n', type: 'integer', default: 0 },
    ],
    primaryKey: ['id', 't'],
    partitionBy: { list: 't' },
  });
  db.createTable({ name: 'r_1', partitionOf: { parent: 'r', values: [1] } });
  db.createTable({ name: 'r_2', partitionOf: { parent: 'r', values: [2] } });
  db.createIndex({ name: 'idx_r_tok', table: 'r', columns: ['tok', 't'], unique: true, where: isNotNull(col('tok')) });
  db.insert('r', [
    { id: 1, t: 1, tok: 'a', n: 0 },
    { id: 2, t: 2, tok: 'b', n: 0 },
  ]);
  return db;
}
const noMatch = {
  code: '42P10',
  message: 'there is no unique or exclusion constraint matching the ON CONFLICT specification',
};

describe('INSERT … ON CONFLICT (docs/postgres-observed.md §8)', () => {
  it('DO NOTHING with the key columns as target, in any order, inserts nothing', () => {
    const db = q8();
    expect(
      db.insert('r', { id: 1, t: 1, tok: 'zz' }, { onConflict: { target: ['id', 't'], action: 'nothing' } }),
    ).toEqual([]);
    expect(
      db.insert('r', { id: 1, t: 1, tok: 'zz' }, { onConflict: { target: ['t', 'id'], action: 'nothing' } }),
    ).toEqual([]);
    expect(sortedRows(db, 'r')).toEqual([
      { id: 1, t: 1, tok: 'a', n: 0 },
      { id: 2, t: 2, tok: 'b', n: 0 },
    ]);
  });

  it('a target matching no unique index (a subset of the key) gives 42P10', () => {
    const db = q8();
    expectPgError(
      () => db.insert('r', { id: 1, t: 1, tok: 'zz' }, { onConflict: { target: ['id'], action: 'nothing' } }),
      noMatch,
    );
  });

  it("ON CONSTRAINT must name the target table's constraint: the parent's through the parent, the partition's directly (42704 otherwise)", () => {
    const db = q8();
    const updated = db.insert(
      'r',
      { id: 1, t: 1, tok: 'zz' },
      { onConflict: { target: { constraint: 'r_pkey' }, action: { update: { n: 1, tok: excluded('tok') } } } },
    );
    expect(updated).toEqual([{ id: 1, t: 1, tok: 'zz', n: 1 }]);
    expectPgError(
      () =>
        db.insert(
          'r',
          { id: 1, t: 1, tok: 'zz' },
          { onConflict: { target: { constraint: 'r_1_pkey' }, action: 'nothing' } },
        ),
      { code: '42704', message: 'constraint "r_1_pkey" for table "r" does not exist' },
    );
    expect(
      db.insert(
        'r_1',
        { id: 1, t: 1, tok: 'zz' },
        { onConflict: { target: { constraint: 'r_1_pkey' }, action: 'nothing' } },
      ),
    ).toEqual([]);
    expectPgError(
      () =>
        db.insert(
          'r',
          { id: 1, t: 1, tok: 'q' },
          { onConflict: { target: { constraint: 'idx_r_tok' }, action: 'nothing' } },
        ),
      { code: '42704', message: 'constraint "idx_r_tok" for table "r" does not exist' },
    );
  });

  it('DO UPDATE that would move the row to another partition gives 0A000; staying in the partition works', () => {
    const db = q8();
    expectPgError(
      () =>
        db.insert(
          'r',
          { id: 1, t: 1, tok: 'zz' },
          { onConflict: { target: ['id', 't'], action: { update: { t: 2 } } } },
        ),
      {
        code: '0A000',
        message: 'invalid ON UPDATE specification',
        detail: 'The result tuple would appear in a different partition than the original tuple.',
      },
    );
    expect(
      db.insert(
        'r',
        { id: 1, t: 1, tok: 'zz' },
        { onConflict: { target: ['id', 't'], action: { update: { t: 1, n: 5 } } } },
      ),
    ).toEqual([{ id: 1, t: 1, tok: 'a', n: 5 }]);
  });

  it('a partial unique index is an arbiter only when the target repeats (or implies) its WHERE', () => {
    const db = q8();
    expectPgError(
      () => db.insert('r', { id: 10, t: 1, tok: 'a' }, { onConflict: { target: ['tok', 't'], action: 'nothing' } }),
      noMatch,
    );
    expect(
      db.insert(
        'r',
        { id: 10, t: 1, tok: 'a' },
        { onConflict: { target: ['tok', 't'], targetWhere: isNotNull(col('tok')), action: 'nothing' } },
      ),
    ).toEqual([]);
    expect(
      db.insert(
        'r',
        { id: 10, t: 1, tok: 'a' },
        {
          onConflict: {
            target: ['tok', 't'],
            targetWhere: and(isNotNull(col('tok')), gt(col('id'), 0)),
            action: 'nothing',
          },
        },
      ),
    ).toEqual([]);
    expect(
      db.insert(
        'r',
        { id: 10, t: 1, tok: 'a' },
        { onConflict: { target: ['tok', 't'], targetWhere: isNotNull(col('tok')), action: { update: { n: 100 } } } },
      ),
    ).toEqual([{ id: 1, t: 1, tok: 'a', n: 100 }]);
    expect(db.rows('r')).toHaveLength(2);
  });

  it('a conflict on a unique index that is not an arbiter still raises 23505; only a target-less DO NOTHING swallows any conflict', () => {
    const db = q8();
    const tokConflict = {
      code: '23505',
      message: 'duplicate key value violates unique constraint "r_1_tok_t_idx"',
      detail: 'Key (tok, t)=(a, 1) already exists.',
      constraint: 'r_1_tok_t_idx',
      table: 'r_1',
    };
    expectPgError(
      () => db.insert('r', { id: 11, t: 1, tok: 'a' }, { onConflict: { target: ['id', 't'], action: 'nothing' } }),
      tokConflict,
    );
    expectPgError(
      () =>
        db.insert(
          'r',
          { id: 11, t: 1, tok: 'a' },
          { onConflict: { target: ['id', 't'], action: { update: { n: 1 } } } },
        ),
      tokConflict,
    );
    expectPgError(
      () =>
        db.insert(
          'r',
          { id: 1, t: 1, tok: 'new' },
          { onConflict: { target: ['tok', 't'], targetWhere: isNotNull(col('tok')), action: 'nothing' } },
        ),
      {
        code: '23505',
        message: 'duplicate key value violates unique constraint "r_1_pkey"',
        detail: 'Key (id, t)=(1, 1) already exists.',
        constraint: 'r_1_pkey',
        table: 'r_1',
      },
    );
    expect(
      db.insert(
        'r',
        [
          { id: 11, t: 1, tok: 'a' },
          { id: 1, t: 1, tok: 'new' },
          { id: 12, t: 1, tok: 'c' },
        ],
        { onConflict: { action: 'nothing' } },
      ),
    ).toEqual([{ id: 12, t: 1, tok: 'c', n: 0 }]);
    expectPgError(() => db.insert('r', { id: 1, t: 1, tok: 'a' }, { onConflict: { action: { update: { n: 1 } } } }), {
      code: '42601',
      message: 'ON CONFLICT DO UPDATE requires inference specification or constraint name',
    });
  });

  it('the same key twice in one statement: DO UPDATE gives 21000, DO NOTHING inserts the first row only', () => {
    const db = q8();
    expectPgError(
      () =>
        db.insert(
          'r',
          [
            { id: 50, t: 1, tok: null },
            { id: 50, t: 1, tok: null },
          ],
          { onConflict: { target: ['id', 't'], action: { update: { n: 1 } } } },
        ),
      { code: '21000', message: 'ON CONFLICT DO UPDATE command cannot affect row a second time' },
    );
    expect(db.rows('r')).toHaveLength(2);
    expect(
      db.insert(
        'r',
        [
          { id: 51, t: 1, tok: null },
          { id: 51, t: 1, tok: null },
        ],
        { onConflict: { target: ['id', 't'], action: 'nothing' } },
      ),
    ).toEqual([{ id: 51, t: 1, tok: null, n: 0 }]);
  });

  it('ON CONFLICT and FKs: DO NOTHING does not suppress FK errors of inserted rows; a skipped row is not checked; DO UPDATE is checked', () => {
    const db = new Database();
    db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
    db.insert('p', { id: 1 });
    db.createTable({
      name: 'oc',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'pid', type: 'integer' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'foreignKey', columns: ['pid'], references: { table: 'p' } }],
    });
    const fkError = {
      code: '23503',
      message: 'insert or update on table "oc" violates foreign key constraint "oc_pid_fkey"',
      detail: 'Key (pid)=(99) is not present in table "p".',
      constraint: 'oc_pid_fkey',
      table: 'oc',
    };
    expectPgError(() => db.insert('oc', { id: 1, pid: 99 }, { onConflict: { action: 'nothing' } }), fkError);
    db.insert('oc', { id: 1, pid: 1 });
    expect(db.insert('oc', { id: 1, pid: 99 }, { onConflict: { action: 'nothing' } })).toEqual([]);
    expectPgError(
      () =>
        db.insert(
          'oc',
          { id: 1, pid: 99 },
          { onConflict: { target: ['id'], action: { update: { pid: excluded('pid') } } } },
        ),
      fkError,
    );
    expect(db.rows('oc')).toEqual([{ id: 1, pid: 1 }]);
  });

  it('DO UPDATE fires UPDATE row triggers, and UPDATE statement triggers (even with no conflict) before the INSERT ones (PGlite probe e3)', () => {
    const db = new Database();
    const log: string[] = [];
    db.createTable({
      name: 'k',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'text' },
      ],
      primaryKey: ['id'],
    });
    db.insert('k', { id: 1, v: 'a' });
    for (const event of ['insert', 'update'] as const) {
      db.createTrigger({
        name: `row_${event}`,
        table: 'k',
        timing: 'after',
        events: [event],
        fn: ({ operation, newRow }) => {
          log.push(`${operation} ${newRow!.id}`);
        },
      });
      db.createTrigger({
        name: `stmt_${event}`,
        table: 'k',
        timing: 'after',
        events: [event],
        level: 'statement',
        fn: ({ operation }) => {
          log.push(`${operation} STATEMENT`);
        },
      });
    }
    db.insert(
      'k',
      [
        { id: 1, v: 'b' },
        { id: 2, v: 'c' },
      ],
      { onConflict: { target: ['id'], action: { update: { v: excluded('v') } } } },
    );
    expect(log).toEqual(['UPDATE 1', 'INSERT 2', 'UPDATE STATEMENT', 'INSERT STATEMENT']);
    log.length = 0;
    db.insert('k', { id: 3, v: 'd' }, { onConflict: { target: ['id'], action: { update: { v: excluded('v') } } } });
    expect(log).toEqual(['INSERT 3', 'UPDATE STATEMENT', 'INSERT STATEMENT']);
    log.length = 0;
    db.insert('k', { id: 3, v: 'd' }, { onConflict: { target: ['id'], action: 'nothing' } });
    expect(log).toEqual(['INSERT STATEMENT']);
    expect(sortedRows(db, 'k')).toEqual([
      { id: 1, v: 'b' },
      { id: 2, v: 'c' },
      { id: 3, v: 'd' },
    ]);
    expect(db.select('k', { where: eq(col('id'), 1) })).toEqual([{ id: 1, v: 'b' }]);
  });
});
