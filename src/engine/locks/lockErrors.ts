/**
 * The errors a lock request ends in, worded as PostgreSQL 18 words them:
 * - NOWAIT on a table lock (`LOCK TABLE … NOWAIT`, lockcmds.c): 55P03
 *   `could not obtain lock on relation "items"`;
 * - NOWAIT on a row (`FOR UPDATE NOWAIT`, heapam.c): 55P03 `could not obtain lock on row in relation "items"`;
 * - lock_timeout (postgres.c's ProcessInterrupts): 55P03 `canceling statement due to lock timeout`;
 * - a deadlock (deadlock.c's DeadLockReport): 40P01 `deadlock detected`, with one DETAIL line per
 *   waiter of the cycle, `Process 2 waits for ShareLock on transaction 750; blocked by process 1.`
 *   Process numbers are what the caller says an owner's process is (a session number).
 *   PostgreSQL's HINT (`See server log for query details.`) has no field in `PgError` and is left out.
 */
import { PgError } from '../errors.js';
import type { LockTag } from './lockTag.js';

export const LOCK_NOT_AVAILABLE = '55P03';
export const DEADLOCK_DETECTED = '40P01';

export function lockNotAvailable(tag: LockTag, relationName: string): PgError {
  const what = tag.kind === 'relation' ? 'relation' : 'row in relation';
  return new PgError(LOCK_NOT_AVAILABLE, `could not obtain lock on ${what} "${relationName}"`);
}

export function lockTimeoutError(): PgError {
  return new PgError(LOCK_NOT_AVAILABLE, 'canceling statement due to lock timeout');
}

/** One DETAIL line per step of the cycle: who waits for what, blocked by the next step's process. */
export interface DeadlockLine {
  readonly process: number;
  readonly modeName: string;
  readonly tagDescription: string;
}

export function deadlockError(lines: readonly DeadlockLine[]): PgError {
  const detail = lines
    .map((line, index) => {
      const next = lines[(index + 1) % lines.length]!;
      return `Process ${line.process} waits for ${line.modeName} on ${line.tagDescription}; blocked by process ${next.process}.`;
    })
    .join('\n');
  return new PgError(DEADLOCK_DETECTED, 'deadlock detected', { detail });
}
