/**
 * The table locks of every statement kind against pg_locks on the real PostgreSQL 18 server. A
 * schema is built on the engine and on the server; then each probe statement runs in a transaction
 * on both: on the server it is followed by a read of the transaction's relation locks and rolled
 * back; on the engine `statementLocks` and `deferredLocks` predict them from the catalog before it
 * runs, and it is executed (to render it as SQL) and rolled back too. The two sets of (table, mode)
 * must be equal. Only tables and partitioned tables of the schema count (the model leaves index and
 * sequence locks out), and a table the statement itself creates is left out (no one else can see it).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arithmetic, col, Database, eq, fromCol, gt } from '../../../src/index.js';
import type { Statement } from '../../../src/index.js';
import { modeDominates, modeFromLockName } from '../../../src/engine/locks/modes.js';
import { deferredLocks, lockCatalogOf, statementLocks } from '../../../src/engine/locks/statementLocks.js';
import type { EngineState } from '../../../src/engine/session.js';
import { definitionOf } from '../../../src/engine/statements/registry.js';
import { catalogViewOf } from '../../../src/oracle/catalogView.js';
import { useServer } from '../../oracle/server/serverFixture.js';

const server = useServer();
const schemaName = `pgdrill_statement_locks_${process.pid}`;
let client: pg.Client;
let db: Database;

function stateOf(database: Database): EngineState {
  return (database as unknown as { readonly state: EngineState }).state;
}

function render(statement: Statement): string {
  return definitionOf(statement).render(statement, catalogViewOf(db));
}

/** The schema: a referenced table, FK children of each action, a partitioned table with an FK, a loose table. */
const SETUP: readonly Statement[] = [
  { kind: 'createSequence', name: 'seq', options: {} },
  {
    kind: 'createTable',
    spec: {
      name: 'p',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'integer' },
      ],
      primaryKey: ['id'],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'c_cascade',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
      constraints: [
        { kind: 'foreignKey', name: 'c_cascade_p', columns: ['p_id'], references: { table: 'p' }, onDelete: 'cascade' },
      ],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'c_plain',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
      constraints: [{ kind: 'foreignKey', name: 'c_plain_p', columns: ['p_id'], references: { table: 'p' } }],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'pt',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
      partitionBy: { list: 'k' },
      constraints: [{ kind: 'foreignKey', name: 'pt_p', columns: ['p_id'], references: { table: 'p' } }],
    },
  },
  { kind: 'createTable', spec: { name: 'pt1', partitionOf: { parent: 'pt', values: [1] } } },
  { kind: 'createTable', spec: { name: 'pt2', partitionOf: { parent: 'pt', values: [2] } } },
  {
    kind: 'createTable',
    spec: {
      name: 'loose',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'spare',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'q',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'integer' },
        { name: 'p_id', type: 'integer' },
      ],
      partitionBy: { list: 'k' },
    },
  },
  { kind: 'createTable', spec: { name: 'q1', partitionOf: { parent: 'q', values: [1] } } },
  { kind: 'createTable', spec: { name: 'qd', partitionOf: { parent: 'q', values: 'default' } } },
  { kind: 'createIndex', spec: { name: 'p_v_idx', table: 'p', columns: ['v'] } },
  {
    kind: 'addConstraint',
    table: 'loose',
    constraint: { kind: 'check', name: 'loose_k', expr: gt(col('k'), 0), notValid: true },
  },
  {
    kind: 'addConstraint',
    table: 'loose',
    constraint: { kind: 'foreignKey', name: 'loose_p', columns: ['p_id'], references: { table: 'p' }, notValid: true },
  },
  {
    kind: 'createTrigger',
    spec: {
      name: 'p_touch',
      table: 'p',
      timing: 'before',
      events: ['update'],
      functionName: 'p_touch',
      functionBody: 'BEGIN\n  RETURN NEW;\nEND',
      fn: ({ newRow }) => newRow,
    },
  },
  {
    kind: 'insert',
    table: 'p',
    rows: [
      { id: 1, v: 1 },
      { id: 2, v: 2 },
      { id: 3, v: 3 },
    ],
    options: {},
  },
  { kind: 'insert', table: 'c_cascade', rows: [{ id: 1, p_id: 2 }], options: {} },
  { kind: 'insert', table: 'c_plain', rows: [{ id: 1, p_id: 1 }], options: {} },
  { kind: 'insert', table: 'pt', rows: [{ id: 1, k: 1, p_id: 1 }], options: {} },
  { kind: 'insert', table: 'loose', rows: [{ id: 1, k: 3, p_id: 1 }], options: {} },
  { kind: 'createIndex', spec: { name: 'pt_v_only', table: 'pt', columns: ['k'], only: true } },
  { kind: 'createIndex', spec: { name: 'pt1_v_only', table: 'pt1', columns: ['k'] } },
];

/** One probe per statement kind (several for the kinds whose locks depend on the catalog). */
const PROBES: readonly Statement[] = [
  { kind: 'insert', table: 'p', rows: [{ id: 4, v: 4 }], options: {} },
  { kind: 'insert', table: 'pt', rows: [{ id: 2, k: 2, p_id: 1 }], options: {} },
  { kind: 'insert', table: 'c_plain', rows: [{ id: 2, p_id: 1 }], options: {} },
  { kind: 'update', table: 'p', set: { v: 5 }, where: eq(col('id'), 1), options: {} },
  { kind: 'update', table: 'p', set: { id: 9 }, where: eq(col('id'), 3), options: {} },
  { kind: 'update', table: 'pt', set: { p_id: 2 }, where: null, options: {} },
  { kind: 'update', table: 'c_plain', set: { id: 3 }, where: null, options: {} },
  // INSERT … SELECT into an unpartitioned table (rows routed into partitions lock them as they go).
  {
    kind: 'insertSelect',
    table: 'spare',
    columns: ['id', 'k', 'p_id'],
    query: {
      table: 'pt',
      select: [col('id'), col('k'), col('p_id')],
      where: eq(col('id'), 1),
      locking: { strength: 'Update' },
    },
    options: {},
  },
  {
    kind: 'insertSelect',
    table: 'c_plain',
    columns: ['id', 'p_id'],
    query: { table: 'p', select: [col('id'), col('v')], where: eq(col('id'), 3) },
    options: {},
  },
  // UPDATE … FROM changing the key: AccessShare on the FROM table, the FK check's RowShare on p.
  {
    kind: 'update',
    table: 'c_plain',
    set: { p_id: arithmetic('-', fromCol('loose', 'k'), 1) },
    from: { table: 'loose' },
    where: eq(col('id'), fromCol('loose', 'id')),
    options: {},
  },
  { kind: 'delete', table: 'p', where: eq(col('id'), 2), options: {} },
  { kind: 'delete', table: 'pt', where: null, options: {} },
  { kind: 'select', table: 'p', options: {} },
  { kind: 'select', table: 'pt', options: {} },
  { kind: 'select', table: 'pt', options: { locking: { strength: 'Update' } } },
  {
    kind: 'select',
    table: 'p',
    options: { where: eq(col('id'), 1), locking: { strength: 'KeyShare', wait: 'skipLocked' } },
  },
  { kind: 'nextval', sequence: 'seq' },
  { kind: 'setval', sequence: 'seq', value: 5 },
  { kind: 'createTable', spec: { name: 'fresh', columns: [{ name: 'id', type: 'integer' }] } },
  {
    kind: 'createTable',
    spec: {
      name: 'fresh_child',
      columns: [{ name: 'p_id', type: 'integer' }],
      constraints: [{ kind: 'foreignKey', columns: ['p_id'], references: { table: 'p' } }],
    },
  },
  { kind: 'createTable', spec: { name: 'pt3', partitionOf: { parent: 'pt', values: [3] } } },
  { kind: 'dropTable', name: 'c_plain', options: {} },
  { kind: 'dropTable', name: 'pt2', options: {} },
  { kind: 'dropTable', name: 'pt', options: {} },
  { kind: 'renameTable', name: 'loose', newName: 'loose2' },
  { kind: 'truncate', tables: ['c_plain'], options: {} },
  { kind: 'truncate', tables: ['p'], options: { cascade: true } },
  { kind: 'addColumn', table: 'p', column: { name: 'extra', type: 'integer' }, options: {} },
  { kind: 'addColumn', table: 'pt', column: { name: 'extra', type: 'integer' }, options: {} },
  { kind: 'dropColumn', table: 'pt', column: 'id', options: {} },
  { kind: 'setColumnDefault', table: 'p', column: 'v', value: 7 },
  { kind: 'setColumnNotNull', table: 'pt', column: 'id', notNull: true },
  { kind: 'renameColumn', table: 'pt', column: 'k', newName: 'k2' },
  { kind: 'setConstraints', constraints: 'all', mode: 'immediate' },
  {
    kind: 'addConstraint',
    table: 'pt',
    constraint: { kind: 'check', name: 'pt_k', expr: gt(col('k'), 0), notValid: true },
  },
  {
    kind: 'addConstraint',
    table: 'loose',
    constraint: { kind: 'foreignKey', name: 'loose_p2', columns: ['p_id'], references: { table: 'p' } },
  },
  {
    kind: 'addConstraint',
    table: 'pt',
    constraint: { kind: 'foreignKey', name: 'pt_p2', columns: ['p_id'], references: { table: 'p' }, notValid: true },
  },
  { kind: 'addConstraint', table: 'loose', constraint: { kind: 'unique', name: 'loose_id', columns: ['id'] } },
  { kind: 'validateConstraint', table: 'loose', name: 'loose_p' },
  { kind: 'validateConstraint', table: 'loose', name: 'loose_k' },
  { kind: 'dropConstraint', table: 'c_plain', name: 'c_plain_p', options: {} },
  { kind: 'dropConstraint', table: 'loose', name: 'loose_k', options: {} },
  { kind: 'renameConstraint', table: 'loose', name: 'loose_k', newName: 'loose_k2' },
  { kind: 'createIndex', spec: { name: 'pt_k_idx', table: 'pt', columns: ['k'] } },
  { kind: 'createIndex', spec: { name: 'loose_k_idx', table: 'loose', columns: ['k'] } },
  { kind: 'dropIndex', name: 'p_v_idx', options: {} },
  { kind: 'renameIndex', name: 'p_v_idx', newName: 'p_v_idx2' },
  { kind: 'createIndex', spec: { name: 'pt_only_k', table: 'pt', columns: ['k'], only: true } },
  { kind: 'attachIndex', parent: 'pt_v_only', partition: 'pt1_v_only' },
  { kind: 'attachPartition', parent: 'pt', partition: 'spare', values: [3] },
  { kind: 'attachPartition', parent: 'q', partition: 'spare', values: [2] },
  { kind: 'detachPartition', parent: 'q', partition: 'q1' },
  { kind: 'createTable', spec: { name: 'q2', partitionOf: { parent: 'q', values: [2] } } },
  { kind: 'dropTable', name: 'q1', options: {} },
  { kind: 'detachPartition', parent: 'pt', partition: 'pt1' },
  {
    kind: 'createTrigger',
    spec: {
      name: 'pt_touch',
      table: 'pt',
      timing: 'after',
      events: ['insert'],
      functionName: 'pt_touch',
      functionBody: 'BEGIN\n  RETURN NULL;\nEND',
      fn: () => null,
    },
  },
  { kind: 'dropTrigger', table: 'p', name: 'p_touch', options: {} },
  { kind: 'disableTrigger', table: 'p', name: 'p_touch' },
  { kind: 'enableTrigger', table: 'p', name: 'p_touch' },
  { kind: 'createSequence', name: 'seq_new', options: {} },
  { kind: 'dropSequence', name: 'seq' },
  { kind: 'renameSequence', name: 'seq', newName: 'seq_renamed' },
  { kind: 'setSequenceOwner', sequence: 'seq', owner: { table: 'p', column: 'v' } },
  { kind: 'lockTable', tables: ['pt', 'c_plain'], mode: 'ShareRowExclusive', nowait: false },
];

interface ServerLock {
  readonly oid: number;
  readonly mode: string;
  readonly relname: string | null;
  readonly relkind: string | null;
}

let tablesBefore = new Map<number, { name: string; kind: string }>();

async function schemaTables(): Promise<Map<number, { name: string; kind: string }>> {
  const rows = await client.query<{ oid: number; relname: string; relkind: string }>(
    'SELECT c.oid::int AS oid, c.relname, c.relkind::text AS relkind FROM pg_class c ' +
      'JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1',
    [schemaName],
  );
  return new Map(rows.rows.map((row) => [row.oid, { name: row.relname, kind: row.relkind }]));
}

/**
 * The locks that matter to other transactions: per table, the modes no other mode held on it
 * dominates (`modeDominates`). PostgreSQL also takes weaker modes incidentally (an AccessShare while
 * opening a relation for DDL, the RowShare of a foreign-key check on a table the statement already
 * holds RowExclusive on, a cache warm-up on the first UPDATE of a partitioned table in a session);
 * after the stronger one, such a lock neither waits nor blocks anyone.
 */
function relevant(locks: readonly string[]): string[] {
  const parsed = [...new Set(locks)].map((lock) => {
    const [table, name] = lock.split(' ') as [string, string];
    return { table, mode: modeFromLockName(name)! };
  });
  return parsed
    .filter(
      ({ table, mode }) =>
        !parsed.some((other) => other.table === table && other.mode !== mode && modeDominates(other.mode, mode)),
    )
    .map(({ table, mode }) => `${table} ${mode}Lock`)
    .sort();
}

/** The (table, mode) pairs the transaction holds on the schema's pre-existing tables. */
async function serverLocks(): Promise<string[]> {
  const rows = await client.query<ServerLock>(
    'SELECT l.relation::int AS oid, l.mode, c.relname, c.relkind::text AS relkind FROM pg_locks l ' +
      "LEFT JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'",
  );
  const locks = new Set<string>();
  for (const row of rows.rows) {
    const before = tablesBefore.get(row.oid);
    if (before === undefined || (before.kind !== 'r' && before.kind !== 'p')) continue;
    locks.add(`${before.name} ${row.mode}`);
  }
  return [...locks].sort();
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE; CREATE SCHEMA ${schemaName}`);
  await client.query(`SET search_path TO ${schemaName}`);
  db = new Database();
  for (const statement of SETUP) {
    db.execute(statement);
    await client.query(render(statement));
  }
  tablesBefore = await schemaTables();
});

afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
  await client?.end();
});

describe('statement locks: the engine predicts pg_locks', () => {
  for (const [index, probe] of PROBES.entries()) {
    it(`${index + 1}. ${probe.kind}`, async () => {
      const catalog = lockCatalogOf(stateOf(db).relations);
      const predicted = [...statementLocks(probe, catalog), ...deferredLocks(probe, catalog)].map(
        (lock) => `${lock.table} ${lock.mode}Lock`,
      );
      db.begin();
      let sql: string;
      try {
        db.execute(probe);
        sql = render(probe);
      } finally {
        db.rollback();
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        const observed = await serverLocks();
        expect(relevant(predicted).join(', '), sql).toBe(relevant(observed).join(', '));
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }
});
