/**
 * Runs a body written against the transaction API (transactionApi.ts) in one session of a
 * `Scheduler`, one statement per `advance`: the statement the body yields is submitted to the
 * session and stepped; if it must wait for a lock it stays parked in the scheduler (the session
 * is then not runnable until the holder commits or aborts, or a timer fails the wait), and the
 * next `advance` after the wake-up resumes it where it waited. When a statement completes, its
 * result (or its `PgError`, thrown at the body's `yield*`) goes back to the body, which runs on
 * to its next statement or its end; so each `advance` is exactly one statement started or resumed.
 *
 * A pause the body yields (`tx.sleep(ms)`) parks the session on the scheduler's clock instead: the
 * `advance` that reaches it starts the sleep (`Scheduler.sleep`), the scheduler's `advanceClock`
 * fires its wake-up in turn with the lock timers, and the next `advance` ends it, handing the body
 * back control up to its next statement. A pause of 0 ms is passed over.
 *
 * The body is started with a `Tx` of depth 0: outside its transaction blocks each statement
 * autocommits, as GitLab's code does.
 */
import { assert, fail } from '../engine/assert.js';
import type { Scheduler, StatementOutcome, WaitReport } from '../engine/sessions/scheduler.js';
import type { Statement } from '../engine/statements/registry.js';
import type { Pause, Work } from './transactionApi.js';

/** What one `advance` did. */
export interface SessionAdvance<T> {
  /** The statement started or resumed, or the pause begun or ended. */
  readonly statement: Statement | Pause;
  /** Its outcome, when it completed in this advance (a pause that ended completes with no value). */
  readonly outcome: StatementOutcome | null;
  /** The lock it waits for, when it did not complete. */
  readonly wait: WaitReport | null;
  /** The virtual instant it wakes, when a pause began in this advance. */
  readonly sleepsUntil: number | null;
  /** True when the body ended after this statement; `value` is then its result. */
  readonly finished: boolean;
  readonly value: T | undefined;
}

/** Bound on the statements one body may send. */
const MAX_STATEMENTS = 1_000_000;

/** Bound on the pauses of 0 ms one body may yield in a row. */
const MAX_EMPTY_PAUSES = 10_000;

export class SessionRunner<T> {
  /** The statement (or pause) the body yielded and the session has not completed yet. */
  private current: Statement | Pause | null = null;
  private submitted = false;
  private done = false;
  private result: T | undefined = undefined;
  private statements = 0;

  /**
   * Starts the body: it runs up to its first statement (or to its end, when it sends none).
   * The session must be idle and outside a transaction block.
   */
  constructor(
    private readonly scheduler: Scheduler,
    readonly session: number,
    private readonly work: Work<T>,
  ) {
    assert(scheduler.statusOf(session) === 'idle', `session ${session} is busy`);
    this.take(work.next());
  }

  /** True once the body has returned. */
  get finished(): boolean {
    return this.done;
  }

  /** The body's value, once it has returned. */
  get value(): T | undefined {
    return this.result;
  }

  /** The statement the session runs next or waits in (or the pause it sleeps in), if the body has not ended. */
  get pending(): Statement | Pause | null {
    return this.current;
  }

  /**
   * True when `advance` can run now: a statement or pause not yet begun, a waiting statement that
   * was woken, or a pause whose wake-up has fired.
   */
  get runnable(): boolean {
    if (this.done) return false;
    if (!this.submitted) return true;
    return this.scheduler.statusOf(this.session) === (this.current!.kind === 'pause' ? 'idle' : 'ready');
  }

  /** True while the session sleeps in a pause. */
  get sleeping(): boolean {
    return !this.done && this.submitted && this.scheduler.statusOf(this.session) === 'sleeping';
  }

  /** True while its statement waits for a lock. */
  get waiting(): boolean {
    return !this.done && this.submitted && this.scheduler.statusOf(this.session) === 'waiting';
  }

  /**
   * Starts (or resumes) the current statement and runs it until it completes or waits; or begins
   * the current pause, or ends it once it has been woken.
   */
  advance(): SessionAdvance<T> {
    // Formatted only on failure: every step of a concurrent scenario advances a session.
    if (!this.runnable) fail(`session ${this.session} cannot advance now`);
    const statement = this.current!;
    if (statement.kind === 'pause') return this.pause(statement);
    if (!this.submitted) {
      assert(this.statements++ < MAX_STATEMENTS, 'a body sent statements past the bound');
      this.scheduler.submit(this.session, [statement]);
      this.submitted = true;
    }
    this.scheduler.step(this.session);
    if (this.scheduler.statusOf(this.session) === 'waiting') {
      const wait = this.scheduler.waitOf(this.session);
      return { statement, outcome: null, wait, sleepsUntil: null, finished: false, value: undefined };
    }
    assert(this.scheduler.statusOf(this.session) === 'idle', 'a stepped statement either waits or completes');
    const [outcome] = this.scheduler.outcomesOf(this.session);
    assert(outcome !== undefined, 'a completed statement has an outcome');
    this.submitted = false;
    this.take(outcome.ok ? this.work.next(outcome.value) : this.work.throw(outcome.error));
    return { statement, outcome, wait: null, sleepsUntil: null, finished: this.done, value: this.result };
  }

  /** Begins a pause (the session sleeps on the scheduler's clock), or ends it after its wake-up. */
  private pause(pause: Pause): SessionAdvance<T> {
    if (!this.submitted) {
      this.scheduler.sleep(this.session, pause.milliseconds);
      this.submitted = true;
      const sleepsUntil = this.scheduler.wakeUpOf(this.session);
      return { statement: pause, outcome: null, wait: null, sleepsUntil, finished: false, value: undefined };
    }
    this.submitted = false;
    this.take(this.work.next(undefined));
    const outcome: StatementOutcome = { ok: true, value: undefined };
    return { statement: pause, outcome, wait: null, sleepsUntil: null, finished: this.done, value: this.result };
  }

  private take(first: IteratorResult<Statement | Pause, T>): void {
    let next = first;
    // A pause of no time lets nothing else run: the body goes straight on.
    for (let empty = 0; next.done !== true && next.value.kind === 'pause' && next.value.milliseconds === 0; empty++) {
      assert(empty < MAX_EMPTY_PAUSES, 'a body paused for 0 ms past the bound');
      next = this.work.next(undefined);
    }
    if (next.done === true) {
      this.done = true;
      this.current = null;
      this.result = next.value;
    } else this.current = next.value;
  }
}
