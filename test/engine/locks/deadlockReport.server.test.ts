/**
 * The lock manager's deadlock reports against the real server's: the same cycles of LOCK TABLE
 * waits over two and three sessions, and a lock upgrade, end in 40P01 for the same session with the
 * same DETAIL, once the server's process ids are read as session numbers and its relation oids as
 * table names (the permutation driver compares SQLSTATEs only, not the DETAIL).
 *
 * Session 0 runs with deadlock_timeout 100 ms and the others with 2 s, so session 0's check runs
 * first by a wide margin even on a busy machine (with equal timeouts the operating system decides
 * which waiting backend runs its check first when they are due close together).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockManager } from '../../../src/engine/locks/lockManager.js';
import type { TableLockMode } from '../../../src/engine/locks/modes.js';
import { lockModeSql } from '../../../src/engine/locks/modes.js';
import { VirtualClock } from '../../../src/engine/locks/virtualClock.js';
import { useServer } from '../../oracle/server/serverFixture.js';

const server = useServer();
const schemaName = `pgdrill_deadlock_report_${process.pid}`;
const TABLES = ['a', 'b', 'c'] as const;

/** One LOCK TABLE request: a session, a table, a mode; the first ones of each session open its transaction. */
interface Request {
  readonly session: number;
  readonly table: (typeof TABLES)[number];
  readonly mode: TableLockMode;
}

interface Report {
  readonly session: number;
  readonly detail: string;
}

/** The model's report also says whether the deadlock was found on joining the queue (no timer involved). */
interface ModelReport extends Report {
  readonly onJoining: boolean;
}

/** A server run also says how long issuing the requests took (real time, which the model has none of). */
interface ServerReport extends Report {
  readonly issuingMs: number;
}

let clients: pg.Client[] = [];
let pids: number[] = [];
let oids = new Map<number, string>();

function normalise(detail: string, processName: (id: number) => string, tableName: (oid: number) => string): string {
  return detail
    .replace(/relation (\d+) of database \d+/g, (_match, oid: string) => `relation ${tableName(Number(oid))}`)
    .replace(/process (\d+)/gi, (match, id: string) => `${match.slice(0, 1)}rocess ${processName(Number(id))}`);
}

/** Runs the requests on the server, each after the previous one waits or is granted; returns the 40P01. */
async function onServer(requests: readonly Request[]): Promise<ServerReport> {
  const pending: Promise<void>[] = [];
  let report: Report | null = null;
  const started = Date.now();
  let issuingMs = 0;
  const waiting = async (session: number): Promise<boolean> => {
    const rows = await clients[3]!.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [pids[session]]);
    return rows.rows.length > 0;
  };
  try {
    for (const client of clients.slice(0, 3)) await client.query('BEGIN');
    for (const request of requests) {
      const sql = `LOCK TABLE ${request.table} IN ${lockModeSql(request.mode)} MODE`;
      let done = false;
      pending.push(
        clients[request.session]!.query(sql).then(
          () => {
            done = true;
          },
          (error: { code?: string; detail?: string }) => {
            done = true;
            if (error.code === '40P01')
              report = {
                session: request.session,
                detail: normalise(
                  error.detail ?? '',
                  (pid) => `s${pids.indexOf(pid)}`,
                  (oid) => oids.get(oid) ?? String(oid),
                ),
              };
            return clients[request.session]!.query('ROLLBACK').then(() => {});
          },
        ),
      );
      // Settle: the request is granted, failed, or seen waiting (no time passes between requests).
      for (let polls = 0; polls < 2000 && !done && !(await waiting(request.session)); polls += 1)
        await new Promise((resolve) => setTimeout(resolve, 1));
    }
    issuingMs = Date.now() - started;
    // Until the server's deadlock check has picked its victim (bounded).
    for (let polls = 0; polls < 5000 && report === null; polls += 1)
      await new Promise((resolve) => setTimeout(resolve, 1));
  } finally {
    // Together: a session still waiting rolls back only once the one it waits for did.
    await Promise.all(clients.slice(0, 3).map((client) => client.query('ROLLBACK').catch(() => {})));
  }
  if (report === null) throw new Error('the server reported no deadlock');
  return { ...(report as Report), issuingMs };
}

/** The same requests on the lock manager, with the server's deadlock_timeout. */
const DEADLOCK_TIMEOUTS_MS = [100, 2000, 2000] as const;

function onModel(requests: readonly Request[]): ModelReport {
  const tableOid = (table: string): number => 16384 + TABLES.indexOf(table as (typeof TABLES)[number]);
  const locks = new LockManager(new VirtualClock(), { debug: true, processOf: (owner) => owner });
  for (const request of requests) {
    const result = locks.acquire(request.session, { kind: 'relation', oid: tableOid(request.table) }, request.mode, {
      timeouts: { deadlockTimeoutMs: DEADLOCK_TIMEOUTS_MS[request.session]! },
    });
    if (result.kind === 'failed')
      return {
        onJoining: true,
        session: request.session,
        detail: normalise(
          result.error.detail ?? '',
          (owner) => `s${owner}`,
          (oid) => TABLES[oid - 16384] ?? String(oid),
        ),
      };
  }
  for (let at = locks.nextTimerAt(); at !== null; at = locks.nextTimerAt()) {
    const failed = locks.fireTimersUntil(at).find((end) => end.kind === 'failed');
    if (failed !== undefined && failed.kind === 'failed')
      return {
        onJoining: false,
        session: failed.owner,
        detail: normalise(
          failed.error.detail ?? '',
          (owner) => `s${owner}`,
          (oid) => TABLES[oid - 16384] ?? String(oid),
        ),
      };
  }
  throw new Error('the lock manager reported no deadlock');
}

beforeAll(async () => {
  clients = [0, 1, 2, 3].map(() => new pg.Client({ connectionString: server.connectionString() }));
  for (const client of clients) {
    client.on('error', () => {});
    await client.connect();
  }
  await clients[3]!.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE; CREATE SCHEMA ${schemaName}`);
  for (const table of TABLES) await clients[3]!.query(`CREATE TABLE ${schemaName}.${table} (id int)`);
  for (const client of clients) await client.query(`SET search_path TO ${schemaName}`);
  for (const [session, ms] of DEADLOCK_TIMEOUTS_MS.entries())
    await clients[session]!.query(`SET deadlock_timeout = '${ms}ms'`);
  pids = [];
  for (const client of clients)
    pids.push((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  const rows = await clients[3]!.query<{ oid: number; relname: string }>(
    'SELECT c.oid::int AS oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
      'WHERE n.nspname = $1',
    [schemaName],
  );
  oids = new Map(rows.rows.map((row) => [row.oid, row.relname]));
});

afterAll(async () => {
  await clients[3]?.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
  for (const client of clients) await client.end().catch(() => {});
});

const CASES: readonly { readonly name: string; readonly requests: readonly Request[] }[] = [
  {
    name: 'two tables locked in opposite orders',
    requests: [
      { session: 0, table: 'a', mode: 'AccessExclusive' },
      { session: 1, table: 'b', mode: 'AccessExclusive' },
      { session: 0, table: 'b', mode: 'AccessShare' },
      { session: 1, table: 'a', mode: 'RowExclusive' },
    ],
  },
  {
    name: 'a cycle through three sessions',
    requests: [
      { session: 0, table: 'a', mode: 'AccessExclusive' },
      { session: 1, table: 'b', mode: 'AccessExclusive' },
      { session: 2, table: 'c', mode: 'AccessExclusive' },
      { session: 0, table: 'b', mode: 'Share' },
      { session: 1, table: 'c', mode: 'RowExclusive' },
      { session: 2, table: 'a', mode: 'AccessShare' },
    ],
  },
  {
    name: 'a lock upgrade, found on joining the queue',
    requests: [
      { session: 0, table: 'a', mode: 'AccessShare' },
      { session: 1, table: 'a', mode: 'AccessShare' },
      { session: 0, table: 'a', mode: 'AccessExclusive' },
      { session: 1, table: 'a', mode: 'AccessExclusive' },
    ],
  },
];

describe('deadlock reports: the lock manager says what the server says', () => {
  for (const { name, requests } of CASES)
    it(name, async () => {
      const model = onModel(requests);
      // The model assumes no time passes while requests are issued; a busy machine can make the waits
      // begin so far apart that another waiter's check runs first, so such a run is repeated. A
      // deadlock found on joining the queue involves no timer: the server finds it however late the
      // requests come (a check that fires first finds no cycle yet), so its timing is not judged.
      let server = await onServer(requests);
      if (!model.onJoining) {
        for (let attempt = 1; attempt < 5 && server.issuingMs >= DEADLOCK_TIMEOUTS_MS[0] / 2; attempt += 1)
          server = await onServer(requests);
        expect(server.issuingMs, 'the server was too busy to issue the requests in time').toBeLessThan(
          DEADLOCK_TIMEOUTS_MS[0] / 2,
        );
      }
      expect(server.detail).toMatch(/^Process s\d waits for \w+Lock on relation [abc]; blocked by process s\d\./);
      expect({ session: `s${model.session}`, detail: model.detail }).toEqual({
        session: `s${server.session}`,
        detail: server.detail,
      });
      expect(server.detail.split('\n')).toHaveLength(new Set(requests.map((request) => request.session)).size);
    });
});
