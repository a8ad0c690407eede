/**
 * A deterministic model of PostgreSQL 18's heavyweight lock manager (lock.c, proc.c, deadlock.c)
 * over virtual time. It knows owners (top-level transactions), tags (relations, transaction ids,
 * tuples) and the eight modes; it never runs SQL. The session engine asks it for every lock a
 * statement takes and tells it when transactions and subtransactions end; it answers granted,
 * waiting (with whom) or failed, and later reports waits that ended: granted by a release, failed
 * by a deadlock check or a lock_timeout.
 *
 * The rules, each PostgreSQL's own:
 * - `acquire` (LockAcquireExtended): a mode the owner already holds is granted again at once,
 *   whatever the queue. Otherwise the request conflicts if its mode conflicts with a mode some
 *   waiter requests (`waitMask`) or with a mode another owner holds (LockCheckConflicts); without
 *   a conflict it is granted.
 * - Joining the queue (JoinWaitQueue): at the tail, except that an owner already holding modes on
 *   the tag goes just in front of the first waiter whose request conflicts with what it holds; if,
 *   there, nothing granted to others and no request ahead conflicts, it is granted at once. If
 *   that waiter also holds a mode the request conflicts with, it is a deadlock found on the spot:
 *   40P01 immediately, no deadlock_timeout. NOWAIT then fails with 55P03 instead of queueing.
 * - Release (UnGrantLock, CleanUpLock, ProcLockWakeup): when a released mode conflicts with some
 *   waiter's request, the whole queue is scanned front to back and every waiter whose mode
 *   conflicts neither with the modes granted to others nor with the requests of the waiters still
 *   ahead of it is granted; the scan never stops early.
 * - Timers (ProcSleep): a wait arms a deadlock check at `since + deadlock_timeout` and, when
 *   lock_timeout > 0, a timeout at `since + lock_timeout`, both read when the wait begins. The
 *   deadlock check runs once per wait, in the waiter (CheckDeadLock → DeadLockCheck): a hard cycle
 *   through it makes it the victim (40P01); a soft one is fixed by reordering queues and waking
 *   whoever can go. lock_timeout leaves the queue with 55P03 and wakes whoever that lets through.
 *   When both of one waiter's timers are due at the same instant the deadlock check runs first and
 *   the error is the lock timeout's, as PostgreSQL's ProcSleep loop checks interrupts after it.
 * - Timers due at the same instant fire in the order the waits began (a global sequence number),
 *   so a schedule is deterministic; PostgreSQL's order there is the operating system's.
 *
 * Not modelled: session-level locks, advisory and other lock tags, lock groups, the fast-path
 * (only the order of `procLocks` can differ, see `deadlockCheck.ts`), lock counts (a mode is held
 * or not; `release` drops it), statement_timeout, and the lock table running out of memory.
 *
 * With `debug: true` every operation ends by checking the table's invariants (`checkInvariants`).
 */
import { assert, fail, MAX_LOOP_ITERATIONS } from '../assert.js';
import type { PgError } from '../errors.js';
import type { DeadlockStep, WaitOrder } from './deadlockCheck.js';
import { deadLockCheck } from './deadlockCheck.js';
import { deadlockError, lockNotAvailable, lockTimeoutError } from './lockErrors.js';
import type { LockEntry, OwnerId, ProcLock, WaitGraph } from './lockTable.js';
import type { LockTag } from './lockTag.js';
import { describeTag, tagKey, tagNumber } from './lockTag.js';
import type { LockModeNumber, TableLockMode } from './modes.js';
import { LOCK_CONFLICTS, lockModeName, modeBit, modeNumber, modeOfNumber } from './modes.js';
import type { VirtualClock } from './virtualClock.js';

export type { OwnerId } from './lockTable.js';

export interface AcquireOptions {
  /** NOWAIT: fail with 55P03 instead of waiting. */
  readonly nowait?: boolean;
  /** The subtransaction taking the lock (0 = top level; nested ones have larger numbers). */
  readonly subtransaction?: number;
  /** The relation's name, for the NOWAIT error (required with `nowait`). */
  readonly relationName?: string;
  /** Overrides the owner's settings (`setTimeouts`) for this wait. */
  readonly timeouts?: Partial<LockTimeouts>;
}

export interface LockTimeouts {
  /** lock_timeout in virtual milliseconds; 0 = off (PostgreSQL's default). */
  readonly lockTimeoutMs: number;
  /** deadlock_timeout in virtual milliseconds, at least 1 (PostgreSQL's default is 1000). */
  readonly deadlockTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: LockTimeouts = { lockTimeoutMs: 0, deadlockTimeoutMs: 1000 };

export type AcquireResult =
  | { readonly kind: 'granted' }
  /** Queued: the owner now waits (one wait at a time) for these owners, as pg_blocking_pids lists them. */
  | { readonly kind: 'waiting'; readonly blockers: readonly OwnerId[] }
  /** NOWAIT (55P03) or a deadlock found on joining the queue (40P01); nothing was queued. */
  | { readonly kind: 'failed'; readonly error: PgError };

/** The answer to most requests: one frozen value rather than a new object per grant. */
const GRANTED: AcquireResult = Object.freeze({ kind: 'granted' });

/** A wait that ended while timers fired. */
export type WaitEnd =
  | { readonly owner: OwnerId; readonly kind: 'granted' }
  | { readonly owner: OwnerId; readonly kind: 'failed'; readonly error: PgError };

export interface WaitInfo {
  readonly tag: LockTag;
  readonly mode: TableLockMode;
  /** Virtual instant the wait began. */
  readonly since: number;
  readonly blockers: readonly OwnerId[];
}

export interface HeldLock {
  readonly tag: LockTag;
  readonly mode: TableLockMode;
}

/** Counts of the rarer outcomes, so tests can show their interesting cases happen. */
export interface LockStatistics {
  waits: number;
  nowaitFailures: number;
  /** Deadlocks found on joining the queue (JoinWaitQueue), 40P01 at once. */
  immediateDeadlocks: number;
  /** Hard deadlocks found by a waiter's timed check, 40P01. */
  deadlocks: number;
  /** Soft deadlocks fixed by reordering wait queues. */
  softDeadlocks: number;
  lockTimeouts: number;
  /** Requests granted by JoinWaitQueue in front of a waiter (queue jumping). */
  queueJumps: number;
}

export interface LockManagerOptions {
  /** Check every invariant after every operation (tests; costs a scan of the table). */
  readonly debug?: boolean;
  /** PostgreSQL's MaxBackends, which bounds the deadlock checker's workspace. */
  readonly maxBackends?: number;
  /** The process number an owner's deadlock report line names (default: the owner id). */
  readonly processOf?: (owner: OwnerId) => number;
  /** The database oid in relation and tuple descriptions of deadlock reports. */
  readonly databaseOid?: number;
}

interface Wait {
  readonly lock: LockEntry;
  readonly procLock: ProcLock;
  readonly mode: LockModeNumber;
  /** The modes the owner held on the tag when it queued (PGPROC.heldLocks). */
  readonly heldLocks: number;
  readonly subtransaction: number;
  readonly since: number;
  readonly sequence: number;
  /** When the deadlock check is due; null once it ran. */
  deadlockAt: number | null;
  readonly lockTimeoutAt: number | null;
}

interface OwnerState {
  /** This owner's entries, by tag number (`LockEntry.id`), in the order they were created. */
  readonly procLocks: Map<number, ProcLock>;
  wait: Wait | null;
}

interface Timer {
  readonly at: number;
  readonly sequence: number;
  /** 0: deadlock check, 1: lock timeout (the deadlock check fires first at a tie, as in ProcSleep). */
  readonly kind: 0 | 1;
  readonly owner: OwnerId;
}

export class LockManager {
  readonly #clock: VirtualClock;
  readonly #debug: boolean;
  readonly #maxBackends: number;
  readonly #processOf: (owner: OwnerId) => number;
  readonly #databaseOid: number;
  readonly #locks = new Map<number, LockEntry>();
  readonly #owners = new Map<OwnerId, OwnerState>();
  readonly #settings = new Map<OwnerId, LockTimeouts>();
  #waitSequence = 0;
  readonly #statistics: LockStatistics = {
    waits: 0,
    nowaitFailures: 0,
    immediateDeadlocks: 0,
    deadlocks: 0,
    softDeadlocks: 0,
    lockTimeouts: 0,
    queueJumps: 0,
  };
  readonly #graph: WaitGraph = {
    waitOf: (owner) => {
      const wait = this.#owners.get(owner)?.wait ?? null;
      return wait === null ? null : { lock: wait.lock, mode: wait.mode };
    },
  };

  constructor(clock: VirtualClock, options: LockManagerOptions = {}) {
    this.#clock = clock;
    this.#debug = options.debug ?? false;
    this.#maxBackends = options.maxBackends ?? 128;
    this.#processOf = options.processOf ?? ((owner) => owner);
    this.#databaseOid = options.databaseOid ?? 5;
    assert(this.#maxBackends >= 2, `maxBackends must be at least 2, not ${this.#maxBackends}`);
  }

  get clock(): VirtualClock {
    return this.#clock;
  }

  /**
   * An independent copy of the lock table over `clock` (a copy of this one's), for a copy of the
   * sessions between two statements: held locks, owners' settings, counters. No owner may be
   * waiting (a waiter belongs to a suspended statement, which cannot be copied), so no timer is armed.
   */
  copy(clock: VirtualClock): LockManager {
    for (const [owner, state] of this.#owners) assert(state.wait === null, `owner ${owner} waits: it cannot be copied`);
    const copy = new LockManager(clock, {
      debug: this.#debug,
      maxBackends: this.#maxBackends,
      processOf: this.#processOf,
      databaseOid: this.#databaseOid,
    });
    // Written out rather than through the generic graph copy (a copy of the sessions' run costs
    // a few of these per lock entry, and a tree of schedules makes one per branch). Tags are
    // immutable data and shared; each holder entry is copied once, so an owner's entries are the
    // copied table's, as in the original.
    const procLocks = new Map<ProcLock, ProcLock>();
    for (const [id, entry] of this.#locks) {
      const holders = entry.procLocks.map((procLock) => {
        const takenIn = new Map<LockModeNumber, Set<number>>();
        for (const [mode, levels] of procLock.takenIn) takenIn.set(mode, new Set(levels));
        const copied: ProcLock = { owner: procLock.owner, holdMask: procLock.holdMask, takenIn };
        procLocks.set(procLock, copied);
        return copied;
      });
      copy.#locks.set(id, {
        id: entry.id,
        key: entry.key,
        tag: entry.tag,
        procLocks: holders,
        waitQueue: [...entry.waitQueue],
      });
    }
    for (const [owner, state] of this.#owners) {
      const own = new Map<number, ProcLock>();
      for (const [id, procLock] of state.procLocks) {
        const copied = procLocks.get(procLock);
        assert(copied !== undefined, `owner ${owner} holds an entry the lock table does not list`);
        own.set(id, copied);
      }
      copy.#owners.set(owner, { procLocks: own, wait: null });
    }
    for (const [owner, timeouts] of this.#settings) copy.#settings.set(owner, timeouts);
    copy.#waitSequence = this.#waitSequence;
    Object.assign(copy.#statistics, this.#statistics);
    return copy;
  }

  statistics(): Readonly<LockStatistics> {
    return { ...this.#statistics };
  }

  /** SET lock_timeout / deadlock_timeout for an owner's later waits. */
  setTimeouts(owner: OwnerId, timeouts: Partial<LockTimeouts>): void {
    this.#settings.set(owner, checkTimeouts({ ...this.#timeoutsOf(owner), ...timeouts }));
  }

  acquire(owner: OwnerId, tag: LockTag, mode: TableLockMode, options: AcquireOptions = {}): AcquireResult {
    const result = this.#acquire(owner, tag, modeNumber(mode), options);
    this.#afterOperation();
    return result;
  }

  /** Commit or abort: releases every lock of the owner (leaving its queue first if it waits). */
  releaseAll(owner: OwnerId): readonly OwnerId[] {
    const woken: OwnerId[] = [];
    const state = this.#owners.get(owner);
    if (state !== undefined) {
      if (state.wait !== null) woken.push(...this.#removeFromWaitQueue(owner, state));
      // Each entry is dropped as it is released (`#cleanUp` deletes only the entry it is given, and
      // wakes only other owners, which this one is not: it waits no longer), so the walk goes over
      // the map itself: a Map's iteration goes on past the entry deleted under it, in order.
      for (const [id, procLock] of state.procLocks) {
        const lock = this.#locks.get(id)!;
        let wakeupNeeded = false;
        // The held modes weakest first, as `heldModes` lists them, without the list.
        for (let mode = 1; mode <= 8; mode += 1)
          if ((procLock.holdMask & modeBit(mode as LockModeNumber)) !== 0)
            wakeupNeeded = this.#unGrant(lock, procLock, mode as LockModeNumber) || wakeupNeeded;
        const wokenHere = this.#cleanUp(lock, procLock, wakeupNeeded);
        for (const other of wokenHere) woken.push(other);
      }
      assert(state.procLocks.size === 0, `owner ${owner} still holds locks after releasing them all`);
      this.#owners.delete(owner);
    }
    this.#afterOperation();
    return woken;
  }

  /**
   * ROLLBACK TO SAVEPOINT: releases the modes taken in `subtransaction` or any subtransaction
   * nested in it (numbers ≥ it), unless an enclosing subtransaction took the same mode too.
   */
  rollbackSubtransaction(owner: OwnerId, subtransaction: number): readonly OwnerId[] {
    const woken: OwnerId[] = [];
    const state = this.#owners.get(owner);
    if (state !== undefined) {
      assert(state.wait === null, `owner ${owner} rolls back a subtransaction while waiting`);
      for (const [id, procLock] of [...state.procLocks]) {
        const lock = this.#locks.get(id)!;
        let released = false;
        let wakeupNeeded = false;
        for (const mode of heldModes(procLock)) {
          const takers = procLock.takenIn.get(mode)!;
          for (const taker of [...takers]) if (taker >= subtransaction) takers.delete(taker);
          if (takers.size > 0) continue;
          released = true;
          wakeupNeeded = this.#unGrant(lock, procLock, mode) || wakeupNeeded;
        }
        if (released) woken.push(...this.#cleanUp(lock, procLock, wakeupNeeded));
      }
      if (state.procLocks.size === 0) this.#owners.delete(owner);
    }
    this.#afterOperation();
    return woken;
  }

  /** RELEASE SAVEPOINT: the locks of `subtransaction` (and nested ones) now belong to `parent`. */
  commitSubtransaction(owner: OwnerId, subtransaction: number, parent: number): void {
    assert(parent < subtransaction, `subtransaction ${subtransaction} cannot be released into ${parent}`);
    const state = this.#owners.get(owner);
    if (state !== undefined)
      for (const procLock of state.procLocks.values())
        for (const takers of procLock.takenIn.values())
          for (const taker of [...takers])
            if (taker >= subtransaction) {
              takers.delete(taker);
              takers.add(parent);
            }
    this.#afterOperation();
  }

  /**
   * Releases one mode before transaction end, as PostgreSQL does with the tuple lock once a row
   * waiter got the row, and with the ShareLock a row waiter takes on an xid just to wait for it.
   */
  release(owner: OwnerId, tag: LockTag, mode: TableLockMode): readonly OwnerId[] {
    const state = this.#owners.get(owner);
    const id = tagNumber(tag);
    const procLock = state?.procLocks.get(id);
    const number = modeNumber(mode);
    assert(
      state !== undefined && procLock !== undefined && (procLock.holdMask & modeBit(number)) !== 0,
      `owner ${owner} releases ${mode} on ${tagKey(tag)}, which it does not hold`,
    );
    const lock = this.#locks.get(id)!;
    const wakeupNeeded = this.#unGrant(lock, procLock, number);
    const woken = this.#cleanUp(lock, procLock, wakeupNeeded);
    if (state.procLocks.size === 0 && state.wait === null) this.#owners.delete(owner);
    this.#afterOperation();
    return woken;
  }

  /** Leaves the wait queue (a cancel, or the caller's own timeout); returns whoever that let through. */
  cancelWait(owner: OwnerId): readonly OwnerId[] {
    const state = this.#owners.get(owner);
    assert(state?.wait != null, `owner ${owner} is not waiting`);
    const woken = this.#removeFromWaitQueue(owner, state);
    if (state.procLocks.size === 0) this.#owners.delete(owner);
    this.#afterOperation();
    return woken;
  }

  isWaiting(owner: OwnerId): boolean {
    return (this.#owners.get(owner)?.wait ?? null) !== null;
  }

  waitOf(owner: OwnerId): WaitInfo | null {
    const wait = this.#owners.get(owner)?.wait ?? null;
    if (wait === null) return null;
    return { tag: wait.lock.tag, mode: modeOfNumber(wait.mode), since: wait.since, blockers: this.blockersOf(owner) };
  }

  /**
   * Whom a waiting owner waits for, as pg_blocking_pids lists them: in `procLocks` order, every
   * other owner that holds a conflicting mode or waits ahead of it for a conflicting one.
   */
  blockersOf(owner: OwnerId): readonly OwnerId[] {
    const wait = this.#owners.get(owner)?.wait ?? null;
    if (wait === null) return [];
    const conflictMask = LOCK_CONFLICTS[wait.mode]!;
    const position = wait.lock.waitQueue.indexOf(owner);
    const blockers: OwnerId[] = [];
    for (const procLock of wait.lock.procLocks) {
      if (procLock.owner === owner) continue;
      if ((procLock.holdMask & conflictMask) !== 0) {
        blockers.push(procLock.owner);
        continue;
      }
      const other = this.#owners.get(procLock.owner)!.wait;
      if (other === null || other.lock !== wait.lock || (modeBit(other.mode) & conflictMask) === 0) continue;
      if (wait.lock.waitQueue.indexOf(procLock.owner) < position) blockers.push(procLock.owner);
    }
    return blockers;
  }

  /** Whether an owner holds a mode on a tag (granted, not awaited). */
  holds(owner: OwnerId, tag: LockTag, mode: TableLockMode): boolean {
    const procLock = this.#owners.get(owner)?.procLocks.get(tagNumber(tag));
    return procLock !== undefined && (procLock.holdMask & modeBit(modeNumber(mode))) !== 0;
  }

  /** The modes an owner holds, by tag in the order it first asked, weakest mode first. */
  locksOf(owner: OwnerId): readonly HeldLock[] {
    const state = this.#owners.get(owner);
    if (state === undefined) return [];
    return [...state.procLocks.entries()].flatMap(([key, procLock]) => {
      const tag = this.#locks.get(key)!.tag;
      return heldModes(procLock).map((mode) => ({ tag, mode: modeOfNumber(mode) }));
    });
  }

  /** Owners waiting on a tag, front of the queue first. */
  queueOf(tag: LockTag): readonly OwnerId[] {
    return [...(this.#locks.get(tagNumber(tag))?.waitQueue ?? [])];
  }

  /** Every owner that holds a lock or waits. */
  owners(): readonly OwnerId[] {
    return [...this.#owners.keys()];
  }

  /** The next virtual instant at which a deadlock check or a lock_timeout is due, or null. */
  nextTimerAt(): number | null {
    return this.#nextTimer(Number.POSITIVE_INFINITY)?.at ?? null;
  }

  /**
   * Advances the clock to `at`, firing every timer due by then in order (earlier instant first; at
   * a tie, the wait that began first, and one waiter's deadlock check before its lock timeout).
   * Returns the waits that ended, in the order they ended.
   */
  fireTimersUntil(at: number): readonly WaitEnd[] {
    assert(at >= this.#clock.now(), `timers cannot fire in the past (${at} < ${this.#clock.now()})`);
    const ended: WaitEnd[] = [];
    for (let iterations = 0; ; iterations += 1) {
      if (iterations > MAX_LOOP_ITERATIONS) fail('firing lock timers ran away');
      const fired = this.#fireNext(at);
      if (fired === null) break;
      ended.push(...fired);
    }
    this.#clock.advanceTo(at);
    this.#afterOperation();
    return ended;
  }

  /**
   * Advances the clock to the next timer and fires that one timer alone; null when none is pending.
   * A caller that lets woken waiters run between two timers due at the same instant uses this: on a
   * server, the waits a schedule began one after another have timers that fire milliseconds apart,
   * while a waiter woken by the first one waits again within microseconds, before the second fires.
   */
  fireNextTimer(): readonly WaitEnd[] | null {
    return this.#fireNext(Number.POSITIVE_INFINITY);
  }

  #fireNext(limit: number): WaitEnd[] | null {
    const timer = this.#nextTimer(limit);
    if (timer === null) return null;
    this.#clock.advanceTo(timer.at);
    const state = this.#owners.get(timer.owner)!;
    const wait = state.wait!;
    const ended: WaitEnd[] = [];
    if (timer.kind === 1) {
      this.#statistics.lockTimeouts += 1;
      ended.push({ owner: timer.owner, kind: 'failed', error: lockTimeoutError() });
      ended.push(...granted(this.#removeFromWaitQueue(timer.owner, state)));
      if (state.procLocks.size === 0) this.#owners.delete(timer.owner);
    } else {
      wait.deadlockAt = null;
      ended.push(...this.#checkDeadlock(timer.owner, state, wait));
    }
    this.#afterOperation();
    return ended;
  }

  /** A plain-data picture of the whole table, stable for a given history (replay checks compare it). */
  describe(): string {
    const locks = [...this.#locks.values()].map((lock) => ({
      tag: lock.key,
      holders: lock.procLocks.map((procLock) => ({
        owner: procLock.owner,
        modes: heldModes(procLock).map((mode) => modeOfNumber(mode)),
        subtransactions: [...procLock.takenIn.entries()].map(([mode, takers]) => [mode, [...takers]]),
      })),
      queue: lock.waitQueue,
    }));
    const waits = [...this.#owners.entries()].flatMap(([owner, state]) =>
      state.wait === null
        ? []
        : [
            {
              owner,
              since: state.wait.since,
              deadlockAt: state.wait.deadlockAt,
              lockTimeoutAt: state.wait.lockTimeoutAt,
            },
          ],
    );
    return JSON.stringify({ now: this.#clock.now(), locks, waits });
  }

  /** Every invariant of the table; throws an EngineAssertionError naming the first one broken. */
  checkInvariants(): void {
    let waiting = 0;
    for (const [id, lock] of this.#locks) {
      const key = lock.key;
      assert(
        lock.id === id && tagNumber(lock.tag) === id && tagKey(lock.tag) === key,
        `lock ${key} is filed under ${id}`,
      );
      assert(lock.procLocks.length > 0, `lock ${key} has no holder or waiter but was kept`);
      const seen = new Set<OwnerId>();
      for (const procLock of lock.procLocks) {
        assert(!seen.has(procLock.owner), `owner ${procLock.owner} appears twice on ${key}`);
        seen.add(procLock.owner);
        const state = this.#owners.get(procLock.owner);
        assert(state?.procLocks.get(id) === procLock, `owner ${procLock.owner} does not know its entry on ${key}`);
        let mask = 0;
        for (const [mode, takers] of procLock.takenIn) {
          assert(takers.size > 0, `owner ${procLock.owner} holds ${mode} on ${key} for no subtransaction`);
          mask |= modeBit(mode);
        }
        assert(mask === procLock.holdMask, `owner ${procLock.owner}'s modes on ${key} disagree with its hold mask`);
        assert(
          procLock.holdMask !== 0 || state.wait?.lock === lock,
          `owner ${procLock.owner} neither holds nor awaits ${key} but keeps an entry`,
        );
        for (const other of lock.procLocks)
          assert(
            other === procLock || (conflictsOf(procLock.holdMask) & other.holdMask) === 0,
            `owners ${procLock.owner} and ${other.owner} hold conflicting modes on ${key}`,
          );
      }
      const queued = new Set<OwnerId>();
      for (const owner of lock.waitQueue) {
        assert(!queued.has(owner), `owner ${owner} is queued twice on ${key}`);
        queued.add(owner);
        const wait = this.#owners.get(owner)?.wait;
        assert(wait?.lock === lock, `owner ${owner} is queued on ${key} but waits elsewhere`);
        assert(lock.procLocks.includes(wait.procLock), `owner ${owner} waits on ${key} without an entry there`);
        assert((wait.procLock.holdMask & modeBit(wait.mode)) === 0, `owner ${owner} waits for a mode it holds`);
        waiting += 1;
      }
      assert(this.#grantable(lock).length === 0, `a waiter on ${key} could be granted but waits`);
    }
    for (const [owner, state] of this.#owners) {
      assert(state.procLocks.size > 0 || state.wait !== null, `owner ${owner} is kept with no lock and no wait`);
      for (const [id, procLock] of state.procLocks)
        assert(
          this.#locks.get(id)?.procLocks.includes(procLock) === true,
          `owner ${owner}'s entry on tag number ${id} is lost`,
        );
      const wait = state.wait;
      if (wait === null) continue;
      waiting -= 1;
      const now = this.#clock.now();
      // A timer due right now may still be pending (operations and timers can share an instant);
      // one in the past means the clock was moved without firing the timers on the way.
      assert(wait.deadlockAt === null || wait.deadlockAt >= now, `owner ${owner}'s deadlock check is overdue`);
      assert(wait.lockTimeoutAt === null || wait.lockTimeoutAt >= now, `owner ${owner}'s lock timeout is overdue`);
    }
    assert(waiting === 0, 'the waiting owners and the wait queues disagree');
  }

  #timeoutsOf(owner: OwnerId): LockTimeouts {
    return this.#settings.get(owner) ?? DEFAULT_TIMEOUTS;
  }

  #afterOperation(): void {
    if (this.#debug) this.checkInvariants();
  }

  #acquire(owner: OwnerId, tag: LockTag, mode: LockModeNumber, options: AcquireOptions): AcquireResult {
    const subtransaction = options.subtransaction ?? 0;
    assert(Number.isSafeInteger(subtransaction) && subtransaction >= 0, `bad subtransaction ${subtransaction}`);
    let state = this.#owners.get(owner);
    assert(state?.wait == null, `owner ${owner} asks for a lock while it waits for another`);
    const id = tagNumber(tag);
    const held = state?.procLocks.get(id);
    if (held !== undefined && (held.holdMask & modeBit(mode)) !== 0) {
      // LOCALLOCK already held: granted again at once, whatever the queue.
      held.takenIn.get(mode)!.add(subtransaction);
      return GRANTED;
    }
    if (state === undefined) {
      assert(this.#owners.size < this.#maxBackends, `more than ${this.#maxBackends} lock owners`);
      state = { procLocks: new Map(), wait: null };
      this.#owners.set(owner, state);
    }
    let lock = this.#locks.get(id);
    if (lock === undefined) {
      // Named once per entry, for messages and descriptions; the maps go by the number.
      lock = { id, key: tagKey(tag), tag, procLocks: [], waitQueue: [] };
      this.#locks.set(id, lock);
    }
    let procLock = held;
    if (procLock === undefined) {
      procLock = { owner, holdMask: 0, takenIn: new Map() };
      lock.procLocks.push(procLock);
      state.procLocks.set(id, procLock);
    }
    const conflict =
      (LOCK_CONFLICTS[mode]! & this.#waitMask(lock)) !== 0 || this.#conflictsWithGranted(lock, mode, procLock);
    if (!conflict) {
      grant(procLock, mode, subtransaction);
      return GRANTED;
    }
    const joined = this.#joinWaitQueue(owner, lock, procLock, mode, options.nowait ?? false);
    if (joined.kind === 'granted') {
      this.#statistics.queueJumps += 1;
      grant(procLock, mode, subtransaction);
      return GRANTED;
    }
    if (joined.kind === 'failed') {
      this.#dropIfEmpty(lock, procLock, state);
      if (options.nowait === true) {
        this.#statistics.nowaitFailures += 1;
        assert(options.relationName !== undefined, 'a NOWAIT request names its relation for the error');
        return { kind: 'failed', error: lockNotAvailable(tag, options.relationName) };
      }
      this.#statistics.immediateDeadlocks += 1;
      return { kind: 'failed', error: this.#deadlockError(joined.cycle) };
    }
    this.#statistics.waits += 1;
    const timeouts = checkTimeouts({ ...this.#timeoutsOf(owner), ...options.timeouts });
    const now = this.#clock.now();
    state.wait = {
      lock,
      procLock,
      mode,
      heldLocks: procLock.holdMask,
      subtransaction,
      since: now,
      sequence: this.#waitSequence++,
      deadlockAt: now + timeouts.deadlockTimeoutMs,
      lockTimeoutAt: timeouts.lockTimeoutMs > 0 ? now + timeouts.lockTimeoutMs : null,
    };
    return { kind: 'waiting', blockers: this.blockersOf(owner) };
  }

  /**
   * JoinWaitQueue: where the request goes in the queue, or that it is granted after all (it may go
   * in front of a waiter that waits for it), or that it fails (NOWAIT, or an immediate deadlock
   * with a waiter it would have to pass that holds what it needs).
   */
  #joinWaitQueue(
    owner: OwnerId,
    lock: LockEntry,
    procLock: ProcLock,
    mode: LockModeNumber,
    nowait: boolean,
  ): { kind: 'granted' } | { kind: 'waiting' } | { kind: 'failed'; cycle: readonly DeadlockStep[] } {
    const myHeldLocks = procLock.holdMask;
    let insertBefore = -1;
    if (myHeldLocks !== 0) {
      let aheadRequests = 0;
      for (const [index, other] of lock.waitQueue.entries()) {
        const wait = this.#owners.get(other)!.wait!;
        if ((LOCK_CONFLICTS[wait.mode]! & myHeldLocks) !== 0) {
          if ((LOCK_CONFLICTS[mode]! & wait.heldLocks) !== 0) {
            // RememberSimpleDeadLock: I wait for it, it waits for me.
            const cycle: DeadlockStep[] = [
              { owner, lock, mode },
              { owner: other, lock: wait.lock, mode: wait.mode },
            ];
            return { kind: 'failed', cycle };
          }
          if ((LOCK_CONFLICTS[mode]! & aheadRequests) === 0 && !this.#conflictsWithGranted(lock, mode, procLock))
            return { kind: 'granted' };
          insertBefore = index;
          break;
        }
        aheadRequests |= modeBit(wait.mode);
      }
    }
    if (nowait) return { kind: 'failed', cycle: [] };
    if (insertBefore < 0) lock.waitQueue.push(owner);
    else lock.waitQueue.splice(insertBefore, 0, owner);
    return { kind: 'waiting' };
  }

  /** CheckDeadLock for a waiter whose deadlock_timeout expired. */
  #checkDeadlock(owner: OwnerId, state: OwnerState, wait: Wait): WaitEnd[] {
    const verdict = deadLockCheck(owner, this.#graph, this.#maxBackends);
    const timedOut = wait.lockTimeoutAt === this.#clock.now();
    if (verdict.kind === 'none') return [];
    if (verdict.kind === 'hard') {
      this.#statistics.deadlocks += 1;
      const error = timedOut ? lockTimeoutError() : this.#deadlockError(verdict.cycle);
      const woken = this.#removeFromWaitQueue(owner, state);
      if (state.procLocks.size === 0) this.#owners.delete(owner);
      return [{ owner, kind: 'failed', error }, ...granted(woken)];
    }
    this.#statistics.softDeadlocks += 1;
    const woken = this.#applyWaitOrders(verdict.orders);
    // A lock timeout due at the same instant still cancels the statement, even if the new order
    // granted this waiter: its lock stays held until the caller aborts the transaction.
    if (timedOut && wait.lockTimeoutAt !== null && woken.includes(owner)) {
      return woken.map(
        (other): WaitEnd =>
          other === owner ? { owner, kind: 'failed', error: lockTimeoutError() } : { owner: other, kind: 'granted' },
      );
    }
    return granted(woken);
  }

  /** DeadLockCheck's soft-deadlock fix: the new queue orders, each followed by ProcLockWakeup. */
  #applyWaitOrders(orders: readonly WaitOrder[]): OwnerId[] {
    const woken: OwnerId[] = [];
    for (const order of orders) {
      assert(
        order.procs.length === order.lock.waitQueue.length &&
          order.procs.every((owner) => order.lock.waitQueue.includes(owner)),
        `a reordered queue of ${order.lock.key} is not a permutation of it`,
      );
      order.lock.waitQueue = [...order.procs];
      woken.push(...this.#wakeup(order.lock));
    }
    return woken;
  }

  /** RemoveFromWaitQueue + CleanUpLock(wakeupNeeded = true). */
  #removeFromWaitQueue(owner: OwnerId, state: OwnerState): OwnerId[] {
    const wait = state.wait;
    assert(wait !== null, `owner ${owner} is not waiting`);
    const index = wait.lock.waitQueue.indexOf(owner);
    assert(index >= 0, `owner ${owner} waits on ${wait.lock.key} but is not in its queue`);
    wait.lock.waitQueue.splice(index, 1);
    state.wait = null;
    return this.#cleanUp(wait.lock, wait.procLock, true);
  }

  /** UnGrantLock: true when a waiter's request conflicts with the released mode. */
  #unGrant(lock: LockEntry, procLock: ProcLock, mode: LockModeNumber): boolean {
    assert((procLock.holdMask & modeBit(mode)) !== 0, `owner ${procLock.owner} does not hold ${mode} on ${lock.key}`);
    procLock.holdMask &= ~modeBit(mode);
    procLock.takenIn.delete(mode);
    return (LOCK_CONFLICTS[mode]! & this.#waitMask(lock)) !== 0;
  }

  /** CleanUpLock: forget an entry that holds and awaits nothing, then wake waiters if needed. */
  #cleanUp(lock: LockEntry, procLock: ProcLock, wakeupNeeded: boolean): OwnerId[] {
    const state = this.#owners.get(procLock.owner)!;
    if (procLock.holdMask === 0 && state.wait?.procLock !== procLock) {
      lock.procLocks.splice(lock.procLocks.indexOf(procLock), 1);
      state.procLocks.delete(lock.id);
    }
    if (lock.procLocks.length === 0) {
      assert(lock.waitQueue.length === 0, `lock ${lock.key} has waiters but no entries`);
      this.#locks.delete(lock.id);
      return [];
    }
    return wakeupNeeded ? this.#wakeup(lock) : [];
  }

  #dropIfEmpty(lock: LockEntry, procLock: ProcLock, state: OwnerState): void {
    if (procLock.holdMask === 0) {
      lock.procLocks.splice(lock.procLocks.indexOf(procLock), 1);
      state.procLocks.delete(lock.id);
    }
    if (lock.procLocks.length === 0) this.#locks.delete(lock.id);
    if (state.procLocks.size === 0 && state.wait === null) this.#owners.delete(procLock.owner);
  }

  /** ProcLockWakeup: grants, front to back, every waiter nothing granted or requested ahead blocks. */
  #wakeup(lock: LockEntry): OwnerId[] {
    const woken = this.#grantable(lock);
    for (const owner of woken) {
      const state = this.#owners.get(owner)!;
      const wait = state.wait!;
      grant(wait.procLock, wait.mode, wait.subtransaction);
      lock.waitQueue.splice(lock.waitQueue.indexOf(owner), 1);
      state.wait = null;
    }
    return woken;
  }

  /**
   * The waiters ProcLockWakeup would grant now. Granting one changes what is granted, so each is
   * checked against the grants decided before it in the same scan, as PostgreSQL's scan does.
   */
  #grantable(lock: LockEntry): OwnerId[] {
    let aheadRequests = 0;
    const woken: OwnerId[] = [];
    const grantedNow = new Map<ProcLock, number>();
    for (const owner of lock.waitQueue) {
      const wait = this.#owners.get(owner)!.wait!;
      const conflictMask = LOCK_CONFLICTS[wait.mode]!;
      const blocked =
        (conflictMask & aheadRequests) !== 0 ||
        lock.procLocks.some(
          (other) => other !== wait.procLock && ((other.holdMask | (grantedNow.get(other) ?? 0)) & conflictMask) !== 0,
        );
      if (blocked) aheadRequests |= modeBit(wait.mode);
      else {
        woken.push(owner);
        grantedNow.set(wait.procLock, (grantedNow.get(wait.procLock) ?? 0) | modeBit(wait.mode));
      }
    }
    return woken;
  }

  #waitMask(lock: LockEntry): number {
    let mask = 0;
    for (const owner of lock.waitQueue) mask |= modeBit(this.#owners.get(owner)!.wait!.mode);
    return mask;
  }

  /** LockCheckConflicts: does `mode` conflict with a mode granted to another owner? */
  #conflictsWithGranted(lock: LockEntry, mode: LockModeNumber, mine: ProcLock): boolean {
    const conflictMask = LOCK_CONFLICTS[mode]!;
    return lock.procLocks.some((other) => other !== mine && (other.holdMask & conflictMask) !== 0);
  }

  #nextTimer(limit: number): Timer | null {
    let best: Timer | null = null;
    for (const [owner, state] of this.#owners) {
      const wait = state.wait;
      if (wait === null) continue;
      const candidates: Timer[] = [];
      if (wait.deadlockAt !== null) candidates.push({ at: wait.deadlockAt, sequence: wait.sequence, kind: 0, owner });
      if (wait.lockTimeoutAt !== null)
        candidates.push({ at: wait.lockTimeoutAt, sequence: wait.sequence, kind: 1, owner });
      for (const timer of candidates)
        if (timer.at <= limit && (best === null || timerBefore(timer, best))) best = timer;
    }
    return best;
  }

  #deadlockError(cycle: readonly DeadlockStep[]): PgError {
    return deadlockError(
      cycle.map((step) => ({
        process: this.#processOf(step.owner),
        modeName: lockModeName(modeOfNumber(step.mode)),
        tagDescription: describeTag(step.lock.tag, this.#databaseOid),
      })),
    );
  }
}

function timerBefore(a: Timer, b: Timer): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.sequence !== b.sequence) return a.sequence < b.sequence;
  return a.kind < b.kind;
}

function granted(owners: readonly OwnerId[]): WaitEnd[] {
  return owners.map((owner) => ({ owner, kind: 'granted' }));
}

function grant(procLock: ProcLock, mode: LockModeNumber, subtransaction: number): void {
  procLock.holdMask |= modeBit(mode);
  // Added rather than passed as a list: `new Set([x])` builds and iterates an array first.
  const takers = new Set<number>();
  takers.add(subtransaction);
  procLock.takenIn.set(mode, takers);
}

function heldModes(procLock: ProcLock): LockModeNumber[] {
  const modes: LockModeNumber[] = [];
  for (let mode = 1; mode <= 8; mode += 1)
    if ((procLock.holdMask & modeBit(mode as LockModeNumber)) !== 0) modes.push(mode as LockModeNumber);
  return modes;
}

/** The modes that conflict with any mode in `mask`. */
function conflictsOf(mask: number): number {
  let conflicts = 0;
  for (let mode = 1; mode <= 8; mode += 1) if ((mask & (1 << mode)) !== 0) conflicts |= LOCK_CONFLICTS[mode]!;
  return conflicts;
}

function checkTimeouts(timeouts: LockTimeouts): LockTimeouts {
  assert(
    Number.isSafeInteger(timeouts.lockTimeoutMs) && timeouts.lockTimeoutMs >= 0,
    `lock_timeout is whole non-negative milliseconds, not ${timeouts.lockTimeoutMs}`,
  );
  assert(
    Number.isSafeInteger(timeouts.deadlockTimeoutMs) && timeouts.deadlockTimeoutMs >= 1,
    `deadlock_timeout is at least 1 ms, not ${timeouts.deadlockTimeoutMs}`,
  );
  return timeouts;
}
