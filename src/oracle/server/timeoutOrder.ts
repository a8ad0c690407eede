/**
 * Two lock_timeouts due at one instant of the schedule's time, fired by the server in the other
 * order. Waits the schedule begins one after another begin at one virtual instant, so equal
 * timeouts fall due together and the model fires them in the order the waits began. A busy server
 * fires them a few milliseconds apart in whatever order its processes get the CPU: when the later
 * waiter times out first while it waits for the earlier one, the earlier one's timeout (which in the
 * model comes first and, ending its transaction's statement, may let the later one through) no
 * longer decides the later one's fate, and the run did not follow the schedule's timing.
 */

/** A wait as the driver last saw it: for whom, and when it began (server clock, ms). */
export interface SeenWait {
  readonly blockedBy: readonly number[];
  readonly since: number | null;
}

/** A lock_timeout the driver harvested: whose, and when it saw it (ms). */
export interface FiredTimeout {
  readonly session: number;
  readonly at: number;
}

/**
 * Among lock_timeouts seen within `windowMs` of each other, one that ended the wait of a session
 * waiting only for another whose own wait, begun earlier, also ended by a lock_timeout: what
 * happened, in one phrase, else null.
 */
export function timeoutsOutOfOrder(
  fired: readonly FiredTimeout[],
  lastWait: ReadonlyMap<number, SeenWait>,
  windowMs: number,
): string | null {
  for (const later of fired) {
    const wait = lastWait.get(later.session);
    if (wait === undefined || wait.since === null || wait.blockedBy.length !== 1) continue;
    const [blocker] = wait.blockedBy;
    const earlier = fired.find((timeout) => timeout.session === blocker && Math.abs(timeout.at - later.at) <= windowMs);
    const earlierSince = lastWait.get(blocker ?? -1)?.since ?? null;
    if (earlier !== undefined && earlierSince !== null && earlierSince < wait.since)
      return (
        `session ${later.session}'s lock_timeout fired with session ${blocker}'s, whose wait it waited for ` +
        'and which began first (the model fires that one first)'
      );
  }
  return null;
}
