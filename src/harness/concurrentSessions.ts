/**
 * The sessions of a concurrent scenario (docs/plans.md, "concurrency"): engine sessions on the
 * world's database under one deterministic `Scheduler`, each running at most one operation at a
 * time as a coroutine of statements (src/coroutines/sessionRunner.ts). The scenario decides what
 * happens: which operation starts in which session, which session advances by one statement,
 * when the virtual clock moves to the next deadlock check, lock_timeout or the wake-up of a session
 * that sleeps (`tx.sleep`). Sessions are finished in a fixed order (`nextRunnable`: lowest session
 * first, the clock only when every unfinished session waits or sleeps), so a scenario replays byte
 * for byte.
 *
 * Sessions are numbered from 1 in scenarios and reports (`s1`, `s2`); the scheduler counts from 0.
 */
import { assert } from '../engine/assert.js';
import { Scheduler } from '../engine/sessions/scheduler.js';
import type { StatementOutcome, WaitReport } from '../engine/sessions/scheduler.js';
import { RenderError } from '../engine/sql/renderError.js';
import { renderStatement } from '../engine/statements/execute.js';
import type { Statement } from '../engine/statements/registry.js';
import { SessionRunner } from '../coroutines/sessionRunner.js';
import { Tx } from '../coroutines/transactionApi.js';
import type { Pause } from '../coroutines/transactionApi.js';
import type { Database } from '../database.js';
import { catalogViewOf } from '../oracle/catalogView.js';
import type { Session } from '../session.js';
import type { LockWaitRecord, OperationOutcome, OperationRole, StartedOperation } from './domain.js';

/** One thing a session did, as the trace shows it. */
export interface SessionAction {
  /** 1-based. */
  readonly session: number;
  readonly label: string;
  readonly outcome: string;
  /** The operation's outcome, when its last statement completed in this action. */
  readonly finished: OperationOutcome | null;
  /** True when a transaction of this session ended (a commit point: invariants are checked). */
  readonly ended: boolean;
}

/**
 * One statement a session started, resumed or finished, for the oracle's multi-session export
 * (src/oracle/concurrentExport.ts). `sql` is rendered when the statement is first issued, against the
 * catalog of that moment (null with `renderError` when it cannot be rendered).
 */
export interface SessionStatementEvent {
  /** 1-based. */
  readonly session: number;
  readonly statement: Statement;
  readonly sql: string | null;
  readonly renderError: string | null;
  /** The database's logical clock when the statement was issued (what `now()` reads). */
  readonly clock: number;
  /** True when this event resumes a statement that waited (it was issued by an earlier event). */
  readonly resumed: boolean;
  /** How it ended, when it completed in this advance. */
  readonly outcome:
    | { readonly ok: true }
    | { readonly ok: false; readonly code: string; readonly constraint: string | null }
    | null;
  /** The lock it waits for (sessions 1-based), when it did not complete. */
  readonly wait: { readonly blockedBy: readonly number[]; readonly lock: string } | null;
}

export type SessionStatementListener = (event: SessionStatementEvent) => void;

/** Statement text for reports: SQL when labels are wanted, else the kind alone (searching is faster). */
function statementText(statement: Statement | Pause, db: Database, readable: boolean): string {
  if (statement.kind === 'pause') return readable ? `sleep ${statement.milliseconds} ms` : 'sleep';
  if (!readable) return statement.kind;
  try {
    return renderStatement(statement, catalogViewOf(db));
  } catch {
    // A statement on a table that no longer exists still gets a name in the report.
    return statement.kind;
  }
}

/** The statement as SQL for an export, or why it cannot be rendered. */
function renderedForExport(statement: Statement, db: Database): { sql: string | null; renderError: string | null } {
  try {
    return { sql: renderStatement(statement, catalogViewOf(db)), renderError: null };
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { sql: null, renderError: error.message };
  }
}

function outcomeText(outcome: StatementOutcome): string {
  if (!outcome.ok) return `ERROR ${outcome.error.code} ${outcome.error.message}`;
  const value = outcome.value;
  if (Array.isArray(value)) return `${value.length} row${value.length === 1 ? '' : 's'}`;
  // Statements whose result is a structure (DDL reports) say only that they succeeded.
  return value === undefined || value === null || typeof value === 'object' ? 'ok' : String(value);
}

function waitText(wait: WaitReport): string {
  const blockers = wait.blockedBy.map((index) => `s${index + 1}`).join(', ');
  return `waits for ${blockers} (${wait.lock})`;
}

export class ConcurrentSessions {
  private readonly scheduler: Scheduler;
  private readonly sessions: readonly Session[];
  private readonly runners: (SessionRunner<OperationOutcome> | null)[];
  private readonly operations: string[];
  /** The role of the operation each session runs (or ran last). */
  private readonly roles: OperationRole[];
  /** The open wait of each session, if its statement waits. */
  private readonly openWaits: (LockWaitRecord | null)[];
  /** True while a session's statement was woken from a wait (granted, or failed by a timer) and has not resumed. */
  private readonly woken: boolean[];

  /**
   * @param waits where lock waits are recorded (the world's, which `api-waits-bounded` reads).
   * @param readable render statements as SQL in labels (reports), or only their kinds (search).
   */
  constructor(
    private readonly db: Database,
    count: number,
    private readonly waits: LockWaitRecord[],
    private readonly readable: boolean,
    private readonly listener: SessionStatementListener | null = null,
  ) {
    assert(count >= 1, 'a concurrent scenario has sessions');
    this.sessions = Array.from({ length: count }, () => db.openSession());
    this.scheduler = new Scheduler(this.sessions.map((session) => session.state));
    this.runners = this.sessions.map(() => null);
    this.operations = this.sessions.map(() => '');
    this.roles = this.sessions.map((): OperationRole => 'request');
    this.openWaits = this.sessions.map(() => null);
    this.woken = this.sessions.map(() => false);
  }

  get count(): number {
    return this.sessions.length;
  }

  /** The virtual clock (ms), which only deadlock checks, lock timeouts and wake-ups move. */
  get now(): number {
    return this.scheduler.clock.now();
  }

  /** True while an operation runs in the session (1-based). */
  busy(session: number): boolean {
    return this.runnerOf(session) !== null;
  }

  /** True when some session still runs an operation. */
  get anyBusy(): boolean {
    return this.runners.some((runner) => runner !== null);
  }

  /** Starts an operation in an idle session; it runs up to its first statement. */
  start(
    session: number,
    operation: string,
    started: StartedOperation,
    role: OperationRole = 'request',
  ): SessionAction | null {
    assert(!this.busy(session), `session ${session} is busy`);
    const index = session - 1;
    const tx = new Tx(this.db, 0);
    const runner = new SessionRunner(this.scheduler, index, started.work(tx));
    this.operations[index] = operation;
    this.roles[index] = role;
    if (runner.finished) {
      const outcome = runner.value!;
      return { session, label: operation, outcome: outcome.summary, finished: outcome, ended: false };
    }
    this.runners[index] = runner;
    return null;
  }

  /** True when the session (1-based) can run a statement now. */
  runnable(session: number): boolean {
    return this.runnerOf(session)?.runnable ?? false;
  }

  /** Runs one statement of the session (starts it, or resumes it after a wake-up). */
  advance(session: number): SessionAction {
    const index = session - 1;
    const runner = this.runnerOf(session);
    assert(runner?.runnable === true, `session ${session} cannot advance`);
    const statement = runner.pending!;
    const label = statementText(statement, this.db, this.readable);
    const resumed = this.openWaits[index] !== null || this.woken[index]!;
    const issued =
      resumed || this.listener === null || statement.kind === 'pause' ? null : renderedForExport(statement, this.db);
    const step = runner.advance();
    if (step.sleepsUntil !== null)
      return { session, label, outcome: `sleeps until ${step.sleepsUntil} ms`, finished: null, ended: false };
    // A pause sends nothing to the server: the export leaves it out (timers run on the server's clock).
    if (statement.kind !== 'pause')
      this.listener?.({
        session,
        statement,
        sql: issued?.sql ?? null,
        renderError: issued?.renderError ?? null,
        clock: this.db.now,
        resumed,
        outcome:
          step.outcome === null
            ? null
            : step.outcome.ok
              ? { ok: true }
              : { ok: false, code: step.outcome.error.code, constraint: step.outcome.error.constraint ?? null },
        wait:
          step.wait === null
            ? null
            : { blockedBy: step.wait.blockedBy.map((blocker) => blocker + 1), lock: step.wait.lock },
      });
    this.woken[index] = false;
    const open = this.openWaits[index] ?? null;
    if (open !== null && step.wait === null) {
      open.until = this.now;
      this.openWaits[index] = null;
    }
    this.closeEndedWaits();
    if (step.wait !== null) {
      if (this.openWaits[index] === null) {
        const blockers = step.wait.blockedBy;
        const record: LockWaitRecord = {
          session,
          operation: this.operations[index]!,
          statement: label,
          lock: step.wait.lock,
          blockedBy: blockers.map((blocker) => blocker + 1),
          since: step.wait.since,
          until: null,
          api: this.roles[index] === 'request',
          countedMs: 0,
        };
        this.waits.push(record);
        this.openWaits[index] = record;
      }
      return { session, label, outcome: waitText(step.wait), finished: null, ended: false };
    }
    // A read in autocommit changes nothing that invariants see.
    const ended =
      this.sessions[index]!.transactionStatus === 'idle' && statement.kind !== 'select' && statement.kind !== 'pause';
    let outcome =
      statement.kind === 'pause'
        ? `woke at ${this.now} ms`
        : `${resumed ? 'resumed: ' : ''}${outcomeText(step.outcome!)}`;
    let finished: OperationOutcome | null = null;
    if (step.finished) {
      finished = step.value!;
      this.runners[index] = null;
      outcome = `${outcome} → ${finished.summary}`;
    }
    return { session, label, outcome, finished, ended };
  }

  /**
   * Moves the virtual clock to the next deadlock check, lock_timeout or wake-up and fires it; null
   * when nothing has a timer. A failed wait is delivered, and a sleep ended, at the session's next advance.
   */
  advanceClock(): string | null {
    const before = this.scheduler.events.length;
    // Whom each open wait is for while the clock moves decides whether that time counts.
    const counted = this.openWaits.filter(
      (open, index): open is LockWaitRecord =>
        open !== null && !this.behindLongTransactionsOnly(this.scheduler.waitOf(index)?.blockedBy ?? []),
    );
    const from = this.now;
    if (!this.scheduler.advanceClock()) return null;
    for (const open of counted) open.countedMs += this.now - from;
    this.closeEndedWaits();
    return this.scheduler.events.slice(before).join('; ');
  }

  /**
   * Ends the records of waits that ended (a grant when the holder committed, or a timer), at the
   * instant they ended: the session may run again only later, but it no longer waits for a lock.
   */
  private closeEndedWaits(): void {
    this.openWaits.forEach((open, index) => {
      if (open === null || this.runners[index]?.waiting === true) return;
      open.until = this.now;
      this.openWaits[index] = null;
      this.woken[index] = true;
    });
  }

  /**
   * The session to advance next while finishing: the one asked for if it can run, else the
   * lowest runnable one (null when none can run: then only the clock can end a wait or a sleep).
   */
  nextRunnable(only: number | null): number | null {
    if (only !== null && this.runnable(only)) return only;
    for (let session = 1; session <= this.count; session++) if (this.runnable(session)) return session;
    return null;
  }

  /**
   * A session whose code sends its next statement at once (a migration's, a long transaction's), if
   * one can run now: the harness runs it before the clock moves, so no virtual time passes between
   * two of its statements (an API request's may take time between statements; a sleep takes its time).
   */
  promptRunnable(): number | null {
    for (let session = 1; session <= this.count; session++) {
      const role = this.roles[session - 1];
      if ((role === 'migration' || role === 'longTransaction') && this.runnable(session)) return session;
    }
    return null;
  }

  /**
   * Whether a wait is, in the end, for long transactions alone: the sessions it waits for, with every
   * API request among them that itself waits replaced by whom that one waits for (a request queued
   * behind another request queued behind a long job waits for the job). A migration session stops
   * the walk: a wait behind a migration's DDL is the migration's.
   */
  private behindLongTransactionsOnly(blockers: readonly number[]): boolean {
    const seen = new Set<number>();
    const roots: number[] = [];
    const pending = [...blockers];
    for (let visits = 0; pending.length > 0; visits++) {
      assert(visits < 10_000, 'the waits-for walk ran away');
      const blocker = pending.pop()!;
      if (seen.has(blocker)) continue;
      seen.add(blocker);
      const wait = this.roles[blocker] === 'request' ? this.scheduler.waitOf(blocker) : null;
      if (wait === null) roots.push(blocker);
      else pending.push(...wait.blockedBy);
    }
    return roots.length > 0 && roots.every((root) => this.roles[root] === 'longTransaction');
  }

  private runnerOf(session: number): SessionRunner<OperationOutcome> | null {
    assert(Number.isInteger(session) && session >= 1 && session <= this.count, `no session ${session}`);
    return this.runners[session - 1]!;
  }

  /** Stops scheduling the database (its sessions stay as they are; all are idle once finished). */
  detach(): void {
    assert(!this.anyBusy, 'sessions still run operations');
    this.scheduler.detach();
    // The scenario runs on alone (its remaining plan steps, then quiescence): its sessions are
    // closed, so its statements stop paying for snapshots and kept versions no one can read.
    this.db.closeSessions(this.sessions);
  }
}
