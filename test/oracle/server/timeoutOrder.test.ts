/**
 * The rule that two lock_timeouts due at one instant, fired by the server in the other order than
 * the waits began, broke the schedule's timing (run 279 of seed 11 under a load of 14).
 */
import { describe, expect, it } from 'vitest';
import { timeoutsOutOfOrder } from '../../../src/oracle/server/timeoutOrder.js';

describe('lock_timeouts out of order', () => {
  // Session 1 waits for session 0, whose own wait began first: the model fires session 0's first.
  const lastWait = new Map([
    [0, { blockedBy: [2], since: 1_000 }],
    [1, { blockedBy: [0], since: 1_004 }],
  ]);

  it('flags the later waiter timing out together with the earlier one it waited for', () => {
    expect(timeoutsOutOfOrder([{ session: 1, at: 5_000 }], lastWait, 40)).toBeNull();
    expect(
      timeoutsOutOfOrder(
        [
          { session: 1, at: 5_000 },
          { session: 0, at: 5_003 },
        ],
        lastWait,
        40,
      ),
    ).toMatch(/session 1's lock_timeout fired with session 0's/);
  });

  it('leaves alone timeouts far apart, a waiter with several blockers, and one whose blocker began later', () => {
    const apart = [
      { session: 1, at: 5_000 },
      { session: 0, at: 5_500 },
    ];
    expect(timeoutsOutOfOrder(apart, lastWait, 40)).toBeNull();
    const together = [
      { session: 1, at: 5_000 },
      { session: 0, at: 5_001 },
    ];
    expect(
      timeoutsOutOfOrder(together, new Map([...lastWait, [1, { blockedBy: [0, 2], since: 1_004 }]]), 40),
    ).toBeNull();
    expect(timeoutsOutOfOrder(together, new Map([...lastWait, [1, { blockedBy: [0], since: 900 }]]), 40)).toBeNull();
  });
});
