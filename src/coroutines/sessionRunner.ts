/**
 * Runs a body written against the transaction API (transactionApi.ts) in one session of a
 * `Scheduler`, one statement per `advance`: the statement the body yields is submitted to the
 * session and stepped; if it must wait for a lock it stays parked in the scheduler (the session
 * is then not runnable until the holder commits or aborts, or a timer fails the wait), and the
 * next `advance` after the wake-up resumes it where it waited. When a statement completes, its
 * result (or its `PgError`, thrown at the body's `yield*`) goes back to the body, which runs on
 * to its next statement or its end; so each `advance` is exactly one statement started or resumed.
 *
 * The body is started with a `Tx` of depth 0: outside its transaction blocks each statement
 * autocommits, as GitLab's code does.
 */
import { assert } from '../engine/assert.js';
import type { Scheduler, StatementOutcome, WaitReport } from '../engine/sessions/scheduler.js';
import type { Statement } from '../engine/statements/registry.js';
import type { Work } from './transactionApi.js';

/** What one `advance` did. */
export interface SessionAdvance<T> {
  /** The statement started or resumed. */
  readonly statement: Statement;
  /** Its outcome, when it completed in this advance. */
  readonly outcome: StatementOutcome | null;
  /** The lock it waits for, when it did not complete. */
  readonly wait: WaitReport | null;
  /** True when the body ended after this statement; `value` is then its result. */
  readonly finished: boolean;
  readonly value: T | undefined;
}

/** Bound on the statements one body may send. */
const MAX_STATEMENTS = 1_000_000;

export class SessionRunner<T> {
  /** The statement the body yielded and the session has not completed yet. */
  private current: Statement | null = null;
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

  /** The statement the session runs next or waits in, if the body has not ended. */
  get pending(): Statement | null {
    return this.current;
  }

  /** True when `advance` can run now: a statement not yet sent, or a waiting one that was woken. */
  get runnable(): boolean {
    if (this.done) return false;
    return this.submitted ? this.scheduler.statusOf(this.session) === 'ready' : true;
  }

  /** True while its statement waits for a lock. */
  get waiting(): boolean {
    return !this.done && this.submitted && this.scheduler.statusOf(this.session) === 'waiting';
  }

  /** Starts (or resumes) the current statement and runs it until it completes or waits. */
  advance(): SessionAdvance<T> {
    assert(this.runnable, `session ${this.session} cannot advance now`);
    const statement = this.current!;
    if (!this.submitted) {
      assert(this.statements++ < MAX_STATEMENTS, 'a body sent statements past the bound');
      this.scheduler.submit(this.session, [statement]);
      this.submitted = true;
    }
    this.scheduler.step(this.session);
    if (this.scheduler.statusOf(this.session) === 'waiting')
      return { statement, outcome: null, wait: this.scheduler.waitOf(this.session), finished: false, value: undefined };
    assert(this.scheduler.statusOf(this.session) === 'idle', 'a stepped statement either waits or completes');
    const [outcome] = this.scheduler.outcomesOf(this.session);
    assert(outcome !== undefined, 'a completed statement has an outcome');
    this.submitted = false;
    this.take(outcome.ok ? this.work.next(outcome.value) : this.work.throw(outcome.error));
    return { statement, outcome, wait: null, finished: this.done, value: this.result };
  }

  private take(next: IteratorResult<Statement, T>): void {
    if (next.done === true) {
      this.done = true;
      this.current = null;
      this.result = next.value;
    } else this.current = next.value;
  }
}
