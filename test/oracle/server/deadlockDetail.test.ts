/**
 * Reading a deadlock victim's DETAIL (the waits its check found) and the two rules it serves: a run
 * whose step just issued waited in that cycle unseen by the driver, or whose victim's check the model
 * has fall due after an earlier waiter's, broke the schedule's timing; and following a session's
 * deadlock_timeout through its setup, which the second rule needs; and the rule that a victim's last
 * wait seen may not still name an earlier victim when the driver took no look between them.
 */
import { describe, expect, it } from 'vitest';
import {
  cycleWaits,
  deadlockTimeoutAfterSetup,
  unseenIssuedWait,
  victimNotFirstDue,
  waitSeenBeforeVictim,
} from '../../../src/oracle/server/deadlockDetail.js';

const DETAIL =
  'Process 101 waits for ShareLock on transaction 745; blocked by process 102.\n' +
  'Process 102 waits for AccessExclusiveLock on relation 16385 of database 5; blocked by process 101.\n' +
  'Process 103 waits for ExclusiveLock on tuple (0,1) of relation 16390 of database 5; blocked by process 101.';

describe('deadlock DETAIL', () => {
  it('names each waiting process and the kind of lock it waited for, the victim first', () => {
    expect(cycleWaits(DETAIL)).toEqual([
      { pid: 101, lock: 'ShareLock on transaction' },
      { pid: 102, lock: 'AccessExclusiveLock on relation' },
      { pid: 103, lock: 'ExclusiveLock on tuple' },
    ]);
    expect(cycleWaits(undefined)).toEqual([]);
    expect(cycleWaits('something else')).toEqual([]);
  });

  it('flags a wait of the step just issued that the driver did not see, and only that', () => {
    const waits = cycleWaits(DETAIL);
    expect(unseenIssuedWait(101, waits, 102, undefined)).toMatch(
      /waited for AccessExclusiveLock on relation, a wait the driver never saw/,
    );
    // Seen waiting: recorded as PostgreSQL had it.
    expect(unseenIssuedWait(101, waits, 102, 'AccessExclusiveLock on relation t1')).toBeNull();
    // Seen waiting for another lock: after the victim was gone the step went on and waited again
    // (its tuple lock granted, it waits for the row's locker); the record keeps that last wait.
    expect(unseenIssuedWait(101, waits, 103, 'ShareLock on transaction')).toBeNull();
    // The victim itself (a lock upgrade fails at once, with a DETAIL naming it), or a session not in the cycle.
    expect(unseenIssuedWait(101, waits, 101, undefined)).toBeNull();
    expect(unseenIssuedWait(101, waits, 104, undefined)).toBeNull();
  });

  it("flags a victim whose check the model has fall due after an earlier waiter's that saw the cycle", () => {
    const waits = cycleWaits(DETAIL);
    const starts = (victim: number, other: number, third: number | null = null) =>
      new Map<number, number | null>([
        [101, victim],
        [102, other],
        [103, third],
      ]);
    const none = () => 0;
    const judge = (
      start: Map<number, number | null>,
      passed: (from: number, to: number) => number = none,
      timeouts: Map<number, number | null> = new Map(),
    ) =>
      victimNotFirstDue(
        101,
        waits,
        (pid) => start.get(pid) ?? null,
        (pid) => (timeouts.has(pid) ? timeouts.get(pid)! : 100),
        passed,
      );
    // Seed 11, run 5 in CI: the closer waited 150 ms after the first waiter, whose check had found no cycle.
    expect(judge(starts(1_150, 1_000))).toMatch(/chose a victim that began to wait 150 ms after another waiter/);
    // The two checks a few milliseconds apart, the later waiter's process run first.
    expect(judge(starts(1_005, 1_000))).toMatch(/began to wait 5 ms after/);
    // The victim the earliest waiter: the model's victim.
    expect(judge(starts(1_000, 1_150))).toBeNull();
    expect(judge(starts(1_000, 1_000))).toBeNull();
    // The driver waited for a session in between: a deadlock_timeout of model time passed, the first
    // waiter's check fired before the cycle closed.
    expect(judge(starts(1_300, 1_000), (from, to) => Math.min(to, 1_100) - from)).toBeNull();
    expect(judge(starts(1_300, 1_000), (from, to) => Math.min(to, 1_099) - from)).toMatch(/began to wait 300 ms after/);
    // Any other waiter of the cycle counts; unknown starts are not judged.
    expect(judge(starts(1_200, 1_210, 1_000))).toMatch(/began to wait 200 ms after/);
    expect(judge(starts(1_200, 1_210, null))).toBeNull();
    // The earlier waiter's deadlock_timeout longer than the victim's by more than the model time
    // between them: the victim's check is due first (tableLockPrograms' table-lock-deadlock-first-timer).
    expect(judge(starts(1_005, 1_000), none, new Map([[102, 400]]))).toBeNull();
    expect(
      judge(
        starts(1_005, 1_000),
        none,
        new Map([
          [101, 50],
          [102, 400],
        ]),
      ),
    ).toBeNull();
    // … or longer by less than that: the earlier waiter's check is still due first.
    expect(judge(starts(1_400, 1_000), (from, to) => Math.min(to, 1_050) - from, new Map([[102, 130]]))).toMatch(
      /deadlock_timeout 130 ms, the victim's 100 ms/,
    );
    // A session whose deadlock_timeout a step may have changed is not judged.
    expect(judge(starts(1_150, 1_000), none, new Map([[102, null]]))).toBeNull();
    expect(judge(starts(1_150, 1_000), none, new Map([[101, null]]))).toBeNull();
  });

  it("follows a session's deadlock_timeout through its setup statements", () => {
    expect(deadlockTimeoutAfterSetup("SET deadlock_timeout = '300ms'", 100)).toBe(300);
    expect(deadlockTimeoutAfterSetup("set deadlock_timeout to '2s'", 100)).toBe(2_000);
    expect(deadlockTimeoutAfterSetup("SET lock_timeout = '500ms'", 100)).toBe(100);
    expect(deadlockTimeoutAfterSetup("SET deadlock_timeout = '50ms'; SET lock_timeout = '1s'", null)).toBe(50);
    // Any other form (LOCAL, a unit it does not read, a function call) leaves it unknown.
    expect(deadlockTimeoutAfterSetup("SET LOCAL deadlock_timeout = '300ms'", 100)).toBeNull();
    expect(deadlockTimeoutAfterSetup("SET deadlock_timeout = '1min'", 100)).toBeNull();
    expect(deadlockTimeoutAfterSetup("SELECT set_config('deadlock_timeout', '1s', false)", 100)).toBeNull();
  });

  it('flags a deadlock victim whose last wait seen still names an earlier victim, with no look between', () => {
    // Seed 11, run 36: s3's check (due 1010) made it the victim; s2's (due 1036) then found s2 waiting
    // for s1 alone; the starved driver last saw s2 waiting for s1 and s3.
    const step = (session: number, checkDue: number | null, look = 3, deadlockVictim = true) => ({
      session,
      deadlockVictim,
      look,
      checkDue,
    });
    const seen = (blockers: Record<number, number[]>) => (session: number) => blockers[session];
    expect(waitSeenBeforeVictim([step(2, 1010), step(1, 1036)], seen({ 1: [0, 2] }))).toMatch(
      /session 1's deadlock check came after session 2's with no look at the waits between them/,
    );
    // A look between the two harvests: the last wait seen is the one after the earlier victim left.
    expect(waitSeenBeforeVictim([step(2, 1010, 3), step(1, 1036, 4)], seen({ 1: [0, 2] }))).toBeNull();
    // The later check due first: it saw the earlier victim still waiting.
    expect(waitSeenBeforeVictim([step(2, 1040), step(1, 1036)], seen({ 1: [0, 2] }))).toBeNull();
    // A wait naming the earlier victim alone is the one its abort released; other blockers only: not stale.
    expect(waitSeenBeforeVictim([step(2, 1010), step(1, 1036)], seen({ 1: [2] }))).toBeNull();
    expect(waitSeenBeforeVictim([step(2, 1010), step(1, 1036)], seen({ 1: [0, 3] }))).toBeNull();
    // Not ended by deadlock checks, or a due time unknown: not judged.
    expect(waitSeenBeforeVictim([step(2, 1010, 3, false), step(1, 1036)], seen({ 1: [0, 2] }))).toBeNull();
    expect(waitSeenBeforeVictim([step(2, null), step(1, 1036)], seen({ 1: [0, 2] }))).toBeNull();
  });
});
