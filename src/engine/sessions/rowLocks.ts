/**
 * Row locks and EvalPlanQual (docs/concurrency.md, semantics 3-4), decided from the tuple headers:
 * a version replaced or deleted by a running transaction is locked by it in the strength its write
 * amounts to (`xmaxStrength`), and `locks` lists the SELECT … FOR … and foreign-key locks taken on
 * the newest version. A request that conflicts waits for the holder's transaction to end; then the
 * request is decided again from the state it finds.
 */
import { assert } from '../assert.js';
import type { Relation, RowLock, RowLockStrength, Tuple } from '../catalog.js';
import { PgError } from '../errors.js';
import type { EngineState } from '../session.js';
import { newestVersion, xidVisible } from './snapshot.js';
import type { LockWait } from './suspension.js';

/** PostgreSQL's row-lock conflict table (Table 13.3): KEY SHARE only conflicts with FOR UPDATE. */
export function rowStrengthsConflict(left: RowLockStrength, right: RowLockStrength): boolean {
  if (left === 'Update' || right === 'Update') return true;
  if (left === 'KeyShare' || right === 'KeyShare') return false;
  return left === 'NoKeyUpdate' || right === 'NoKeyUpdate';
}

const RANK: Readonly<Record<RowLockStrength, number>> = { KeyShare: 0, Share: 1, NoKeyUpdate: 2, Update: 3 };

/** What to do when the row is locked: wait (default), fail at once (NOWAIT), or pass over it (SKIP LOCKED). */
export type WaitPolicy = 'wait' | 'nowait' | 'skip';

export type RowLockOutcome =
  /** The row is this transaction's to change or keep locked: `tuple` is its newest version. */
  | { readonly kind: 'locked'; readonly tuple: Tuple }
  /**
   * A running transaction holds a conflicting lock: wait for it (holding `tuple` first, unless
   * null), then ask again.
   */
  | { readonly kind: 'wait'; readonly xid: number; readonly tuple: TupleLockRequest | null }
  /** Deleted (by a committed transaction, or by this statement), or skipped under SKIP LOCKED. */
  | { readonly kind: 'skip' }
  /** READ COMMITTED: a committed transaction changed it since the snapshot; re-check this newer version (EPQ). */
  | { readonly kind: 'recheck'; readonly tuple: Tuple };

/**
 * The heavyweight tuple lock a row waiter takes before it waits for the holder's transaction
 * (heapam's heap_acquire_tuplock, in `tupleLockMode(strength)`): it queues several waiters for one
 * row in arrival order, and a later one waits for the first (pg_blocking_pids names it). Keyed by
 * the tuple id, which the engine keeps across a row's versions.
 */
export interface TupleLockRequest {
  readonly oid: number;
  readonly tid: number;
  readonly table: string;
  readonly strength: RowLockStrength;
}

/** The wait a `wait` outcome amounts to, thrown as a `Suspension` by the executors. */
export function rowWait(outcome: { readonly xid: number; readonly tuple: TupleLockRequest | null }): LockWait {
  return outcome.tuple === null
    ? { kind: 'transaction', xid: outcome.xid }
    : { kind: 'transaction', xid: outcome.xid, tuple: outcome.tuple };
}

function serializationFailure(deleted: boolean): PgError {
  return new PgError(
    '40001',
    deleted
      ? 'could not serialize access due to concurrent delete'
      : 'could not serialize access due to concurrent update',
  );
}

function lockNotAvailable(relation: Relation): PgError {
  return new PgError('55P03', `could not obtain lock on row in relation "${relation.name}"`);
}

/**
 * Decides a row-lock request of strength `strength` on `seen`, the version the statement's
 * snapshot chose. With `take`, a granted request is recorded as a row lock on the newest version
 * (SELECT … FOR …, a foreign-key check); a write records itself by writing.
 */
export function lockRow(
  state: EngineState,
  relation: Relation,
  seen: Tuple,
  strength: RowLockStrength,
  policy: WaitPolicy,
  take: boolean,
): RowLockOutcome {
  const own = state.currentXid;
  const running = state.shared.running;
  const holder = seen.xmax ?? 0;
  if (holder !== 0) {
    if (holder === own) return { kind: 'skip' };
    const deleted = relation.ghosts?.get(seen.tid) === seen;
    const conflicts = rowStrengthsConflict(strength, seen.xmaxStrength ?? 'Update');
    if (running.has(holder) && conflicts) {
      // A multixact's members are waited for in the order they came (MultiXactIdWait): a conflicting
      // lock taken before the write comes before its writer (seed 14, run 57).
      const earlier = (seen.locks ?? []).slice(0, seen.locksBeforeWrite ?? 0);
      const locker = earlier.find(
        (lock) => lock.xid !== own && running.has(lock.xid) && rowStrengthsConflict(strength, lock.strength),
      );
      return blocked(state, relation, seen, strength, locker?.xid ?? holder, policy);
    }
    if (!conflicts) {
      // A KEY SHARE request next to a non-key update (heap_lock_tuple following updates): the lock
      // goes to the version it sees and to every newer one (heap_lock_updated_tuple), each checked
      // like the first, so a lock or write on a newer version that conflicts (the updater's own
      // FOR UPDATE, a later key update or delete) is waited for. Kept on the version it sees too,
      // it outlives an updater that rolls back, as in the old version's multixact. The same holds
      // when the updater has committed (HEAP_KEYS_UPDATED is unset, so heap_lock_tuple needs no
      // sleep and returns TM_Ok): no 40001 under REPEATABLE READ, no re-check under READ COMMITTED
      // (seed 13, run 209), unless a newer version's key change or delete has committed.
      const newer = newerVersions(relation, seen);
      if (!newer.some((version) => committedConflict(state, version, strength))) {
        for (const version of newer) {
          // heap_lock_updated_tuple waits for it with XactLockTableWait, taking no tuple lock and
          // heeding neither NOWAIT nor SKIP LOCKED (seed 14, run 72: a FOR KEY SHARE NOWAIT waits).
          const conflict = conflictingHolder(state, version, strength);
          if (conflict !== null) return { kind: 'wait', xid: conflict, tuple: null };
        }
        if (take) for (const version of [seen, ...newer]) addLock(state, version, strength);
        return { kind: 'locked', tuple: seen };
      }
    }
    // The holder committed after the snapshot (an aborted one would have been undone). While another
    // member of the version's multixact runs (a locker next to the update), HeapTupleSatisfiesUpdate
    // still answers TM_BeingModified, and the request first waits for the lockers it conflicts with
    // (MultiXactIdWait), in the order they came; only then does it meet the committed update (seed 19,
    // run 184: a DELETE under REPEATABLE READ waits for a KEY SHARE taken after a non-key update).
    const locker = (seen.locks ?? []).find(
      (lock) => lock.xid !== own && running.has(lock.xid) && rowStrengthsConflict(strength, lock.strength),
    );
    if (locker !== undefined && !running.has(holder))
      return blocked(state, relation, seen, strength, locker.xid, policy);
    if (state.inRepeatableRead) throw serializationFailure(deleted);
    const newest = newestCommitted(state, relation, seen.tid);
    return newest === null ? { kind: 'skip' } : { kind: 'recheck', tuple: newest };
  }
  if (newestVersion(relation, seen.tid) !== seen) {
    // Only a version this transaction wrote is replaced or deleted without keeping an xmax.
    assert(seen.xmin === own, `tuple ${seen.tid} of ${relation.name}: a superseded version without xmax`);
    return { kind: 'skip' };
  }
  for (const lock of seen.locks ?? []) {
    if (lock.xid === own || !running.has(lock.xid)) continue;
    if (rowStrengthsConflict(strength, lock.strength))
      return blocked(state, relation, seen, strength, lock.xid, policy);
  }
  if (take) addLock(state, seen, strength);
  return { kind: 'locked', tuple: seen };
}

/**
 * A conflicting holder: NOWAIT fails, SKIP LOCKED passes over, else wait. The waiter takes the tuple
 * lock first unless its own transaction already locks the row (heap_lock_tuple's skip_tuple_lock:
 * a waiter holding the tuple lock may be waiting for it, and taking it would deadlock).
 */
function blocked(
  state: EngineState,
  relation: Relation,
  seen: Tuple,
  strength: RowLockStrength,
  xid: number,
  policy: WaitPolicy,
): RowLockOutcome {
  if (policy === 'nowait') throw lockNotAvailable(relation);
  if (policy === 'skip') return { kind: 'skip' };
  const own = state.currentXid;
  const ownsLock = (newestVersion(relation, seen.tid) ?? seen).locks?.some((lock) => lock.xid === own) ?? false;
  const tuple = ownsLock ? null : { oid: relation.oid, tid: seen.tid, table: relation.name, strength };
  return { kind: 'wait', xid, tuple };
}

/** The versions of `seen`'s tuple id newer than it, oldest first. */
function newerVersions(relation: Relation, seen: Tuple): Tuple[] {
  const newer: Tuple[] = [];
  let version: Tuple | null | undefined = newestVersion(relation, seen.tid);
  for (let steps = 0; version !== null && version !== undefined && version !== seen; steps++) {
    assert(steps < 1_000_000, `version chain of tuple ${seen.tid} does not end`);
    newer.push(version);
    version = version.prior;
  }
  assert(version === seen, `tuple ${seen.tid} of ${relation.name}: the version seen is not in its chain`);
  return newer.reverse();
}

/**
 * Whether a committed transaction other than this one wrote `version` away in a way that conflicts
 * with `strength` (a key change or delete against KEY SHARE): heap_lock_updated_tuple then fails
 * (test_lockmode_for_conflict), as for the version seen.
 */
function committedConflict(state: EngineState, version: Tuple, strength: RowLockStrength): boolean {
  const own = state.currentXid;
  const running = state.shared.running;
  if (version.keyUpdatedFromPrior === true && version.xmin !== own && !running.has(version.xmin))
    if (rowStrengthsConflict(strength, 'Update')) return true;
  const writer = version.xmax ?? 0;
  if (writer === 0 || writer === own || running.has(writer)) return false;
  return rowStrengthsConflict(strength, version.xmaxStrength ?? 'Update');
}

/** Another running transaction whose write of or lock on `version` conflicts with `strength`, or null. */
function conflictingHolder(state: EngineState, version: Tuple, strength: RowLockStrength): number | null {
  const own = state.currentXid;
  const running = state.shared.running;
  // Its writer's key update between the prior version and this one (a version of its own it superseded).
  if (version.keyUpdatedFromPrior === true && version.xmin !== own && running.has(version.xmin))
    if (rowStrengthsConflict(strength, 'Update')) return version.xmin;
  const writer = version.xmax ?? 0;
  if (writer !== 0 && writer !== own && running.has(writer))
    if (rowStrengthsConflict(strength, version.xmaxStrength ?? 'Update')) return writer;
  for (const lock of version.locks ?? [])
    if (lock.xid !== own && running.has(lock.xid) && rowStrengthsConflict(strength, lock.strength)) return lock.xid;
  return null;
}

/**
 * The newest committed version of a tuple id, or null when it was deleted: what EvalPlanQual
 * re-checks. Versions of transactions still running are passed over (their writer will be waited for).
 */
function newestCommitted(state: EngineState, relation: Relation, tid: number): Tuple | null {
  const latest = state.freshSnapshot();
  let version: Tuple | null | undefined = newestVersion(relation, tid);
  for (let steps = 0; version !== null && version !== undefined; steps++) {
    assert(steps < 1_000_000, `version chain of tuple ${tid} does not end`);
    if (xidVisible(latest, state.currentXid, version.xmin)) {
      const xmax = version.xmax ?? 0;
      if (xmax !== 0 && !latest.running.has(xmax) && relation.ghosts?.get(tid) === version) {
        // heapam_tuple_lock following the update chain (TUPLE_LOCK_FLAG_FIND_LAST_VERSION) meets the
        // moved-partitions mark: READ COMMITTED cannot follow the row into its new partition.
        if (version.movedToPartition === true)
          throw new PgError(
            '40001',
            'tuple to be locked was already moved to another partition due to concurrent update',
          );
        return null;
      }
      return version;
    }
    version = version.prior;
  }
  return null;
}

/**
 * An UPDATE about to wait in its unique check for the transaction holding its new key: PostgreSQL
 * writes the new version first (heap_update), then waits while inserting its index entries, so
 * meanwhile the old version is its: a writer or FOR UPDATE of the row, and a write of one of the
 * old version's unique keys, wait for it (checked on the server). The engine writes after the
 * wait; the `writing` lock recorded here stands for the write until then, and goes with the
 * statement if the check fails.
 */
export function lockForUniqueWait(state: EngineState, tuple: Tuple, strength: RowLockStrength): void {
  addLock(state, tuple, strength, true);
}

/** Records a row lock (kept until the transaction ends; undone with a rolled-back savepoint). */
function addLock(state: EngineState, tuple: Tuple, strength: RowLockStrength, writing = false): void {
  const own = state.currentXid;
  const held = tuple.locks?.find((lock) => lock.xid === own && (lock.writing === true || !writing));
  if (held !== undefined && RANK[held.strength] >= RANK[strength]) return;
  const lock: RowLock = writing ? { xid: own, strength, writing } : { xid: own, strength };
  tuple.locks ??= [];
  tuple.locks.push(lock);
  state.journal.record({ undo: 'rowLock', tuple, lock });
}

/** Gives back a row lock a rolled-back statement, savepoint or transaction took (its journal record). */
export function undoRowLock(tuple: Tuple, lock: RowLock): void {
  const locks = tuple.locks;
  const position = locks?.lastIndexOf(lock) ?? -1;
  assert(position >= 0, `row lock of ${lock.xid} on tuple ${tuple.tid} lost`);
  locks!.splice(position, 1);
}
