/**
 * The lock manager as a `SessionBackend`, so the permutation driver runs the same table-lock
 * programs on it as on the real server and the two outcomes can be compared step by step. It
 * understands only what those programs say: `CREATE TABLE` in the setup (each table gets an oid),
 * and in steps `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`, `ROLLBACK TO SAVEPOINT`,
 * `RELEASE SAVEPOINT`, `SET lock_timeout / deadlock_timeout`, and `LOCK TABLE … IN … MODE [NOWAIT]`.
 * It holds no rows (every table reads empty).
 *
 * Time is virtual and passes only in `settle`, as the driver's contract says: right after an issue
 * only to break a waits-for cycle (the server's deadlock check), while waiting for a session or for
 * the end, timer by timer. Like PostgreSQL, a failed statement inside a transaction block aborts
 * the transaction at once (its locks are released), and the block refuses further statements with
 * 25P02 until ROLLBACK.
 */
import type { LockTimeouts, OwnerId, WaitEnd } from '../../../../src/engine/locks/lockManager.js';
import { LockManager } from '../../../../src/engine/locks/lockManager.js';
import type { TableLockMode } from '../../../../src/engine/locks/modes.js';
import { lockModeName, lockModeSql, TABLE_LOCK_MODES } from '../../../../src/engine/locks/modes.js';
import { VirtualClock } from '../../../../src/engine/locks/virtualClock.js';
import type {
  BackendRun,
  SessionBackend,
  SettleGoal,
  SettleReport,
  StepResult,
  TableContents,
  WaitingStep,
} from '../../../../src/oracle/server/sessionBackend.js';

type Statement =
  | { readonly kind: 'begin' | 'commit' | 'rollback' | 'none' }
  | { readonly kind: 'savepoint' | 'rollbackTo' | 'release'; readonly name: string }
  | { readonly kind: 'set'; readonly setting: 'lock_timeout' | 'deadlock_timeout'; readonly ms: number }
  | {
      readonly kind: 'lock';
      readonly tables: readonly string[];
      readonly mode: TableLockMode;
      readonly nowait: boolean;
    };

const MODE_BY_SQL = new Map(TABLE_LOCK_MODES.map((mode) => [lockModeSql(mode), mode]));

function parseStatement(text: string): Statement {
  const sql = text.trim().replace(/\s+/g, ' ');
  const upper = sql.toUpperCase();
  if (upper === 'BEGIN' || upper === 'START TRANSACTION') return { kind: 'begin' };
  if (upper === 'COMMIT' || upper === 'END') return { kind: 'commit' };
  if (upper === 'ROLLBACK' || upper === 'ABORT') return { kind: 'rollback' };
  let match = /^SAVEPOINT (\w+)$/i.exec(sql);
  if (match !== null) return { kind: 'savepoint', name: match[1]!.toLowerCase() };
  match = /^ROLLBACK TO (?:SAVEPOINT )?(\w+)$/i.exec(sql);
  if (match !== null) return { kind: 'rollbackTo', name: match[1]!.toLowerCase() };
  match = /^RELEASE (?:SAVEPOINT )?(\w+)$/i.exec(sql);
  if (match !== null) return { kind: 'release', name: match[1]!.toLowerCase() };
  match = /^SET (lock_timeout|deadlock_timeout) (?:=|TO) '?(\d+)(ms|s)?'?$/i.exec(sql);
  if (match !== null) {
    const ms = Number(match[2]) * (match[3]?.toLowerCase() === 's' ? 1000 : 1);
    return { kind: 'set', setting: match[1]!.toLowerCase() as 'lock_timeout' | 'deadlock_timeout', ms };
  }
  match = /^LOCK (?:TABLE )?(.+?) IN (.+?) MODE( NOWAIT)?$/i.exec(sql);
  if (match !== null) {
    const mode = MODE_BY_SQL.get(match[2]!.toUpperCase());
    if (mode === undefined) throw new Error(`unknown lock mode in: ${sql}`);
    const tables = match[1]!.split(',').map((table) => table.trim().toLowerCase());
    return { kind: 'lock', tables, mode, nowait: match[3] !== undefined };
  }
  if (sql === '') return { kind: 'none' };
  throw new Error(`the lock model backend does not understand: ${sql}`);
}

function parseStep(sql: string): Statement[] {
  return sql
    .split(';')
    .map(parseStatement)
    .filter((statement) => statement.kind !== 'none');
}

interface SessionState {
  /** The transaction's owner id while a block is open (or a statement runs in autocommit). */
  owner: OwnerId | null;
  block: 'none' | 'open' | 'failed';
  savepoints: { name: string; subtransaction: number }[];
  nextSubtransaction: number;
  /** The step in flight: the statements not yet run; null when none is in flight. */
  pending: Statement[] | null;
  /** Index (into the step's table list) of the LOCK TABLE statement's next table. */
  nextTable: number;
  /** The result of the step in flight, once it is done. */
  result: StepResult | null;
  /** SET lock_timeout / deadlock_timeout: session settings, passed with every request. */
  timeouts: LockTimeouts;
}

const ok = (): StepResult => ({ ok: true, rowCount: 0 });
const failed = (code: string, message: string): StepResult => ({ ok: false, code, constraint: null, message });

/** `deadlockTimeoutMs`: the server's deadlock_timeout, every session's default. */
export function lockModelBackend(deadlockTimeoutMs: number): SessionBackend {
  return {
    description: 'pgdrill lock manager (virtual time)',
    async begin(setup, sessionSetups) {
      return new ModelRun(setup, sessionSetups, deadlockTimeoutMs);
    },
    async close() {},
  };
}

class ModelRun implements BackendRun {
  readonly #locks: LockManager;
  readonly #tables = new Map<string, number>();
  readonly #sessions: SessionState[];
  readonly #sessionOfOwner = new Map<OwnerId, number>();
  #nextOwner = 1;
  /** Completions and waits since the last settle reported them. */
  #completed: { session: number; result: StepResult }[] = [];
  #waited = new Map<number, WaitingStep>();

  constructor(setup: readonly string[], sessionSetups: readonly (readonly string[])[], deadlockTimeoutMs: number) {
    this.#locks = new LockManager(new VirtualClock(), {
      debug: true,
      processOf: (owner) => this.#sessionOfOwner.get(owner) ?? -1,
    });
    for (const statement of setup) {
      const created = /^CREATE TABLE (\w+)/i.exec(statement.trim());
      if (created !== null) this.#tables.set(created[1]!.toLowerCase(), 16384 + this.#tables.size);
    }
    this.#sessions = sessionSetups.map(() => ({
      owner: null,
      block: 'none',
      savepoints: [],
      nextSubtransaction: 1,
      pending: null,
      nextTable: 0,
      result: null,
      timeouts: { lockTimeoutMs: 0, deadlockTimeoutMs },
    }));
    sessionSetups.forEach((statements, session) => {
      this.issue(session, statements.join(';'));
      const state = this.#sessions[session]!;
      if (state.result === null || !state.result.ok) throw new Error(`session ${session} setup failed`);
      state.pending = null;
      state.result = null;
    });
    this.#completed = [];
  }

  issue(session: number, sql: string): void {
    const state = this.#sessions[session];
    if (state === undefined || state.pending !== null) throw new Error(`session ${session} cannot take a step now`);
    state.pending = parseStep(sql);
    state.nextTable = 0;
    state.result = null;
    this.#advance(session);
  }

  async settle(goal: SettleGoal, boundMs: number): Promise<SettleReport> {
    const deadline = this.#locks.clock.now() + boundMs;
    let reached = true;
    for (let iterations = 0; ; iterations += 1) {
      if (iterations > 10_000) throw new Error('settle ran away');
      const inFlight = this.#sessions.some((state) => state.pending !== null);
      if (!inFlight) break;
      let wanted: boolean;
      if (goal.kind === 'allDone') wanted = true;
      else if (goal.kind === 'sessionDone' && this.#sessions[goal.session]!.pending !== null) wanted = true;
      else wanted = this.#hasCycle();
      if (!wanted) break;
      const next = this.#locks.nextTimerAt();
      if (next === null || next > deadline) {
        reached = false;
        break;
      }
      this.#absorb(this.#locks.fireTimersUntil(next));
    }
    const waiting = this.#sessions.flatMap((state, session) =>
      state.pending === null ? [] : [this.#waitingStep(session)],
    );
    const report: SettleReport = {
      completed: this.#completed,
      waiting,
      waited: [...this.#waited.values()].sort((a, b) => a.session - b.session),
      reached,
      timingViolation: null,
    };
    this.#completed = [];
    this.#waited = new Map();
    return report;
  }

  async finish(): Promise<{ readonly cancelled: readonly number[] }> {
    const cancelled: number[] = [];
    this.#sessions.forEach((state, session) => {
      if (state.pending !== null) {
        cancelled.push(session);
        state.pending = null;
      }
      if (state.owner !== null) this.#endTransaction(session);
    });
    return { cancelled };
  }

  async contents(): Promise<readonly TableContents[]> {
    return [...this.#tables.keys()].sort().map((table) => ({ table, rows: [] }));
  }

  /** Runs the step in flight until it waits or is done. */
  #advance(session: number): void {
    const state = this.#sessions[session]!;
    const statements = state.pending!;
    while (statements.length > 0) {
      const statement = statements[0]!;
      const outcome = this.#run(session, statement);
      if (outcome === 'waiting') {
        if (!this.#waited.has(session)) this.#waited.set(session, this.#waitingStep(session));
        return;
      }
      if (outcome !== null) {
        this.#finishStep(session, outcome);
        return;
      }
      statements.shift();
      state.nextTable = 0;
    }
    this.#finishStep(session, ok());
  }

  /** One statement: null when it succeeded, 'waiting', or the step's failure. */
  #run(session: number, statement: Statement): StepResult | 'waiting' | null {
    const state = this.#sessions[session]!;
    // COMMIT of an aborted block rolls it back without an error, as PostgreSQL's does.
    const endsBlock = statement.kind === 'rollback' || statement.kind === 'rollbackTo' || statement.kind === 'commit';
    if (state.block === 'failed' && !endsBlock)
      return failed('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
    switch (statement.kind) {
      case 'begin':
        if (state.block === 'none') {
          state.block = 'open';
          this.#ownerOf(session);
        }
        return null;
      case 'commit':
      case 'rollback':
        this.#endTransaction(session);
        return null;
      case 'savepoint':
        if (state.block === 'none') return failed('25P01', 'SAVEPOINT can only be used in transaction blocks');
        state.savepoints.push({ name: statement.name, subtransaction: state.nextSubtransaction++ });
        return null;
      case 'rollbackTo':
      case 'release': {
        const index = state.savepoints.map((savepoint) => savepoint.name).lastIndexOf(statement.name);
        if (index < 0) return failed('3B001', `savepoint "${statement.name}" does not exist`);
        const savepoint = state.savepoints[index]!;
        if (statement.kind === 'rollbackTo') {
          this.#wake(this.#locks.rollbackSubtransaction(state.owner!, savepoint.subtransaction));
          state.savepoints.length = index;
          state.savepoints.push({ name: savepoint.name, subtransaction: state.nextSubtransaction++ });
          state.block = 'open';
        } else {
          const parent = state.savepoints[index - 1]?.subtransaction ?? 0;
          this.#locks.commitSubtransaction(state.owner!, savepoint.subtransaction, parent);
          state.savepoints.length = index;
        }
        return null;
      }
      case 'set':
        state.timeouts =
          statement.setting === 'lock_timeout'
            ? { ...state.timeouts, lockTimeoutMs: statement.ms }
            : { ...state.timeouts, deadlockTimeoutMs: statement.ms };
        return null;
      case 'lock': {
        if (state.block === 'none') return failed('25P01', 'LOCK TABLE can only be used in transaction blocks');
        const owner = this.#ownerOf(session);
        for (; state.nextTable < statement.tables.length; state.nextTable += 1) {
          const table = statement.tables[state.nextTable]!;
          const oid = this.#tables.get(table);
          if (oid === undefined) throw new Error(`unknown table ${table}`);
          const result = this.#locks.acquire(owner, { kind: 'relation', oid }, statement.mode, {
            nowait: statement.nowait,
            relationName: table,
            subtransaction: state.savepoints.at(-1)?.subtransaction ?? 0,
            timeouts: state.timeouts,
          });
          if (result.kind === 'waiting') return 'waiting';
          if (result.kind === 'failed') return this.#fail(session, result.error.code, result.error.message);
        }
        return null;
      }
      case 'none':
        return null;
    }
  }

  /** A failed statement aborts its transaction (or its subtransaction: not used by these programs). */
  #fail(session: number, code: string, message: string): StepResult {
    const state = this.#sessions[session]!;
    this.#wake(this.#locks.releaseAll(state.owner!));
    state.block = state.block === 'none' ? 'none' : 'failed';
    return failed(code, message);
  }

  #finishStep(session: number, result: StepResult): void {
    const state = this.#sessions[session]!;
    state.pending = null;
    state.result = result;
    this.#completed.push({ session, result });
  }

  #endTransaction(session: number): void {
    const state = this.#sessions[session]!;
    const owner = state.owner;
    state.block = 'none';
    state.savepoints = [];
    if (owner === null) return;
    state.owner = null;
    this.#wake(this.#locks.releaseAll(owner));
  }

  #ownerOf(session: number): OwnerId {
    const state = this.#sessions[session]!;
    if (state.owner === null) {
      state.owner = this.#nextOwner++;
      this.#sessionOfOwner.set(state.owner, session);
    }
    return state.owner;
  }

  #wake(owners: readonly OwnerId[]): void {
    for (const owner of owners) {
      const session = this.#sessionOfOwner.get(owner)!;
      this.#sessions[session]!.nextTable += 1;
      this.#advance(session);
    }
  }

  #absorb(ended: readonly WaitEnd[]): void {
    for (const end of ended) {
      const session = this.#sessionOfOwner.get(end.owner)!;
      if (end.kind === 'granted') {
        this.#sessions[session]!.nextTable += 1;
        this.#advance(session);
      } else {
        const state = this.#sessions[session]!;
        if (state.pending === null) continue;
        this.#finishStep(session, this.#fail(session, end.error.code, end.error.message));
      }
    }
  }

  #waitingStep(session: number): WaitingStep {
    const owner = this.#sessions[session]!.owner!;
    const wait = this.#locks.waitOf(owner)!;
    const table = [...this.#tables.entries()].find(
      ([, oid]) => wait.tag.kind === 'relation' && wait.tag.oid === oid,
    )?.[0];
    return {
      session,
      blockedBy: [...new Set(wait.blockers.map((blocker) => this.#sessionOfOwner.get(blocker)!))].sort((a, b) => a - b),
      lock: `${lockModeName(wait.mode)} on relation ${table ?? '?'}`,
    };
  }

  #hasCycle(): boolean {
    const edges = new Map<OwnerId, readonly OwnerId[]>();
    for (const owner of this.#locks.owners())
      if (this.#locks.isWaiting(owner)) edges.set(owner, this.#locks.blockersOf(owner));
    const state = new Map<OwnerId, 'open' | 'closed'>();
    const visit = (owner: OwnerId): boolean => {
      const seen = state.get(owner);
      if (seen === 'open') return true;
      if (seen === 'closed') return false;
      state.set(owner, 'open');
      for (const next of edges.get(owner) ?? []) if (edges.has(next) && visit(next)) return true;
      state.set(owner, 'closed');
      return false;
    };
    return [...edges.keys()].some(visit);
  }
}
