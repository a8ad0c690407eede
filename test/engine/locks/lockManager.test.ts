/**
 * The lock manager's rules, one PostgreSQL behaviour per test: grants and conflicts, the queue
 * (behind an earlier waiter, queue jumping, wake-up past a blocked waiter), NOWAIT, lock_timeout,
 * deadlocks found on joining the queue and by the timed check (hard: a victim; soft: queues
 * reordered), subtransactions, and the order of timers. Every test runs in debug mode, so each
 * operation also checks the table's invariants.
 */
import { describe, expect, it } from 'vitest';
import { PgError } from '../../../src/engine/errors.js';
import { LockManager } from '../../../src/engine/locks/lockManager.js';
import type { LockTag } from '../../../src/engine/locks/lockTag.js';
import { VirtualClock } from '../../../src/engine/locks/virtualClock.js';

const r1: LockTag = { kind: 'relation', oid: 16401 };
const r2: LockTag = { kind: 'relation', oid: 16402 };

function manager(): LockManager {
  return new LockManager(new VirtualClock(), { debug: true });
}

function errorOf(result: { kind: string; error?: PgError }): { code: string; message: string; detail?: string } {
  expect(result.kind).toBe('failed');
  const error = result.error!;
  expect(error).toBeInstanceOf(PgError);
  return error.detail === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, detail: error.detail };
}

describe('grants and the wait queue', () => {
  it('grants compatible modes and queues a conflicting one behind its holders', () => {
    const locks = manager();
    expect(locks.acquire(1, r1, 'RowExclusive')).toEqual({ kind: 'granted' });
    expect(locks.acquire(2, r1, 'RowExclusive')).toEqual({ kind: 'granted' });
    expect(locks.acquire(3, r1, 'Share')).toEqual({ kind: 'waiting', blockers: [1, 2] });
    expect(locks.isWaiting(3)).toBe(true);
    expect(locks.releaseAll(1)).toEqual([]);
    expect(locks.releaseAll(2)).toEqual([3]);
    expect(locks.locksOf(3)).toEqual([{ tag: r1, mode: 'Share' }]);
    expect(locks.holds(3, r1, 'Share')).toBe(true);
    expect(locks.holds(3, r1, 'RowExclusive')).toBe(false);
    expect(locks.holds(1, r1, 'RowExclusive')).toBe(false);
  });

  it('queues a compatible request behind an earlier conflicting waiter (a waiting DDL blocks later writers)', () => {
    const locks = manager();
    locks.acquire(1, r1, 'RowExclusive');
    expect(locks.acquire(2, r1, 'ShareRowExclusive')).toEqual({ kind: 'waiting', blockers: [1] });
    // RowExclusive is compatible with the granted RowExclusive but conflicts with the waiter's mode.
    expect(locks.acquire(3, r1, 'RowExclusive')).toEqual({ kind: 'waiting', blockers: [2] });
    expect(locks.queueOf(r1)).toEqual([2, 3]);
    expect(locks.releaseAll(1)).toEqual([2]);
    expect(locks.blockersOf(3)).toEqual([2]);
    expect(locks.releaseAll(2)).toEqual([3]);
  });

  it('grants a mode the owner already holds at once, whatever waits', () => {
    const locks = manager();
    locks.acquire(1, r1, 'RowExclusive');
    locks.acquire(2, r1, 'AccessExclusive');
    expect(locks.acquire(1, r1, 'RowExclusive')).toEqual({ kind: 'granted' });
  });

  it('lets a holder jump in front of a waiter that waits for it (JoinWaitQueue)', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare');
    expect(locks.acquire(2, r1, 'AccessExclusive')).toEqual({ kind: 'waiting', blockers: [1] });
    // Owner 1 holds AccessShare, which waiter 2 needs gone; RowExclusive conflicts only with the
    // waiter's request, so owner 1 goes in front of it and, nothing ahead conflicting, is granted.
    expect(locks.acquire(1, r1, 'RowExclusive')).toEqual({ kind: 'granted' });
    expect(locks.queueOf(r1)).toEqual([2]);
  });

  it('queues a holder just in front of the waiter when something ahead still conflicts', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare');
    locks.acquire(2, r1, 'Exclusive');
    expect(locks.acquire(3, r1, 'AccessExclusive')).toEqual({ kind: 'waiting', blockers: [1, 2] });
    // Owner 1 wants Share: the granted Exclusive of owner 2 conflicts, so it cannot be granted, but
    // it goes ahead of waiter 3, whose AccessExclusive conflicts with the AccessShare owner 1 holds.
    expect(locks.acquire(1, r1, 'Share')).toEqual({ kind: 'waiting', blockers: [2] });
    expect(locks.queueOf(r1)).toEqual([1, 3]);
    expect(locks.blockersOf(3)).toEqual([1, 2]);
    expect(locks.releaseAll(2)).toEqual([1]);
  });

  it('wakes every grantable waiter on release, past one that stays blocked (ProcLockWakeup never stops)', () => {
    const locks = manager();
    locks.acquire(1, r1, 'ShareUpdateExclusive');
    locks.acquire(2, r1, 'RowShare');
    expect(locks.acquire(3, r1, 'Exclusive').kind).toBe('waiting');
    // Waiter 4 (ShareUpdateExclusive) is blocked by owner 1; waiter 5 (RowShare) only by the
    // Exclusive request ahead. Releasing owner 3's wait lets 5 through while 4 stays.
    expect(locks.acquire(4, r1, 'ShareUpdateExclusive')).toEqual({ kind: 'waiting', blockers: [1, 3] });
    expect(locks.acquire(5, r1, 'RowShare')).toEqual({ kind: 'waiting', blockers: [3] });
    expect(locks.cancelWait(3)).toEqual([5]);
    expect(locks.queueOf(r1)).toEqual([4]);
    expect(locks.releaseAll(1)).toEqual([4]);
  });

  it('grants waiters in queue order, each checked against the grants before it', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessExclusive');
    locks.acquire(2, r1, 'ShareUpdateExclusive');
    locks.acquire(3, r1, 'ShareUpdateExclusive');
    locks.acquire(4, r1, 'AccessShare');
    expect(locks.releaseAll(1)).toEqual([2, 4]);
    expect(locks.queueOf(r1)).toEqual([3]);
    expect(locks.releaseAll(2)).toEqual([3]);
  });
});

describe('NOWAIT and lock_timeout', () => {
  it('fails a NOWAIT table lock with 55P03 naming the relation, queueing nothing', () => {
    const locks = manager();
    locks.acquire(1, r1, 'RowExclusive');
    const result = locks.acquire(2, r1, 'AccessExclusive', { nowait: true, relationName: 'items' });
    expect(errorOf(result)).toEqual({ code: '55P03', message: 'could not obtain lock on relation "items"' });
    expect(locks.queueOf(r1)).toEqual([]);
    expect(locks.owners()).toEqual([1]);
  });

  it('fails a NOWAIT row wait with the row message', () => {
    const locks = manager();
    locks.acquire(1, { kind: 'transaction', xid: 750 }, 'Exclusive');
    const result = locks.acquire(2, { kind: 'transaction', xid: 750 }, 'Share', {
      nowait: true,
      relationName: 'items',
    });
    expect(errorOf(result).message).toBe('could not obtain lock on row in relation "items"');
  });

  it('grants a NOWAIT request that JoinWaitQueue lets jump the queue', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare');
    locks.acquire(2, r1, 'AccessExclusive');
    expect(locks.acquire(1, r1, 'RowShare', { nowait: true, relationName: 'items' })).toEqual({ kind: 'granted' });
  });

  it('cancels a wait after lock_timeout with 55P03 and lets the waiters behind it through', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare');
    locks.setTimeouts(2, { lockTimeoutMs: 100 });
    expect(locks.acquire(2, r1, 'AccessExclusive').kind).toBe('waiting');
    locks.clock.advanceTo(10);
    expect(locks.acquire(3, r1, 'RowExclusive').kind).toBe('waiting');
    expect(locks.nextTimerAt()).toBe(100);
    expect(locks.fireTimersUntil(99)).toEqual([]);
    const ended = locks.fireTimersUntil(150);
    expect(ended.map((end) => [end.owner, end.kind])).toEqual([
      [2, 'failed'],
      [3, 'granted'],
    ]);
    expect(ended[0]).toMatchObject({ error: { code: '55P03', message: 'canceling statement due to lock timeout' } });
    expect(locks.clock.now()).toBe(150);
    // Owner 3's own deadlock check (at 10 + 1000) went with its wait.
    expect(locks.nextTimerAt()).toBeNull();
  });
});

describe('deadlocks', () => {
  it('finds a lock-upgrade deadlock on joining the queue, without waiting for deadlock_timeout', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare');
    locks.acquire(2, r1, 'AccessShare');
    expect(locks.acquire(1, r1, 'AccessExclusive').kind).toBe('waiting');
    const result = locks.acquire(2, r1, 'AccessExclusive');
    expect(errorOf(result)).toEqual({
      code: '40P01',
      message: 'deadlock detected',
      detail:
        'Process 2 waits for AccessExclusiveLock on relation 16401 of database 5; blocked by process 1.\n' +
        'Process 1 waits for AccessExclusiveLock on relation 16401 of database 5; blocked by process 2.',
    });
    expect(locks.queueOf(r1)).toEqual([1]);
    expect(locks.releaseAll(2)).toEqual([1]);
  });

  it('makes the waiter whose deadlock check fires first the victim of a hard cycle', () => {
    const locks = manager();
    for (const owner of [1, 2]) locks.setTimeouts(owner, { deadlockTimeoutMs: 100 });
    locks.acquire(1, r1, 'AccessExclusive');
    locks.acquire(2, r2, 'AccessExclusive');
    locks.clock.advanceTo(5);
    expect(locks.acquire(1, r2, 'AccessShare')).toEqual({ kind: 'waiting', blockers: [2] });
    locks.clock.advanceTo(20);
    expect(locks.acquire(2, r1, 'RowExclusive')).toEqual({ kind: 'waiting', blockers: [1] });
    expect(locks.nextTimerAt()).toBe(105);
    const ended = locks.fireTimersUntil(300);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.owner).toBe(1);
    expect(errorOf(ended[0] as { kind: string; error: PgError })).toEqual({
      code: '40P01',
      message: 'deadlock detected',
      detail:
        'Process 1 waits for AccessShareLock on relation 16402 of database 5; blocked by process 2.\n' +
        'Process 2 waits for RowExclusiveLock on relation 16401 of database 5; blocked by process 1.',
    });
    // The victim's transaction aborts; then the survivor gets its lock. Its own check (at 120)
    // ran and found no cycle any more.
    expect(locks.isWaiting(2)).toBe(true);
    expect(locks.releaseAll(1)).toEqual([2]);
  });

  it('runs the check once per wait: a waiter outside the cycle never becomes the victim', () => {
    const locks = manager();
    for (const owner of [1, 2, 3]) locks.setTimeouts(owner, { deadlockTimeoutMs: 100 });
    locks.acquire(1, r1, 'AccessExclusive');
    locks.acquire(2, r2, 'AccessExclusive');
    locks.acquire(3, r2, 'AccessShare'); // waits on 2, outside the cycle, first to wait
    locks.clock.advanceTo(1);
    locks.acquire(1, r2, 'AccessShare');
    locks.clock.advanceTo(2);
    locks.acquire(2, r1, 'AccessShare');
    const ended = locks.fireTimersUntil(1000);
    expect(ended.map((end) => [end.owner, end.kind])).toEqual([[1, 'failed']]);
  });

  it('resolves a soft deadlock by reordering the queue, as DeadLockCheck does', () => {
    const locks = manager();
    for (const owner of [1, 2, 3]) locks.setTimeouts(owner, { deadlockTimeoutMs: 100 });
    locks.acquire(1, r1, 'AccessShare'); // H holds AccessShare on r1
    locks.acquire(3, r2, 'AccessExclusive'); // C holds r2
    expect(locks.acquire(2, r1, 'AccessExclusive')).toEqual({ kind: 'waiting', blockers: [1] }); // B waits for H
    locks.clock.advanceTo(1);
    expect(locks.acquire(3, r1, 'AccessShare')).toEqual({ kind: 'waiting', blockers: [2] }); // C queues behind B
    locks.clock.advanceTo(2);
    expect(locks.acquire(1, r2, 'AccessShare')).toEqual({ kind: 'waiting', blockers: [3] }); // H waits for C
    // Cycle H → C (holds r2) → B (ahead of C on r1) → H (holds r1); one edge is soft. B's check at
    // 100 puts C before B, and C, compatible with H's AccessShare, is granted.
    const ended = locks.fireTimersUntil(100);
    expect(ended).toEqual([{ owner: 3, kind: 'granted' }]);
    expect(locks.queueOf(r1)).toEqual([2]);
    expect(locks.releaseAll(3)).toEqual([1]);
    expect(locks.releaseAll(1)).toEqual([2]);
  });

  it('reports the lock timeout, not the deadlock, when both are due at the same instant', () => {
    const locks = manager();
    for (const owner of [1, 2]) locks.setTimeouts(owner, { deadlockTimeoutMs: 100, lockTimeoutMs: 100 });
    locks.acquire(1, r1, 'AccessExclusive');
    locks.acquire(2, r2, 'AccessExclusive');
    locks.acquire(1, r2, 'AccessExclusive');
    locks.acquire(2, r1, 'AccessExclusive');
    const ended = locks.fireTimersUntil(100);
    // Owner 1's deadlock check runs first and finds the cycle, but its lock timeout, due at the
    // same instant, is the error. Owner 2's timers are due then too: the cycle is gone (owner 1 left
    // the queue), so its deadlock check finds nothing, and its lock timeout fires as well.
    expect(ended.map((end) => [end.owner, end.kind])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    for (const end of ended) expect(end).toMatchObject({ error: { code: '55P03' } });
  });

  it('fires timers due at the same instant in the order the waits began', () => {
    const locks = manager();
    locks.acquire(9, r1, 'AccessExclusive');
    for (const owner of [3, 1, 2]) {
      locks.setTimeouts(owner, { lockTimeoutMs: 50 });
      locks.acquire(owner, r1, 'AccessShare');
    }
    expect(locks.fireTimersUntil(50).map((end) => end.owner)).toEqual([3, 1, 2]);
  });
});

describe('subtransactions', () => {
  it('releases at ROLLBACK TO SAVEPOINT only the modes no enclosing subtransaction took', () => {
    const locks = manager();
    locks.acquire(1, r1, 'AccessShare', { subtransaction: 0 });
    locks.acquire(1, r1, 'AccessShare', { subtransaction: 1 });
    locks.acquire(1, r1, 'RowExclusive', { subtransaction: 1 });
    locks.acquire(1, r2, 'AccessExclusive', { subtransaction: 2 });
    expect(locks.acquire(2, r1, 'Share')).toEqual({ kind: 'waiting', blockers: [1] });
    expect(locks.rollbackSubtransaction(1, 1)).toEqual([2]);
    expect(locks.locksOf(1)).toEqual([{ tag: r1, mode: 'AccessShare' }]);
  });

  it('keeps a released savepoint’s locks with its parent', () => {
    const locks = manager();
    locks.acquire(1, r1, 'RowExclusive', { subtransaction: 2 });
    locks.commitSubtransaction(1, 2, 1);
    expect(locks.rollbackSubtransaction(1, 2)).toEqual([]);
    expect(locks.locksOf(1)).toEqual([{ tag: r1, mode: 'RowExclusive' }]);
    locks.rollbackSubtransaction(1, 1);
    expect(locks.locksOf(1)).toEqual([]);
    expect(locks.owners()).toEqual([]);
  });

  it('releases one mode early, as a row waiter’s tuple and xid locks are', () => {
    const locks = manager();
    const tuple: LockTag = { kind: 'tuple', oid: 16401, tid: 3 };
    locks.acquire(1, tuple, 'Exclusive');
    expect(locks.acquire(2, tuple, 'Exclusive').kind).toBe('waiting');
    expect(locks.release(1, tuple, 'Exclusive')).toEqual([2]);
    expect(locks.owners()).toEqual([2]);
  });
});

describe('copy', () => {
  it('copies held locks, subtransactions and settings, and neither side sees the other change after', () => {
    const locks = manager();
    locks.acquire(1, r1, 'RowExclusive', { subtransaction: 0 });
    locks.acquire(1, r1, 'RowExclusive', { subtransaction: 1 });
    locks.acquire(2, r1, 'RowExclusive');
    locks.acquire(2, r2, 'AccessShare');
    locks.acquire(1, r2, 'Share', { subtransaction: 1 });
    locks.setTimeouts(2, { lockTimeoutMs: 50 });
    const clock = new VirtualClock();
    const copy = locks.copy(clock);
    const held = (manager: LockManager): unknown => [1, 2, 3].map((owner) => manager.locksOf(owner));
    const before = held(locks);
    expect(held(copy)).toEqual(before);
    expect(copy.describe()).toBe(locks.describe());

    // A change on the copy: the original keeps its holders and its subtransaction records.
    expect(copy.rollbackSubtransaction(1, 1)).toEqual([]);
    expect(copy.releaseAll(2)).toEqual([]);
    expect(copy.acquire(3, r2, 'AccessExclusive')).toEqual({ kind: 'granted' });
    expect(copy.holds(1, r2, 'Share')).toBe(false);
    expect(held(locks)).toEqual(before);
    expect(locks.acquire(3, r2, 'AccessExclusive')).toEqual({ kind: 'waiting', blockers: [2, 1] });
    locks.cancelWait(3);
    // Rolling back the original's subtransaction 1 releases its Share on r2 (taken there alone) and
    // keeps RowExclusive on r1 (taken by 0 too), whatever the copy did with its own records.
    expect(locks.rollbackSubtransaction(1, 1)).toEqual([]);
    expect(locks.holds(1, r1, 'RowExclusive')).toBe(true);
    expect(locks.holds(1, r2, 'Share')).toBe(false);

    // A change on the original: the copy keeps what it had, and its own settings.
    locks.releaseAll(1);
    expect(copy.holds(1, r1, 'RowExclusive')).toBe(true);
    expect(copy.acquire(2, r1, 'AccessExclusive', {}).kind).toBe('waiting');
    expect(copy.waitOf(2)?.since).toBe(clock.now());
    copy.checkInvariants();
    locks.checkInvariants();
  });
});
