/**
 * Reading a deadlock victim's DETAIL (the waits its check found) and the rule that a run whose step
 * just issued waited in that cycle unseen by the driver broke the schedule's timing.
 */
import { describe, expect, it } from 'vitest';
import { cycleWaits, unseenIssuedWait } from '../../../src/oracle/server/deadlockDetail.js';

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
});
