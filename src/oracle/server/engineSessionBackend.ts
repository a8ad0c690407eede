/**
 * The engine's sessions behind the permutation driver's `SessionBackend`, so one program runs on
 * the engine and on the real server and the two reports can be compared. Steps arrive as SQL text
 * (what the server runs) together with the program's step; the engine runs the statement values
 * the step gives: `op` for generated programs (`pgdrill diff --sessions`, setups from `setupOps`),
 * else `statements` (the fixed programs, setups from `setupStatements`), which may also be looked
 * up by the SQL text among the programs the backend was built with. A step with no values is refused.
 *
 * Time is the scheduler's virtual clock: issuing a step takes no time; `settle` advances the clock
 * only to let a wait end (a deadlock check, a lock_timeout), exactly the timing the real server's
 * driver assumes, so a `timingViolation` never happens here.
 */
import { assert } from '../../engine/assert.js';
import type { Row } from '../../engine/values.js';
import { Scheduler } from '../../engine/sessions/scheduler.js';
import type { Statement } from '../../engine/statements/registry.js';
import { Database } from '../../database.js';
import type { Session } from '../../session.js';
import { engineProgramStatement, engineStatementOf } from '../sessions/sessionOps.js';
import type { ProgramStep, SessionProgram } from './program.js';
import { hasCycle } from './waitCycle.js';
import type {
  BackendRun,
  JsonRow,
  SessionBackend,
  SettleGoal,
  SettleReport,
  StepResult,
  SynchronousRun,
  TableContents,
  WaitingStep,
} from './sessionBackend.js';

export interface EngineBackendOptions {
  /** The sessions' deadlock_timeout, as the server's (default 100 ms, the embedded server's). */
  readonly deadlockTimeoutMs?: number;
  /**
   * Which of several sessions able to run at once runs first: the sessions in this order (those it
   * leaves out after it, by index). By default the lowest index first. When one event wakes two
   * waiters, PostgreSQL runs both at once and the operating system decides which gets on first;
   * the campaign asks for the other orders to learn whether the server's record is one of them
   * (`wakeOrders`, sessionCampaign.ts).
   */
  readonly wakeOrder?: readonly number[];
}

/** Bound on scheduler steps and clock advances in one settle. */
const SETTLE_BOUND = 100_000;

const setupKey = (setup: readonly string[]): string => JSON.stringify(setup);

/** The statement values a set of programs gives for each SQL text they use. */
function translationsOf(programs: readonly SessionProgram[]): Map<string, readonly Statement[]> {
  const translations = new Map<string, readonly Statement[]>();
  const add = (sql: string, statements: readonly Statement[] | undefined, where: string): void => {
    if (statements === undefined) return;
    const known = translations.get(sql);
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(statements))
      throw new Error(`${where}: the SQL ${JSON.stringify(sql.slice(0, 80))} has two different engine translations`);
    translations.set(sql, statements);
  };
  for (const program of programs) {
    add(setupKey(program.setup), program.setupStatements, program.name);
    for (const session of program.sessions) {
      add(
        setupKey(session.setup ?? []),
        session.setupStatements ?? (session.setup === undefined ? [] : undefined),
        program.name,
      );
      for (const step of session.steps) add(step.sql, step.statements, `${program.name} step ${step.name}`);
    }
  }
  return translations;
}

function jsonRow(row: Row): JsonRow {
  return row as JsonRow;
}

/**
 * Row values are frozen and shared by every fork of a world (graphCopy.ts), so the many schedules
 * of one program read mostly the same row objects at their ends: each one's text is made once.
 */
const rowTexts = new WeakMap<Row, string>();

/** PostgreSQL's text form of a row, `(1,,abc)`, which the server's contents are ordered by. */
function rowText(row: Row): string {
  let text = rowTexts.get(row);
  if (text === undefined) {
    // The values in `Object.values` order (a row is a plain object: own fields only), joined by
    // commas, written out without the intermediate arrays.
    text = '(';
    let first = true;
    for (const column in row) {
      const value = row[column];
      text += (first ? '' : ',') + (value === null ? '' : String(value));
      first = false;
    }
    text += ')';
    // Only a frozen row can be trusted to keep the text it had.
    if (Object.isFrozen(row)) rowTexts.set(row, text);
  }
  return text;
}

/**
 * A step's result as the server reports it: the last statement's. Rows only for a SELECT (the
 * server returns a row set only for statements with a result; DML carries no RETURNING here).
 */
function stepResultOf(
  outcomes: readonly { ok: boolean; value?: unknown; error?: unknown }[],
  statements: readonly Statement[],
): StepResult {
  const last = outcomes[outcomes.length - 1];
  assert(last !== undefined, 'a finished step has an outcome');
  if (!last.ok) {
    const error = last.error as { code: string; constraint?: string; message: string };
    return { ok: false, code: error.code, constraint: error.constraint ?? null, message: error.message };
  }
  if (!Array.isArray(last.value)) return { ok: true, rowCount: 0 };
  const rows = last.value as Row[];
  if (statements[outcomes.length - 1]?.kind !== 'select') return { ok: true, rowCount: rows.length };
  return { ok: true, rowCount: rows.length, rows: rows.map(jsonRow) };
}

export class EngineSessionBackend implements SessionBackend {
  readonly description = 'pgdrill engine (virtual clock)';
  private readonly translations: Map<string, readonly Statement[]>;
  private readonly setups = new WeakMap<readonly string[], readonly Statement[]>();
  private readonly templates = new WeakMap<readonly Statement[], Database>();

  constructor(
    programs: readonly SessionProgram[] = [],
    private readonly options: EngineBackendOptions = {},
    translations?: Map<string, readonly Statement[]>,
  ) {
    this.translations = translations ?? translationsOf(programs);
  }

  private statementsFor(sql: string): readonly Statement[] {
    const statements = this.translations.get(sql);
    if (statements === undefined)
      throw new Error(`the engine has no statement values for ${JSON.stringify(sql.slice(0, 120))}`);
    return statements;
  }

  /** The statement values of a setup, by the setup's array (a program keeps it for its lifetime). */
  private setupStatementsFor(setup: readonly string[]): readonly Statement[] {
    let statements = this.setups.get(setup);
    if (statements === undefined) {
      statements = this.statementsFor(setupKey(setup));
      this.setups.set(setup, statements);
    }
    return statements;
  }

  /**
   * The database as the setup leaves it, built once per setup and forked for every permutation:
   * a fork is the state the setup statements produce, counters included, at a fraction of the cost.
   */
  private worldAfter(statements: readonly Statement[]): Database {
    let template = this.templates.get(statements);
    if (template === undefined) {
      template = new Database();
      for (const statement of statements) template.execute(statement);
      this.templates.set(statements, template);
    }
    return template.fork();
  }

  /** The statement values of a setup: the program's own when it gives them, else by the SQL text. */
  private setupFor(setup: readonly string[], values: readonly Statement[] | undefined): readonly Statement[] {
    return values ?? this.setupStatementsFor(setup);
  }

  async begin(
    setup: readonly string[],
    sessionSetups: readonly (readonly string[])[],
    program?: SessionProgram,
  ): Promise<BackendRun> {
    const setupValues = program?.setupOps?.map(engineProgramStatement) ?? program?.setupStatements;
    const db = this.worldAfter(this.setupFor(setup, setupValues));
    const sessions: Session[] = sessionSetups.map(() => db.openSession());
    for (const [index, session] of sessions.entries()) {
      session.state.deadlockTimeoutMs = this.options.deadlockTimeoutMs ?? 100;
      session.state.defaultIsolation = 'read committed';
      const own = program?.sessions[index];
      const values = own?.setupOps?.map(engineStatementOf) ?? own?.setupStatements;
      for (const statement of this.setupFor(sessionSetups[index]!, values)) session.execute(statement);
    }
    // Nothing reads the scheduler's event log here: no step formats its lines, no fork copies them.
    const scheduler = new Scheduler(
      sessions.map((session) => session.state),
      { events: false },
    );
    const translate = (sql: string, step: ProgramStep | undefined): readonly Statement[] => {
      if (step?.op !== undefined) return [engineStatementOf(step.op)];
      return step?.statements ?? this.statementsFor(sql);
    };
    return new EngineRun(db, sessions, scheduler, translate, this.options.wakeOrder ?? []);
  }

  /** The same backend, running sessions able to run at once in `order` (see `EngineBackendOptions.wakeOrder`). */
  withWakeOrder(order: readonly number[]): SessionBackend {
    return new EngineSessionBackend([], { ...this.options, wakeOrder: order }, this.translations);
  }

  async close(): Promise<void> {}
}

class EngineRun implements BackendRun {
  /** Each session's step in flight (its statements), or null. */
  private readonly inFlight: (readonly Statement[] | null)[];
  /** Nothing here waits on I/O: drivers may skip the promises (`BackendRun.synchronous`). */
  readonly synchronous: SynchronousRun = {
    settle: (goal, boundMs) => this.settleNow(goal, boundMs),
    finish: () => this.finishNow(),
    contents: () => this.contentsNow(),
  };

  constructor(
    private readonly db: Database,
    private readonly sessions: readonly Session[],
    readonly scheduler: Scheduler,
    private readonly translate: (sql: string, step: ProgramStep | undefined) => readonly Statement[],
    private readonly wakeOrder: readonly number[],
  ) {
    this.inFlight = sessions.map(() => null);
  }

  issue(session: number, sql: string, step?: ProgramStep): void {
    assert(!this.inFlight[session], `session ${session} cannot take a step now`);
    const statements = this.translate(sql, step);
    this.scheduler.submit(session, statements);
    this.inFlight[session] = statements;
    // As on a server, the step starts running at once; settle reports what came of it.
    this.runUntilQuiescent();
  }

  fork(): EngineRun | null {
    if (this.inFlight.some((statements) => statements !== null)) return null;
    if (!this.scheduler.quiet) return null;
    const copy = this.db.forkWithSessions(this.sessions);
    if (copy === null) return null;
    const scheduler = this.scheduler.fork(copy.sessions.map((session) => session.state));
    return new EngineRun(copy.database, copy.sessions, scheduler, this.translate, this.wakeOrder);
  }

  /**
   * Runs sessions until none can: of those able to run, the first in the wake order, else the lowest
   * (`Scheduler.nextRunnable`, which picks without building the list of runnable sessions).
   */
  private runUntilQuiescent(): void {
    for (
      let steps = 0, next = this.scheduler.nextRunnable(this.wakeOrder);
      next !== null;
      next = this.scheduler.nextRunnable(this.wakeOrder)
    ) {
      assert(steps++ < SETTLE_BOUND, 'sessions kept running past the bound');
      this.scheduler.step(next);
    }
  }

  private waitingSteps(): WaitingStep[] {
    return this.scheduler.waiting().map((session) => {
      const wait = this.scheduler.waitOf(session)!;
      return { session, blockedBy: [...wait.blockedBy].sort((a, b) => a - b), lock: wait.lock, row: wait.row };
    });
  }

  /** Whether the waits form a cycle: a deadlock some waiter's check will break once the clock moves. */
  private deadlockPending(waits: readonly WaitingStep[]): boolean {
    // Most settles see one waiter or none: no map to build for them.
    if (waits.length === 0) return false;
    if (waits.length === 1) return waits[0]!.blockedBy.includes(waits[0]!.session);
    return hasCycle(new Map(waits.map((wait) => [wait.session, wait.blockedBy])));
  }

  /**
   * Whether a timer is due at the current instant: waits that began at one instant (no time passes
   * while steps are issued) have timers due together, which on a server fire milliseconds apart.
   * A settle ends only once all of them have fired (the server's settle waits for them likewise,
   * `SAME_INSTANT_MS` in pgSessionBackend.ts), so the next step never races with one of them.
   */
  private timerDueNow(): boolean {
    return this.scheduler.nextTimerAt() === this.scheduler.clock.now();
  }

  async settle(goal: SettleGoal, boundMs: number): Promise<SettleReport> {
    return this.settleNow(goal, boundMs);
  }

  async finish(): Promise<{ readonly cancelled: readonly number[] }> {
    return this.finishNow();
  }

  async contents(): Promise<readonly TableContents[]> {
    return this.contentsNow();
  }

  private settleNow(goal: SettleGoal, _boundMs: number): SettleReport {
    const completed: { session: number; result: StepResult }[] = [];
    const waited = new Map<number, WaitingStep>();
    // The waits as the last harvest saw them; nothing runs between a harvest and the next look at them.
    let waits: WaitingStep[] = [];
    const harvest = (): void => {
      waits = this.waitingSteps();
      // The last wait seen before it ended, as the server's driver reports it (pgSessionBackend.ts).
      for (const wait of waits) waited.set(wait.session, wait);
      for (let session = 0; session < this.inFlight.length; session++) {
        const statements = this.inFlight[session]!;
        if (statements === null || this.scheduler.statusOf(session) !== 'idle') continue;
        this.inFlight[session] = null;
        completed.push({ session, result: stepResultOf(this.scheduler.outcomesOf(session), statements) });
      }
    };
    const wanted = (): boolean => {
      if (goal.kind === 'allDone') return this.inFlight.every((statements) => statements === null);
      if (goal.kind === 'sessionDone' && this.inFlight[goal.session] !== null) return false;
      return !this.deadlockPending(waits) && !this.timerDueNow();
    };
    let reached = false;
    for (let rounds = 0; ; rounds++) {
      assert(rounds < SETTLE_BOUND, 'settling ran past its bound');
      this.runUntilQuiescent();
      harvest();
      reached = wanted();
      if (reached) break;
      // Only the clock can move things now: the next deadlock check or lock_timeout. When no
      // timer is left, nothing moved since the harvest above.
      if (!this.scheduler.advanceClock()) break;
    }
    return {
      completed,
      waiting: waits,
      waited: [...waited.values()].sort((a, b) => a.session - b.session),
      reached,
      timingViolation: null,
    };
  }

  private finishNow(): { readonly cancelled: readonly number[] } {
    const cancelled: number[] = [];
    for (const session of this.scheduler.waiting()) {
      this.scheduler.cancel(session);
      cancelled.push(session);
      this.runUntilQuiescent();
    }
    for (const [index, session] of this.sessions.entries()) {
      this.inFlight[index] = null;
      if (session.transactionStatus !== 'idle') session.rollback();
    }
    this.scheduler.detach();
    return { cancelled };
  }

  private contentsNow(): readonly TableContents[] {
    const tables = [...this.db.snapshot().entries()].sort(([left], [right]) =>
      left < right ? -1 : left > right ? 1 : 0,
    );
    return tables.map(([table, rows]) => ({
      table,
      // A table of one row or none is in order as it is: no row's text is needed to sort it.
      rows:
        rows.length < 2
          ? rows.map(jsonRow)
          : [...rows]
              .map((row) => ({ text: rowText(row), row }))
              .sort((left, right) => (left.text < right.text ? -1 : left.text > right.text ? 1 : 0))
              .map(({ row }) => jsonRow(row)),
    }));
  }
}
