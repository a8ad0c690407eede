/**
 * A deterministic scheduler of concurrent sessions over virtual time (docs/concurrency.md). The
 * caller (a test, the permutation driver, fast-check) decides which runnable session advances;
 * everything else follows from the state alone: a statement that meets another transaction's lock
 * is suspended (its generator parked, sessions/suspension.ts) and its wait queued in the lock
 * manager; the holder's commit or abort wakes it; `advanceClock` fires the next deadlock check or
 * lock_timeout, and the victim's statement fails with 40P01 or 55P03 where it waited. A session may
 * also sleep between statements (`sleep`: the application's `sleep`, holding whatever its transaction
 * holds) until a wake-up timer on the same clock, which `advanceClock` fires in turn with the lock
 * timers. Every action is written to `events`, so two runs of one schedule can be compared line by line;
 * a caller that never reads them (the permutation driver's engine backend) turns them off
 * (`SchedulerOptions.events`), so no step formats lines nobody reads and no fork copies them.
 *
 * Each session is one lock owner; its transaction holds Exclusive on its own xid from its start, and
 * a row waiter takes Share on the holder's xid (PostgreSQL's XactLockTableWait), released as soon
 * as it is granted; before that it takes the row's heavyweight tuple lock (heap_acquire_tuplock),
 * which queues several waiters for one row in arrival order and which it holds until its row lock
 * is decided: released when the statement next waits for something else or completes (nothing
 * else runs in between, so that is the moment PostgreSQL releases it). Every statement first takes
 * its table locks (`statementLocks`), held to the end of its transaction; foreign-key triggers take
 * theirs (`deferredLocks`) when they run, at the statement's end or at COMMIT (foreignKeyRuntime.ts).
 */
import { assert, fail } from '../assert.js';
import type { DatabaseState, SessionView } from '../databaseState.js';
import { isPgError, PgError } from '../errors.js';
import {
  LockManager,
  lockCatalogOf,
  lockModeName,
  statementLocks,
  tupleLockMode,
  VirtualClock,
} from '../locks/index.js';
import type { LockTag, OwnerId, TableLockMode } from '../locks/index.js';
import type { EngineState } from '../session.js';
import { startStatement } from '../statements/execute.js';
import { releaseKeyClaims } from '../storage.js';
import type { Statement } from '../statements/registry.js';
import { describeWait } from './suspension.js';
import type { LockWait, Resumable } from './suspension.js';

export type StatementOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: PgError };

export interface WaitReport {
  /** Indexes of the sessions it waits for (pg_blocking_pids). */
  readonly blockedBy: readonly number[];
  /** As pg_locks names it: `ShareLock on transaction`. */
  readonly lock: string;
  /** For a row wait, the table of the row (whose tuple lock it holds or waits for); else null. */
  readonly row: string | null;
  readonly since: number;
}

type SlotStatus = 'idle' | 'ready' | 'waiting' | 'sleeping';

interface Slot {
  readonly index: number;
  readonly state: EngineState;
  readonly owner: OwnerId;
  /** Statements of the current step not yet started. */
  readonly queue: Statement[];
  execution: Resumable<unknown> | null;
  /**
   * The wait the execution is parked on, while it waits or until it resumes after the grant;
   * `release` for a row wait's Share lock on the holder's xid, given back once granted.
   */
  wait: { readonly tag: LockTag; readonly report: WaitReport; readonly release: boolean } | null;
  /** The row's tuple lock this statement holds or waits for while it waits for a row lock. */
  tupleLock: { readonly tag: LockTag; readonly mode: TableLockMode } | null;
  /** An error to deliver at the wait point (deadlock victim, lock_timeout, cancel). */
  failure: PgError | null;
  status: SlotStatus;
  /** Outcomes of the current step's statements, in order. */
  outcomes: StatementOutcome[];
  /** While it sleeps: the instant it wakes, and the order the sleep began in (ties wake in that order). */
  wakeUp: { readonly at: number; readonly sequence: number } | null;
}

export interface SchedulerOptions {
  /** Whether `events` is written (default true); off, it stays empty. */
  readonly events?: boolean;
}

/**
 * The table locks of each statement value, by the catalog they were derived from
 * (`DatabaseState.catalogIdentity`): they depend on the statement and the catalog alone, and a
 * program's steps run the same statement values over the same catalog again and again (every
 * schedule of a tree, whose forks share the catalog's identity until one changes it).
 */
const tableLocksCache = new WeakMap<object, WeakMap<Statement, readonly LockWait[]>>();

/**
 * The catalog identity last looked up in `tableLocksCache` and its entry: a run's statements follow
 * one another over one catalog, so most look-ups are for the same identity as the last. An entry,
 * once made, is never replaced, so the pair stays what the cache holds for that identity.
 */
let lastIdentity: object | null = null;
let lastByStatement: WeakMap<Statement, readonly LockWait[]> | null = null;

function tableLocksOf(statement: Statement, shared: DatabaseState): readonly LockWait[] {
  let byStatement =
    shared.catalogIdentity === lastIdentity ? lastByStatement : tableLocksCache.get(shared.catalogIdentity);
  if (byStatement === undefined || byStatement === null) {
    byStatement = new WeakMap();
    tableLocksCache.set(shared.catalogIdentity, byStatement);
  }
  lastIdentity = shared.catalogIdentity;
  lastByStatement = byStatement;
  let locks = byStatement.get(statement);
  if (locks === undefined) {
    const nowait = statement.kind === 'lockTable' && statement.nowait;
    locks = Object.freeze(
      statementLocks(statement, lockCatalogOf(shared.relations)).map(
        (lock): LockWait =>
          Object.freeze({ kind: 'relation', oid: lock.oid, table: lock.table, mode: lock.mode, nowait }),
      ),
    );
    byStatement.set(statement, locks);
  }
  return locks;
}

/** Bound on the waits one statement of one step may go through before it completes. */
const MAX_WAITS_PER_STEP = 10_000;

export class Scheduler {
  readonly clock: VirtualClock;
  readonly locks: LockManager;
  /** Everything that happened, one line each, in order: the replay check compares these. */
  readonly events: string[];
  /** Whether `events` is written (`SchedulerOptions.events`). */
  private readonly recording: boolean;
  private readonly slots: Slot[] = [];
  private readonly slotOf = new Map<SessionView, Slot>();
  /** Numbers the sleeps in the order they began. */
  private sleeps = 0;

  /**
   * Sessions must share one database; the scheduler observes its transactions from now on. `from`
   * is the scheduler this one continues (`fork`): its clock, lock table and events are copied, and
   * it records events when that one did.
   */
  constructor(sessions: readonly EngineState[], options: SchedulerOptions = {}, from?: Scheduler) {
    this.clock = new VirtualClock(from?.clock.now() ?? 0);
    this.locks = from === undefined ? new LockManager(this.clock) : from.locks.copy(this.clock);
    this.recording = from?.recording ?? options.events ?? true;
    this.events = from === undefined || !this.recording ? [] : [...from.events];
    assert(sessions.length > 0, 'a scheduler needs sessions');
    const shared = sessions[0]!.shared;
    assert(shared.observer === null, 'a database is scheduled by one scheduler at a time');
    assert(shared.versioning, 'a scheduler needs a database with several sessions open');
    sessions.forEach((state, index) => {
      assert(state.shared === shared, 'scheduled sessions must share one database');
      const slot: Slot = {
        index,
        state,
        owner: index + 1,
        queue: [],
        execution: null,
        wait: null,
        tupleLock: null,
        failure: null,
        status: 'idle',
        outcomes: [],
        wakeUp: null,
      };
      const original = from?.slots[index];
      if (original !== undefined) {
        assert(
          original.execution === null && original.wait === null && original.tupleLock === null,
          `session ${index} is in a statement: a scheduler is copied only between statements`,
        );
        assert(original.status === 'idle' || original.status === 'sleeping', `session ${index} has work queued`);
        slot.status = original.status;
        slot.outcomes = [...original.outcomes];
        slot.wakeUp = original.wakeUp;
      }
      this.slots.push(slot);
      this.slotOf.set(state, slot);
    });
    if (from !== undefined) {
      assert(from.slots.length === sessions.length, 'a copied scheduler runs as many sessions as the original');
      this.sleeps = from.sleeps;
    }
    // Table locks at the executor boundary (semantics 6): what `statementLocks` lists, before the snapshot.
    shared.tableLocks = (statement) => tableLocksOf(statement, shared);
    shared.lockNow = (session, wait) => {
      const slot = this.slotOf.get(session);
      assert(wait.kind === 'relation', 'only table locks are requested at once');
      if (slot === undefined) return true;
      const result = this.locks.acquire(slot.owner, { kind: 'relation', oid: wait.oid }, wait.mode, {
        subtransaction: slot.state.subtransactionLevel,
        relationName: wait.table,
        nowait: wait.nowait,
        timeouts: { lockTimeoutMs: slot.state.lockTimeoutMs, deadlockTimeoutMs: slot.state.deadlockTimeoutMs },
      });
      if (result.kind === 'failed') throw result.error;
      return result.kind === 'granted';
    };
    shared.observer = {
      started: (session, xid) => this.transactionStarted(session, xid),
      ended: (session) => this.transactionEnded(session),
      subtransactionRolledBack: (session, level) => {
        const slot = this.slotOf.get(session);
        if (slot !== undefined) this.wake(this.locks.rollbackSubtransaction(slot.owner, level));
      },
      subtransactionReleased: (session, level, parent) => {
        const slot = this.slotOf.get(session);
        if (slot !== undefined) this.locks.commitSubtransaction(slot.owner, level, parent);
      },
    };
  }

  /**
   * The same schedule continued over a copy of its sessions (`Database.forkWithSessions`, in the
   * same order): the clock, the lock table and the events so far are copied, and each session's
   * state (idle or sleeping, its last step's outcomes). Only between statements: no session may be
   * running a step or waiting, since a suspended statement cannot be copied.
   */
  fork(sessions: readonly EngineState[]): Scheduler {
    return new Scheduler(sessions, {}, this);
  }

  /** Stops observing the database (its sessions stay usable on their own). */
  detach(): void {
    this.slots[0]!.state.shared.observer = null;
    this.slots[0]!.state.shared.tableLocks = null;
    this.slots[0]!.state.shared.lockNow = null;
  }

  get sessionCount(): number {
    return this.slots.length;
  }

  /** Gives a session a step: statements run in order; an error skips the rest of the step. */
  submit(index: number, statements: readonly Statement[]): void {
    const slot = this.slot(index);
    assert(slot.status === 'idle', `session ${index} still has a step in flight`);
    assert(statements.length > 0, 'a step has statements');
    slot.queue.push(...statements);
    slot.outcomes = [];
    slot.status = 'ready';
    if (this.recording)
      this.events.push(`submit s${index} ${statements.map((statement) => statement.kind).join('; ')}`);
  }

  /**
   * Parks an idle session for `milliseconds` of virtual time, between two statements: its
   * transaction, if one is open, keeps its locks, and it runs nothing until `advanceClock` reaches
   * its wake-up, after which it is idle again.
   */
  sleep(index: number, milliseconds: number): void {
    const slot = this.slot(index);
    assert(slot.status === 'idle', `session ${index} sleeps only between statements`);
    assert(Number.isSafeInteger(milliseconds) && milliseconds > 0, 'a sleep lasts a positive whole number of ms');
    const at = this.clock.now() + milliseconds;
    slot.wakeUp = { at, sequence: this.sleeps++ };
    slot.status = 'sleeping';
    if (this.recording) this.events.push(`sleep s${index} until ${at}`);
  }

  /** The instant a sleeping session wakes, or null when it does not sleep. */
  wakeUpOf(index: number): number | null {
    return this.slot(index).wakeUp?.at ?? null;
  }

  /** Sessions that can advance now, in index order. */
  runnable(): number[] {
    return this.slots.filter((slot) => slot.status === 'ready').map((slot) => slot.index);
  }

  /**
   * The runnable session to advance first: the first of `order` that can run, else the lowest that
   * can; null when none can. Answers what `runnable()` would without building the list.
   */
  nextRunnable(order: readonly number[] = []): number | null {
    for (const index of order) if (this.slots[index]?.status === 'ready') return index;
    for (const slot of this.slots) if (slot.status === 'ready') return slot.index;
    return null;
  }

  /** True when no session can run or waits (each is idle or sleeping): between statements. */
  get quiet(): boolean {
    return this.slots.every((slot) => slot.status === 'idle' || slot.status === 'sleeping');
  }

  /** Sessions parked on a lock, in index order. */
  waiting(): number[] {
    return this.slots.filter((slot) => slot.status === 'waiting').map((slot) => slot.index);
  }

  statusOf(index: number): SlotStatus {
    return this.slot(index).status;
  }

  /** A waiting session's wait; whom it waits for as of now (holders and waiters ahead come and go). */
  waitOf(index: number): WaitReport | null {
    const slot = this.slot(index);
    if (slot.status !== 'waiting') return null;
    const report = slot.wait!.report;
    return { ...report, blockedBy: this.locks.blockersOf(slot.owner).map((owner) => owner - 1) };
  }

  /** The outcomes of the session's current (or last) step. */
  outcomesOf(index: number): readonly StatementOutcome[] {
    return this.slot(index).outcomes;
  }

  /**
   * Advances a runnable session by one statement: starts its next one, or resumes the parked one,
   * and runs it until it completes or must wait.
   */
  step(index: number): void {
    const slot = this.slot(index);
    assert(slot.status === 'ready', `session ${index} is not runnable (${slot.status})`);
    if (slot.execution === null) {
      const statement = slot.queue.shift();
      assert(statement !== undefined, `session ${index} has nothing to run`);
      if (this.recording) this.events.push(`start s${index} ${statement.kind}`);
      slot.execution = startStatement(slot.state, statement);
    }
    this.drive(slot);
  }

  /** Runs every runnable session until none is (lowest index first); returns the steps taken. */
  runUntilQuiescent(bound = 100_000): number {
    let steps = 0;
    for (let runnable = this.runnable(); runnable.length > 0; runnable = this.runnable()) {
      assert(steps++ < bound, 'sessions kept running past the bound');
      this.step(runnable[0]!);
    }
    return steps;
  }

  /** The virtual instant of the next deadlock check, lock_timeout or wake-up, or null when none is pending. */
  nextTimerAt(): number | null {
    const lockTimer = this.locks.nextTimerAt();
    const wakeUp = this.nextSleeper()?.wakeUp?.at ?? null;
    if (wakeUp === null) return lockTimer;
    return lockTimer === null ? wakeUp : Math.min(lockTimer, wakeUp);
  }

  /**
   * Moves the clock to the next timer and fires that one: a deadlock check that finds a cycle or a
   * lock_timeout makes that wait fail; waits let through meanwhile are granted; a wake-up ends a
   * session's sleep. One timer at a time, so the sessions it wakes can run (and wait again) before
   * a later timer fires at the same instant, as on a server. At one instant wake-ups fire before lock
   * timers, so a scenario can still let a woken session commit before a wait it blocks times out,
   * and can fire that timeout first by not advancing the woken session. False when no timer is pending.
   */
  advanceClock(): boolean {
    const sleeper = this.nextSleeper();
    const lockTimer = this.locks.nextTimerAt();
    if (sleeper !== null && (lockTimer === null || sleeper.wakeUp!.at <= lockTimer)) {
      const at = sleeper.wakeUp!.at;
      // No lock timer is due before the wake-up (one due at the same instant fires after it).
      this.clock.advanceTo(at);
      sleeper.wakeUp = null;
      sleeper.status = 'idle';
      if (this.recording) this.events.push(`clock ${at}`, `woke s${sleeper.index}`);
      return true;
    }
    const ended = this.locks.fireNextTimer();
    if (ended === null) return false;
    if (this.recording) this.events.push(`clock ${this.clock.now()}`);
    for (const end of ended) {
      const slot = this.slots[end.owner - 1]!;
      if (end.kind === 'failed') {
        if (this.recording) this.events.push(`fail s${slot.index} ${end.error.code}`);
        slot.failure = end.error;
      } else if (this.recording) this.events.push(`granted s${slot.index}`);
      slot.status = 'ready';
    }
    return true;
  }

  /** Cancels a waiting session's statement (57014, as pg_cancel_backend). */
  cancel(index: number): void {
    const slot = this.slot(index);
    assert(slot.status === 'waiting', `session ${index} is not waiting`);
    this.wake(this.locks.cancelWait(slot.owner));
    slot.failure = new PgError('57014', 'canceling statement due to user request');
    slot.status = 'ready';
    if (this.recording) this.events.push(`cancel s${index}`);
  }

  /** The sleeping session whose wake-up is due first (at one instant, the one that began sleeping first). */
  private nextSleeper(): Slot | null {
    let next: Slot | null = null;
    for (const slot of this.slots) {
      const wakeUp = slot.wakeUp;
      if (wakeUp === null) continue;
      const best = next?.wakeUp;
      if (
        best === undefined ||
        best === null ||
        wakeUp.at < best.at ||
        (wakeUp.at === best.at && wakeUp.sequence < best.sequence)
      )
        next = slot;
    }
    return next;
  }

  private drive(slot: Slot): void {
    const execution = slot.execution!;
    for (let waits = 0; ; waits++) {
      assert(waits < MAX_WAITS_PER_STEP, `session ${slot.index} waited without end`);
      let step: IteratorResult<LockWait, unknown>;
      try {
        if (slot.wait !== null) this.releaseWaitLock(slot);
        // The keys a write claimed for its unique wait last as long as the wait: it runs again now.
        releaseKeyClaims(slot.state);
        const failure = slot.failure;
        slot.failure = null;
        step = failure === null ? execution.next() : execution.throw(failure);
      } catch (error) {
        if (!isPgError(error)) throw error;
        this.releaseTupleLock(slot);
        this.finishStatement(slot, { ok: false, error });
        return;
      }
      if (step.done) {
        this.releaseTupleLock(slot);
        this.finishStatement(slot, { ok: true, value: step.value });
        return;
      }
      const wait = step.value;
      if (slot.tupleLock !== null && !(wait.kind === 'transaction' && this.isTupleOf(slot, wait))) {
        this.releaseTupleLock(slot);
      }
      if (this.park(slot, wait)) return;
    }
  }

  /**
   * Queues the wait in the lock manager; false when it was granted at once (a table lock free, a
   * row holder already gone) or failed at once (the failure is then delivered by the next drive).
   */
  private park(slot: Slot, wait: LockWait): boolean {
    if (wait.kind === 'relation') {
      // Table locks are requested by `lockNow`; the session is already in the lock's queue.
      assert(this.locks.isWaiting(slot.owner), `session ${slot.index} yielded a table lock it does not wait for`);
      const lock = `${lockModeName(wait.mode)} on relation ${wait.table}`;
      this.parkReport(
        slot,
        { kind: 'relation', oid: wait.oid },
        false,
        lock,
        this.recording ? describeWait(wait) : '',
        this.locks.blockersOf(slot.owner),
        null,
      );
      return true;
    }
    if (wait.tuple !== undefined && slot.tupleLock === null) {
      const tupleTag: LockTag = { kind: 'tuple', oid: wait.tuple.oid, tid: wait.tuple.tid };
      const mode = tupleLockMode(wait.tuple.strength);
      const tupleResult = this.locks.acquire(slot.owner, tupleTag, mode, {
        subtransaction: slot.state.subtransactionLevel,
        timeouts: { lockTimeoutMs: slot.state.lockTimeoutMs, deadlockTimeoutMs: slot.state.deadlockTimeoutMs },
      });
      if (tupleResult.kind === 'failed') {
        slot.failure = tupleResult.error;
        if (this.recording)
          this.events.push(`fail s${slot.index} ${tupleResult.error.code} on joining the tuple queue`);
        return false;
      }
      slot.tupleLock = { tag: tupleTag, mode };
      if (tupleResult.kind === 'waiting') {
        // Granted, the statement runs again and asks for the row; it then waits for the holder's xid.
        const lock = `${lockModeName(mode)} on tuple`;
        this.parkReport(
          slot,
          tupleTag,
          false,
          lock,
          this.recording ? `tuple ${wait.tuple.tid} of ${wait.tuple.table}` : '',
          tupleResult.blockers,
          wait.tuple.table,
        );
        return true;
      }
    }
    const tag: LockTag = { kind: 'transaction', xid: wait.xid };
    const result = this.locks.acquire(slot.owner, tag, 'Share', {
      subtransaction: slot.state.subtransactionLevel,
      timeouts: { lockTimeoutMs: slot.state.lockTimeoutMs, deadlockTimeoutMs: slot.state.deadlockTimeoutMs },
    });
    if (result.kind === 'failed') {
      slot.failure = result.error;
      if (this.recording) this.events.push(`fail s${slot.index} ${result.error.code} on joining the queue`);
      return false;
    }
    if (result.kind === 'granted') {
      this.wake(this.locks.release(slot.owner, tag, 'Share'));
      return false;
    }
    const row = wait.tuple?.table ?? null;
    const what = this.recording ? describeWait(wait) : '';
    this.parkReport(slot, tag, true, 'ShareLock on transaction', what, result.blockers, row);
    return true;
  }

  /** Whether a row wait is for the tuple whose lock the slot holds or waits for. */
  private isTupleOf(slot: Slot, wait: Extract<LockWait, { kind: 'transaction' }>): boolean {
    const held = slot.tupleLock;
    if (held === null || wait.tuple === undefined) return false;
    const tag = held.tag;
    return tag.kind === 'tuple' && tag.oid === wait.tuple.oid && tag.tid === wait.tuple.tid;
  }

  /** Gives the tuple lock back once the row lock is decided (or the statement failed: nothing to give back then). */
  private releaseTupleLock(slot: Slot): void {
    const held = slot.tupleLock;
    if (held === null) return;
    slot.tupleLock = null;
    if (this.locks.holds(slot.owner, held.tag, held.mode))
      this.wake(this.locks.release(slot.owner, held.tag, held.mode));
  }

  private parkReport(
    slot: Slot,
    tag: LockTag,
    release: boolean,
    lock: string,
    what: string,
    blockers: readonly OwnerId[],
    row: string | null,
  ): void {
    const report: WaitReport = { blockedBy: blockers.map((owner) => owner - 1), lock, row, since: this.clock.now() };
    slot.wait = { tag, report, release };
    slot.status = 'waiting';
    if (this.recording)
      this.events.push(`wait s${slot.index} ${what} behind ${report.blockedBy.map((i) => `s${i}`).join(',')}`);
  }

  /**
   * After a wait: a granted row wait's Share lock on the xid is released at once (XactLockTableWait);
   * a granted table lock is kept; a failed wait holds nothing.
   */
  private releaseWaitLock(slot: Slot): void {
    const wait = slot.wait!;
    slot.wait = null;
    if (!wait.release) return;
    if (this.locks.holds(slot.owner, wait.tag, 'Share')) this.wake(this.locks.release(slot.owner, wait.tag, 'Share'));
  }

  private finishStatement(slot: Slot, outcome: StatementOutcome): void {
    slot.execution = null;
    slot.outcomes.push(outcome);
    if (this.recording)
      this.events.push(
        outcome.ok
          ? `done s${slot.index} ${Array.isArray(outcome.value) ? `${outcome.value.length} rows` : 'ok'}`
          : `error s${slot.index} ${outcome.error.code}`,
      );
    if (!outcome.ok) slot.queue.length = 0;
    slot.status = slot.queue.length > 0 ? 'ready' : 'idle';
  }

  private transactionStarted(session: SessionView, xid: number): void {
    const slot = this.slotOf.get(session);
    if (slot === undefined) return;
    const result = this.locks.acquire(slot.owner, { kind: 'transaction', xid }, 'Exclusive');
    if (result.kind !== 'granted') fail(`transaction ${xid} could not lock its own xid`);
  }

  private transactionEnded(session: SessionView): void {
    const slot = this.slotOf.get(session);
    if (slot === undefined) return;
    if (this.recording) this.events.push(`end s${slot.index}`);
    this.wake(this.locks.releaseAll(slot.owner));
  }

  private wake(owners: readonly OwnerId[]): void {
    for (const owner of owners) {
      const slot = this.slots[owner - 1]!;
      assert(slot.status === 'waiting', `session ${slot.index} was woken without waiting`);
      slot.status = 'ready';
      if (this.recording) this.events.push(`granted s${slot.index}`);
    }
  }

  private slot(index: number): Slot {
    const slot = this.slots[index];
    assert(slot !== undefined, `no session ${index}`);
    return slot;
  }
}
