/**
 * The engine's heavyweight locks: PostgreSQL 18's lock modes, lock manager, deadlock detector and
 * the table locks each statement takes, as a pure, deterministic model over virtual time. It runs
 * no SQL and holds no rows; the session engine calls it.
 *
 * The API, for the session engine:
 *
 * - `modes.ts`: `TableLockMode` (the eight modes, `AccessShare` … `AccessExclusive`),
 *   `tableModesConflict`, `RowLockStrength` (`KeyShare`, `Share`, `NoKeyUpdate`, `Update`),
 *   `rowStrengthsConflict`, and `tupleLockMode(strength)`, the mode a row waiter takes the tuple
 *   lock in (heapam's `tupleLockExtraInfo`).
 * - `VirtualClock`: milliseconds advanced only by the caller (through `fireTimersUntil`).
 * - `LockManager(clock, { debug, processOf, databaseOid })`. Owners are top-level transactions
 *   (numbers the caller picks, one live transaction per owner); tags are
 *   `{ kind: 'relation', oid }`, `{ kind: 'transaction', xid }`, `{ kind: 'tuple', oid, tid }`.
 *   - `acquire(owner, tag, mode, { nowait, subtransaction, relationName, timeouts })` →
 *     `granted` | `waiting` (with its blockers; the owner now waits, one wait at a time) |
 *     `failed` (55P03 for NOWAIT, naming `relationName`; 40P01 for a deadlock found on joining the
 *     queue). A row wait is PostgreSQL's: the tuple lock in `tupleLockMode(strength)` (queue order
 *     among row waiters), then `Share` on the holder's `transaction` tag, then `release` of both
 *     once granted; every transaction takes `Exclusive` on its own xid when it gets one.
 *   - `releaseAll(owner)` at commit or abort; `rollbackSubtransaction(owner, sub)` at ROLLBACK TO
 *     SAVEPOINT (releases what subtransactions ≥ `sub` took); `commitSubtransaction(owner, sub,
 *     parent)` at RELEASE SAVEPOINT; `release(owner, tag, mode)` for one mode; `cancelWait(owner)`.
 *     Each returns the owners whose waits ended granted, in the order they were granted.
 *   - `setTimeouts(owner, { lockTimeoutMs, deadlockTimeoutMs })` (SET lock_timeout /
 *     deadlock_timeout; read when a wait begins), `nextTimerAt()`, and `fireTimersUntil(at)`, which
 *     advances the clock and returns the waits that ended meanwhile: `failed` with 40P01 (the
 *     waiter's own deadlock check found a hard cycle) or 55P03 (lock_timeout), or `granted` (a
 *     waiter let through by a victim leaving the queue or by a soft deadlock's reordering).
 *     A failed owner's transaction (or subtransaction) must then be aborted by the caller, which
 *     releases its locks with `releaseAll` / `rollbackSubtransaction`.
 *   - `isWaiting`, `waitOf`, `blockersOf` (pg_blocking_pids), `holds`, `locksOf` (pg_locks of one owner),
 *     `queueOf`, `owners`, `describe()` (the whole table as stable JSON), `checkInvariants()`.
 * - `statementLocks(statement, lockCatalogOf(relations))`: the relation locks a statement value takes
 *   before it runs (acquire each; a statement that must wait has done nothing yet), and
 *   `deferredLocks(…)`: those its foreign-key triggers take at its end when the checks run.
 *
 * What is and is not modelled is listed in docs/concurrency.md (the engine's lock manager).
 */
export type { DeadlockVerdict } from './deadlockCheck.js';
export { DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE } from './lockErrors.js';
export type {
  AcquireOptions,
  AcquireResult,
  HeldLock,
  LockManagerOptions,
  LockStatistics,
  LockTimeouts,
  OwnerId,
  WaitEnd,
  WaitInfo,
} from './lockManager.js';
export { DEFAULT_TIMEOUTS, LockManager } from './lockManager.js';
export type { LockTag } from './lockTag.js';
export { describeTag, tagKey } from './lockTag.js';
export type { RowLockStrength, TableLockMode } from './modes.js';
export {
  lockModeName,
  lockModeSql,
  modeDominates,
  modeFromLockName,
  ROW_LOCK_STRENGTHS,
  rowStrengthsConflict,
  TABLE_LOCK_MODES,
  tableModesConflict,
  tupleLockMode,
} from './modes.js';
export type { LockCatalog, RelationLock } from './statementLocks.js';
export { deferredLocks, hasLockRule, lockCatalogOf, statementLocks } from './statementLocks.js';
export { VirtualClock } from './virtualClock.js';
