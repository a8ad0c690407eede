/**
 * What a deadlock victim's error says about the waits it broke. PostgreSQL's 40P01 carries one DETAIL
 * line per process in the cycle, `Process 12 waits for ShareLock on transaction 745; blocked by
 * process 13.`, written by the deadlock check itself: the server's own record of who was waiting at
 * that instant, even a wait that began and ended between two polls of the driver.
 *
 * The driver uses it to notice a wait it did not see (`unseenIssuedWait`): in the schedule's model no
 * time passes while steps are issued, so a deadlock check fires only once the driver waits, and by
 * then it has seen every wait of the cycle. On a busy machine the victim's check can fire a few
 * milliseconds after the step just issued began to wait, before the driver's first poll, and that
 * step is then recorded as not having waited. Such a run did not follow the schedule's timing.
 */

/** One line of the DETAIL: the process (backend pid) and what it waited for, e.g. `ShareLock on transaction`. */
export interface CycleWait {
  readonly pid: number;
  /** The lock mode and the kind of object, without the object's identity (`AccessShareLock on relation`). */
  readonly lock: string;
}

const WAIT_LINE = /Process (\d+) waits for (\w+) on (\w+)/g;

/** The waits a 40P01's DETAIL names, in its order (the victim's first); none for any other text. */
export function cycleWaits(detail: string | undefined): CycleWait[] {
  if (detail === undefined) return [];
  return [...detail.matchAll(WAIT_LINE)].map((match) => ({
    pid: Number(match[1]),
    lock: `${match[2]} on ${match[3]}`,
  }));
}

/**
 * When a deadlock check's DETAIL names the session of the step just issued as waiting, other than
 * the victim itself, and the driver never saw that step wait in its settle: what happened, in one
 * phrase, else null. A step seen waiting for something else is fine: once the victim was gone it
 * went on and waited again (a row waiter holding the tuple lock then waits for the row's locker),
 * and the record keeps its last wait, the one the model sees last too. The victim's own line is
 * not checked, since a lock upgrade fails at once with a DETAIL that names it waiting (PostgreSQL's
 * early deadlock) without any wait.
 */
export function unseenIssuedWait(
  victimPid: number,
  waits: readonly CycleWait[],
  issuedPid: number,
  seenLock: string | undefined,
): string | null {
  const named = waits.find((wait) => wait.pid === issuedPid);
  if (issuedPid === victimPid || named === undefined || seenLock !== undefined) return null;
  return `a deadlock check ended a wait while the step just issued waited for ${named.lock}, a wait the driver never saw`;
}
