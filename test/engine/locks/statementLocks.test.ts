/**
 * Every registered statement kind has a lock rule (this fails when a kind is added without one),
 * transaction control takes no table lock, and the rules read the catalog as PostgreSQL does on a
 * few shapes checked by hand here (the full comparison with pg_locks is the server test). LOCK TABLE
 * as a statement value: refused outside a transaction block, checks its tables, renders as SQL.
 */
import { describe, expect, it } from 'vitest';
import { Database } from '../../../src/index.js';
import type { EngineState } from '../../../src/engine/session.js';
import { deferredLocks, hasLockRule, lockCatalogOf, statementLocks } from '../../../src/engine/locks/statementLocks.js';
import { STATEMENT_KINDS } from '../../../src/engine/statements/registry.js';
import { lockTableKind } from '../../../src/engine/statements/lockTable.js';

/** The engine state behind a facade: the lock rules read the engine's catalog, which the facade keeps private. */
function stateOf(db: Database): EngineState {
  return (db as unknown as { readonly state: EngineState }).state;
}

function schema(): Database {
  const db = new Database();
  db.createTable({ name: 'p', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
  db.createTable({
    name: 'pt',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'k', type: 'integer' },
      { name: 'p_id', type: 'integer' },
    ],
    partitionBy: { list: 'k' },
    constraints: [{ kind: 'foreignKey', name: 'pt_p', columns: ['p_id'], references: { table: 'p' } }],
  });
  db.createTable({ name: 'pt1', partitionOf: { parent: 'pt', values: [1] } });
  db.createTable({ name: 'pt2', partitionOf: { parent: 'pt', values: [2] } });
  return db;
}

describe('statement lock rules', () => {
  it('exist for every registered statement kind', () => {
    const missing = Object.keys(STATEMENT_KINDS).filter((kind) => !hasLockRule(kind));
    expect(missing).toEqual([]);
  });

  it('take no table lock for transaction control', () => {
    const catalog = lockCatalogOf(stateOf(schema()).relations);
    for (const statement of [
      { kind: 'begin' },
      { kind: 'commit' },
      { kind: 'rollback' },
      { kind: 'savepoint', name: 's' },
      { kind: 'rollbackToSavepoint', name: 's' },
      { kind: 'releaseSavepoint', name: 's' },
    ] as const)
      expect(statementLocks(statement, catalog)).toEqual([]);
  });

  it('lock the routed partition of an INSERT only, and the referenced table when its FK check runs', () => {
    const catalog = lockCatalogOf(stateOf(schema()).relations);
    const insert = { kind: 'insert', table: 'pt', rows: [{ id: 1, k: 2, p_id: 7 }], options: {} } as const;
    expect(statementLocks(insert, catalog).map((lock) => [lock.table, lock.mode])).toEqual([
      ['pt', 'RowExclusive'],
      ['pt2', 'RowExclusive'],
    ]);
    expect(deferredLocks(insert, catalog).map((lock) => [lock.table, lock.mode])).toEqual([['p', 'RowShare']]);
    const nullKey = { ...insert, rows: [{ id: 1, k: 2, p_id: null }] };
    expect(deferredLocks(nullKey, catalog)).toEqual([]);
  });

  it('lock a partitioned table and all its partitions for UPDATE and LOCK TABLE', () => {
    const catalog = lockCatalogOf(stateOf(schema()).relations);
    const update = { kind: 'update', table: 'pt', set: { id: 5 }, where: null, options: {} } as const;
    expect(statementLocks(update, catalog).map((lock) => lock.table)).toEqual(['pt', 'pt1', 'pt2']);
    const lock = { kind: 'lockTable', tables: ['pt'], mode: 'Share', nowait: false } as const;
    expect(statementLocks(lock, catalog).map((entry) => `${entry.table} ${entry.mode}`)).toEqual([
      'pt Share',
      'pt1 Share',
      'pt2 Share',
    ]);
  });
});

describe('LOCK TABLE as a statement', () => {
  it('is refused outside a transaction block and checks that its tables exist', () => {
    const db = schema();
    const statement = { kind: 'lockTable', tables: ['p'], mode: 'AccessExclusive', nowait: true } as const;
    expect(() => db.execute(statement)).toThrow(
      expect.objectContaining({ code: '25P01', message: 'LOCK TABLE can only be used in transaction blocks' }),
    );
    db.begin();
    db.execute(statement);
    expect(() => db.execute({ ...statement, tables: ['p', 'nope'] })).toThrow(
      expect.objectContaining({ code: '42P01' }),
    );
    db.rollback();
  });

  it('renders as PostgreSQL spells it', () => {
    const render = (statement: Parameters<typeof lockTableKind.render>[0]) =>
      lockTableKind.render(statement, { columns: () => null, partitionKey: () => null });
    expect(render({ kind: 'lockTable', tables: ['a', 'B'], mode: 'ShareRowExclusive', nowait: false })).toBe(
      'LOCK TABLE a, "B" IN SHARE ROW EXCLUSIVE MODE',
    );
    expect(render({ kind: 'lockTable', tables: ['a'], mode: 'AccessShare', nowait: true })).toBe(
      'LOCK TABLE a IN ACCESS SHARE MODE NOWAIT',
    );
  });
});
