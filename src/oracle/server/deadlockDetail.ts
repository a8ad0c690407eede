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

/**
 * When a deadlock check chose a victim whose check the model has fall due after another waiter's of
 * its cycle that had already seen the cycle closed: what happened, in one phrase, else null. In the
 * model no time passes while steps are issued, only while the driver waits (`passedBetween`, real
 * time standing for model time); a waiter's check falls due its session's deadlock_timeout after its
 * wait began; the first check due after the cycle closed finds it, and its waiter is the victim (a
 * check that only reorders wait queues, a soft deadlock, leaves no cycle through its waiter). The
 * server gives that outcome only when that waiter's process runs its check first. On a busy machine
 * it may not:
 * - the driver issues the closing step a whole deadlock_timeout after the first waiter began, whose
 *   only check has then fired and found no cycle (CI: sessionDiff's server-against-itself campaign,
 *   seed 11, run 5); a driver late as well never sees the cycle, so only the DETAIL tells;
 * - the two checks fall due a few milliseconds apart and the operating system runs the later
 *   waiter's process first (writeWaitPrograms' insert-waits-in-second-unique-key under a full
 *   `vitest run test/oracle`).
 *
 * `startOf` gives a member's wait start as the driver saw it (server clock, ms), or for a victim it
 * never saw waiting the moment its step was issued, a lower bound; `timeoutOf` its session's
 * deadlock_timeout. A member whose start or timeout is unknown (null) is not judged.
 */
export function victimNotFirstDue(
  victimPid: number,
  waits: readonly CycleWait[],
  startOf: (pid: number) => number | null,
  timeoutOf: (pid: number) => number | null,
  passedBetween: (from: number, to: number) => number,
): string | null {
  const victimStart = startOf(victimPid);
  const victimTimeout = timeoutOf(victimPid);
  if (victimStart === null || victimTimeout === null) return null;
  for (const wait of waits) {
    if (wait.pid === victimPid) continue;
    const start = startOf(wait.pid);
    const timeout = timeoutOf(wait.pid);
    if (start === null || timeout === null || start >= victimStart) continue;
    // Model time from the earlier waiter's start to the victim's: its check is due after the cycle
    // closed, and no later than the victim's (at a tie the earlier waiter's check runs first).
    const passed = passedBetween(start, victimStart);
    if (passed < timeout && timeout <= passed + victimTimeout)
      return (
        `a deadlock check chose a victim that began to wait ${Math.round(victimStart - start)} ms after another ` +
        `waiter of its cycle, whose own check falls due first (deadlock_timeout ${timeout} ms, the victim's ${victimTimeout} ms)`
      );
  }
  return null;
}

/**
 * A session's deadlock_timeout after one statement of its setup, which runs outside any transaction
 * block: the value a plain `SET deadlock_timeout = 'N…'` in milliseconds or seconds gives; unknown
 * (null) after any other mention of the setting; else unchanged. A step's SET may be rolled back
 * with its transaction, so the driver takes any step that mentions the setting as making it unknown.
 */
export function deadlockTimeoutAfterSetup(sql: string, current: number | null): number | null {
  let timeout = current;
  // Statements of one string (`SET a = …; SET b = …`) one by one; a quoted ';' only makes it unknown.
  for (const statement of sql.split(';')) {
    if (!/deadlock_timeout/i.test(statement)) continue;
    const plain = /^\s*SET\s+(?:SESSION\s+)?deadlock_timeout\s*(?:=|TO)\s*'(\d+)\s*(ms|s)'\s*$/i.exec(statement);
    timeout = plain === null ? null : Number(plain[1]) * (plain[2]!.toLowerCase() === 's' ? 1000 : 1);
  }
  return timeout;
}

/** A step the driver harvested in one settle, for `waitSeenBeforeVictim`. */
export interface HarvestedStep {
  readonly session: number;
  /** Ended by a deadlock check (40P01). */
  readonly deadlockVictim: boolean;
  /** How many looks at the waits the driver had taken in the settle when it harvested the step. */
  readonly look: number;
  /** When its deadlock check fell due (wait start plus its session's deadlock_timeout, server clock), if known. */
  readonly checkDue: number | null;
}

/**
 * When a deadlock victim's last wait the driver saw named, among others, a session that an earlier
 * deadlock check had already made its victim, and the driver took no look between the two harvests:
 * what happened, in one phrase, else null. The earlier victim's abort takes it out of every wait, so
 * in the model the later victim's last wait (the one its own check saw) names only the others; the
 * driver recorded an older glimpse because it was starved between two checks a few milliseconds
 * apart (seed 11, run 36 under a full `vitest run test/oracle`: s2's LOCK TABLE recorded as blocked
 * by s1 and s3 where the model has s1). A wait naming the earlier victim alone is the one that
 * victim's abort released, which the record keeps.
 */
export function waitSeenBeforeVictim(
  harvested: readonly HarvestedStep[],
  lastBlockers: (session: number) => readonly number[] | undefined,
): string | null {
  for (const [index, later] of harvested.entries()) {
    const blockers = lastBlockers(later.session);
    if (!later.deadlockVictim || later.checkDue === null || blockers === undefined || blockers.length < 2) continue;
    for (const earlier of harvested.slice(0, index + 1)) {
      if (
        earlier.session !== later.session &&
        earlier.deadlockVictim &&
        earlier.look === later.look &&
        earlier.checkDue !== null &&
        earlier.checkDue < later.checkDue &&
        blockers.includes(earlier.session)
      )
        return (
          `session ${later.session}'s deadlock check came after session ${earlier.session}'s with no look at the ` +
          `waits between them, so its last wait seen still named session ${earlier.session}`
        );
    }
  }
  return null;
}
