/**
 * The shared lock table's entries, as lock.c keeps them: one `LockEntry` per tag that someone holds
 * or awaits (PostgreSQL's LOCK), with its holders and waiters in `procLocks` (PROCLOCK, one per
 * owner, in the order they were created, which is the order the deadlock checker and
 * pg_blocking_pids walk them) and its FIFO wait queue (`waitProcs`). Modes are LOCKMODE numbers
 * and masks (`modes.ts`).
 */
import type { LockModeNumber } from './modes.js';
import type { LockTag } from './lockTag.js';

/** A lock owner: one top-level transaction (PostgreSQL's PGPROC while that transaction runs). */
export type OwnerId = number;

export interface ProcLock {
  readonly owner: OwnerId;
  /** The modes this owner holds on the tag. */
  holdMask: number;
  /**
   * For each held mode, the subtransactions that took it (the resource owners of its LOCALLOCK):
   * a ROLLBACK TO SAVEPOINT releases a mode only when no surviving subtransaction took it too.
   */
  readonly takenIn: Map<LockModeNumber, Set<number>>;
}

export interface LockEntry {
  /** The tag's number (`tagNumber`), which keys the lock table's maps. */
  readonly id: number;
  /** The tag's name in messages and table descriptions (`tagKey`). */
  readonly key: string;
  readonly tag: LockTag;
  /** Holders and waiters, one entry per owner, in creation order. */
  readonly procLocks: ProcLock[];
  /** Waiting owners in queue order (front first). */
  waitQueue: OwnerId[];
}

/** One edge of the waits-for graph (deadlock.c's EDGE): `waiter` waits for `blocker`. */
export interface WaitEdge {
  readonly waiter: OwnerId;
  readonly blocker: OwnerId;
}

/** What the deadlock checker reads of the lock manager: what each owner waits for. */
export interface WaitGraph {
  waitOf(owner: OwnerId): { readonly lock: LockEntry; readonly mode: LockModeNumber } | null;
}
