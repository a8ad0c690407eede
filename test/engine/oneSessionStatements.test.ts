import { describe, expect, it } from 'vitest';
import { Database, PgError, col, eq, excluded } from '../../src/index.js';
import type { Row } from '../../src/index.js';

/**
 * With one session open, INSERT, UPDATE and DELETE (and a cascade's DELETE) run without generators
 * (`executeInsertNow`, `executeUpdateNow`, `executeDeleteNow`); once a second session is open they
 * run as resumable executions (docs/statements.md, "One session runs without generators"). The
 * same statements must give the same results, errors, trigger firings and final rows either way.
 */
function world(): { db: Database; log: string[] } {
  const db = new Database();
  const log: string[] = [];
  db.createTable({
    name: 'par',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'ch',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'pid', type: 'bigint', notNull: true },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', columns: ['pid'], references: { table: 'par', columns: ['id'] }, onDelete: 'cascade' },
    ],
  });
  db.createTable({
    name: 'gch',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'cid', type: 'bigint', notNull: true },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', columns: ['cid'], references: { table: 'ch', columns: ['id'] }, onDelete: 'restrict' },
    ],
  });
  db.createTrigger({
    name: 'par_keep_three',
    table: 'par',
    timing: 'before',
    events: ['delete'],
    fn: ({ oldRow }) => (oldRow?.id === 3 ? null : undefined),
  });
  db.createTrigger({
    name: 'ch_note_changed',
    table: 'ch',
    timing: 'after',
    events: ['update'],
    updateOf: ['note'],
    fn: ({ oldRow, newRow }) => {
      log.push(`note of ${String(newRow?.id)}: ${String(oldRow?.note)} -> ${String(newRow?.note)}`);
    },
  });
  db.createTrigger({
    name: 'ch_deleted',
    table: 'ch',
    timing: 'after',
    events: ['delete'],
    level: 'statement',
    referencing: { oldTable: 'old_table' },
    fn: ({ oldTable }) => {
      log.push(`ch deleted ${oldTable.map((row) => String(row.id)).join(',')}`);
    },
  });
  db.insert('par', [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  db.insert('ch', [
    { id: 10, pid: 1 },
    { id: 20, pid: 2 },
    { id: 21, pid: 2 },
    { id: 40, pid: 4 },
  ]);
  db.insert('gch', [{ id: 100, cid: 10 }]);
  return { db, log };
}

/** Each statement's rows, or its SQLSTATE and constraint when it fails. */
function script(db: Database): unknown[] {
  const outcome = (statement: () => readonly Row[]): unknown => {
    try {
      return statement();
    } catch (error) {
      if (!(error instanceof PgError)) throw error;
      return { code: error.code, constraint: error.constraint ?? null };
    }
  };
  return [
    // UPDATE OF note fires for the first only.
    outcome(() => db.update('ch', { note: 'x' }, eq(col('id'), 10))),
    outcome(() => db.update('ch', { pid: 4 }, eq(col('id'), 21))),
    // Cascades to 20 (21 moved away); the statement trigger sees the cascaded rows.
    outcome(() => db.delete('par', eq(col('id'), 2))),
    // The BEFORE trigger keeps 3: nothing deleted.
    outcome(() => db.delete('par', eq(col('id'), 3))),
    // Cascades to 10, which gch restricts: 23001, and nothing of it stays.
    outcome(() => db.delete('par', eq(col('id'), 1))),
    // An upsert meeting the same key twice: 21000; a plain insert doing so: 23505.
    outcome(() =>
      db.insert(
        'ch',
        [
          { id: 40, pid: 4, note: 'a' },
          { id: 40, pid: 4, note: 'b' },
        ],
        {
          onConflict: { target: ['id'], action: { update: { note: excluded('note') } } },
        },
      ),
    ),
    outcome(() =>
      db.insert('ch', [
        { id: 50, pid: 4 },
        { id: 50, pid: 4 },
      ]),
    ),
    // An upsert updating once, and one inserting.
    outcome(() =>
      db.insert(
        'ch',
        [
          { id: 40, pid: 4, note: 'c' },
          { id: 41, pid: 4, note: 'd' },
        ],
        {
          onConflict: { target: ['id'], action: { update: { note: excluded('note') } } },
        },
      ),
    ),
    // Every row: UPDATE OF fires for each; then a cascade of two rows.
    outcome(() => db.update('ch', { note: 'z' })),
    outcome(() => db.delete('par', eq(col('id'), 4))),
  ];
}

describe('statements with one session open and with several behave alike', () => {
  it('INSERT, UPDATE, DELETE and cascades: results, errors, trigger firings and final rows', () => {
    const single = world();
    const singleOutcomes = script(single.db);
    const versioned = world();
    versioned.db.openSession();
    const versionedOutcomes = script(versioned.db);
    expect(versionedOutcomes).toEqual(singleOutcomes);
    expect(versioned.log).toEqual(single.log);
    for (const table of ['par', 'ch', 'gch']) expect(versioned.db.select(table)).toEqual(single.db.select(table));
    // What one session did, as PostgreSQL does it.
    expect(singleOutcomes.slice(2, 7)).toEqual([
      [{ id: 2, name: null }],
      [],
      { code: '23001', constraint: 'gch_cid_fkey' },
      { code: '21000', constraint: null },
      { code: '23505', constraint: 'ch_pkey' },
    ]);
    expect(single.log).toEqual([
      'note of 10: null -> x',
      'ch deleted 20',
      'note of 40: null -> c',
      'note of 10: x -> z',
      'note of 21: null -> z',
      'note of 40: c -> z',
      'note of 41: d -> z',
      'ch deleted 21,40,41',
    ]);
    expect(single.db.select('par').map((row) => row.id)).toEqual([1, 3]);
    expect(single.db.select('ch').map((row) => row.id)).toEqual([10]);
  });
});
