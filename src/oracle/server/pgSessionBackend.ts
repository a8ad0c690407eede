/**
 * The real server as a `SessionBackend`: one `pg` connection per session plus a monitor
 * connection that builds the world and watches the others.
 *
 * A step is sent without awaiting it. The monitor then polls `pg_locks` for the sessions' ungranted
 * lock requests: a step in flight that has one that someone blocks (`pg_blocking_pids`) is waiting,
 * any other step in flight is still running. This is the reliable sign: a releasing backend marks
 * the waiter's lock granted before waking it, whereas `pg_stat_activity` keeps showing the wait until
 * the woken backend runs; and an ungranted request nobody blocks is one about to be granted (as after
 * another waiter's lock_timeout). The world is quiescent when every step in flight waits and the waits
 * form no cycle (a cycle is a deadlock the server is about to break after `deadlock_timeout`).
 *
 * Every world lives in its own schema, so suites that share one server do not meet.
 */
import pg from 'pg';
import { quoteIdentifier } from '../../engine/sqlText.js';
import {
  cycleWaits,
  deadlockTimeoutAfterSetup,
  unseenIssuedWait,
  victimNotFirstDue,
  waitSeenBeforeVictim,
} from './deadlockDetail.js';
import type { HarvestedStep } from './deadlockDetail.js';
import type { CycleWait } from './deadlockDetail.js';
import { timeoutsOutOfOrder } from './timeoutOrder.js';
import type { FiredTimeout, SeenWait } from './timeoutOrder.js';
import { hasCycle } from './waitCycle.js';
import type {
  BackendRun,
  JsonRow,
  SessionBackend,
  SettleGoal,
  SettleReport,
  StepResult,
  TableContents,
  WaitingStep,
} from './sessionBackend.js';

const POLL_MS = 1;
/**
 * How long a settle keeps waiting, after a timer ended a wait (a deadlock victim, a lock_timeout),
 * for the timers due at the same virtual instant: waits the schedule began one after another (no
 * time passes while steps are issued) have equal timeouts due together, which the server fires a few
 * milliseconds apart. Until they have fired, the next step would race with them (one of them may find
 * a cycle through that step's wait, or not). Timers of other instants are 100 ms or more apart.
 */
export const SAME_INSTANT_MS = 40;
const CANCEL_BOUND_MS = 2_000;
let schemaCounter = 0;

interface Slot {
  client: pg.Client;
  pid: number;
  alive: boolean;
  inFlight: Promise<void> | null;
  result: StepResult | null;
  /** A failure that is not PostgreSQL's answer (a lost connection): the run cannot go on. */
  fault: Error | null;
  /** Settle count at the time the step in flight was issued. */
  issuedInSettle: number;
  /** The waits the DETAIL of the step's 40P01 names (a deadlock check's cycle), else empty. */
  cycle: readonly CycleWait[];
  /** When the step in flight was issued, and when its answer arrived (driver clock, ms). */
  issuedAt: number;
  answeredAt: number;
  /** When the step in flight began its last wait the driver saw (server clock, ms), else null. */
  waitStart: number | null;
  /** The session's deadlock_timeout (ms), null once a step may have changed it. */
  deadlockTimeoutMs: number | null;
}

interface LockRow {
  readonly pid: number;
  readonly locktype: string;
  readonly mode: string;
  readonly relation: string | null;
  /** The table of the tuple lock the backend holds or waits for (a row wait), else null. */
  readonly row_relation: string | null;
  readonly blockers: readonly number[];
  /** When the wait began (server clock), milliseconds since the epoch. */
  readonly waitstart: number | null;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** int8 as a JavaScript number where exact (the engine's values are numbers), text otherwise. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === 20) {
      return (value: string) => {
        const parsed = Number(value);
        return Number.isSafeInteger(parsed) ? parsed : value;
      };
    }
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

function jsonValue(value: unknown): JsonRow[string] {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonValue(inner)]));
  return String(value);
}

function jsonRow(row: Record<string, unknown>): JsonRow {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, jsonValue(value)]));
}

/**
 * A waiter woken by a timer (a deadlock victim leaving a queue) waits again at once in the model,
 * at the instant the timer fired, so before any other timer due at that instant fires. On a busy
 * server it may begin its new wait after such a timer, whose deadlock check then misses it: the
 * schedule's timing is broken (one of 40 seed-11 schedules under heavy load chose another victim).
 * `lastTimerAt` is when the driver saw the timer's result, at most SAME_INSTANT_MS after it fired.
 */
function rewaitAfterCheck(
  rows: readonly LockRow[],
  waits: ReadonlyMap<number, readonly number[]>,
  lastTimerAt: number,
  deadlockTimeoutMs: number,
): string | null {
  if (lastTimerAt === Number.NEGATIVE_INFINITY) return null;
  const firedAt = lastTimerAt - SAME_INSTANT_MS;
  const starts = rows.flatMap((row) => (waits.has(row.pid) && row.waitstart !== null ? [row.waitstart] : []));
  const rewaits = starts.filter((start) => start >= firedAt);
  for (const start of starts) {
    const due = start + deadlockTimeoutMs;
    if (start >= firedAt || due < firedAt) continue;
    const late = rewaits.find((rewait) => rewait > due);
    if (late !== undefined)
      return `a deadlock check fired ${Math.round(late - due)} ms before a waiter woken by an earlier one waited again`;
  }
  return null;
}

/** A wait ended by a timer: a deadlock check's victim, or a lock_timeout (not NOWAIT's 55P03). */
export function endedByTimer(result: StepResult): boolean {
  return (
    !result.ok && (result.code === '40P01' || (result.code === '55P03' && result.message.includes('lock timeout')))
  );
}

function stepResult(result: pg.QueryResult | pg.QueryResult[]): StepResult {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  if (last === undefined) return { ok: true, rowCount: 0 };
  const rowCount = last.rowCount ?? 0;
  if (last.fields.length === 0) return { ok: true, rowCount };
  return { ok: true, rowCount, rows: last.rows.map(jsonRow) };
}

interface ServerError {
  readonly code?: unknown;
  readonly detail?: unknown;
  readonly constraint?: unknown;
  readonly message?: unknown;
}

/** PostgreSQL's answer to a failed step, or null when the failure is not the server's (no SQLSTATE). */
function errorResult(error: unknown): StepResult | null {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ServerError;
  if (typeof fields.code !== 'string' || !/^[0-9A-Z]{5}$/.test(fields.code)) return null;
  return {
    ok: false,
    code: fields.code,
    constraint: typeof fields.constraint === 'string' ? fields.constraint : null,
    message: typeof fields.message === 'string' ? fields.message : '',
  };
}

function describeLock(row: LockRow): string {
  switch (row.locktype) {
    case 'relation':
      return `${row.mode} on relation ${row.relation ?? '?'}`;
    case 'tuple':
      return `${row.mode} on tuple of ${row.relation ?? '?'}`;
    case 'transactionid':
      return `${row.mode} on transaction`;
    case 'virtualxid':
      return `${row.mode} on virtual transaction`;
    default:
      return `${row.mode} on ${row.locktype}`;
  }
}

export interface PgBackendOptions {
  readonly connectionString: string;
  /**
   * How long the driver lets a step run after issuing it before it first looks (0: at once). A test
   * sets it to play the driver of a busy machine, whose first poll comes late, and check that the
   * timing rules notice what such a driver misses.
   */
  readonly observationDelayMs?: number;
}

export async function openPgSessionBackend(options: PgBackendOptions): Promise<SessionBackend> {
  const schema = `pgdrill_sessions_${process.pid}_${++schemaCounter}`;
  const connect = async (sessionOptions: string | undefined): Promise<pg.Client> => {
    const client = new pg.Client({
      connectionString: options.connectionString,
      types,
      ...(sessionOptions === undefined ? {} : { options: sessionOptions }),
    });
    // Errors on an idle connection (a terminated backend) surface on the next query; do not crash.
    client.on('error', () => {});
    client.on('notice', () => {});
    await client.connect();
    return client;
  };
  const monitor = await connect(undefined);
  const version = await monitor.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const deadlockTimeoutMs = Number(
    (
      await monitor.query<{ ms: string }>(
        "SELECT (extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000)::int AS ms",
      )
    ).rows[0]?.ms ?? 1000,
  );
  const slots: Slot[] = [];
  const openSlot = async (): Promise<Slot> => {
    // The schema is the session default, so DISCARD ALL between permutations keeps it.
    const client = await connect(`-c search_path=${schema}`);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    if (pid === undefined) throw new Error('the server did not tell its backend pid');
    return {
      client,
      pid,
      alive: true,
      inFlight: null,
      result: null,
      fault: null,
      issuedInSettle: 0,
      cycle: [],
      issuedAt: 0,
      answeredAt: 0,
      waitStart: null,
      deadlockTimeoutMs: null,
    };
  };

  const begin = async (
    setup: readonly string[],
    sessionSetups: readonly (readonly string[])[],
  ): Promise<BackendRun> => {
    await monitor.query(
      `DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE; CREATE SCHEMA ${quoteIdentifier(schema)}; ` +
        `SET search_path TO ${quoteIdentifier(schema)}`,
    );
    for (const statement of setup) {
      try {
        await monitor.query(statement);
      } catch (error) {
        throw new Error(
          `setup statement failed: ${error instanceof Error ? error.message : String(error)}: ` +
            statement.slice(0, 200),
        );
      }
    }
    for (let index = 0; index < sessionSetups.length; index += 1) {
      const existing = slots[index];
      if (existing === undefined || !existing.alive) slots[index] = await openSlot();
      const slot = slots[index]!;
      slot.inFlight = null;
      slot.result = null;
      // DISCARD ALL after the previous run reset the session to the server's settings.
      slot.deadlockTimeoutMs = deadlockTimeoutMs;
      for (const statement of sessionSetups[index] ?? []) {
        slot.deadlockTimeoutMs = deadlockTimeoutAfterSetup(statement, slot.deadlockTimeoutMs);
        try {
          await slot.client.query(statement);
        } catch (error) {
          throw new Error(
            `session ${index} setup failed: ${error instanceof Error ? error.message : String(error)}: ` +
              statement.slice(0, 200),
          );
        }
      }
    }
    const sessions = slots.slice(0, sessionSetups.length);
    return runOn(sessions);
  };

  const runOn = (sessions: Slot[]): BackendRun => {
    let settles = 0;
    // Real time during which the model lets time pass (the driver waiting for a session, or for all):
    // waits of one deadlock may begin that far apart without breaking the schedule's timing.
    const passing: { from: number; to: number }[] = [];
    const passedBetween = (from: number, to: number): number =>
      passing.reduce((sum, span) => sum + Math.max(0, Math.min(to, span.to) - Math.max(from, span.from)), 0);
    const sessionOfPid = new Map(sessions.map((slot, index) => [slot.pid, index]));
    // When a timer last ended a wait (real time), for SAME_INSTANT_MS.
    let lastTimerAt = Number.NEGATIVE_INFINITY;
    // The settle in which it did: sessions it woke wait again within that settle; later waits are new steps.
    let lastTimerSettle = -1;
    // The deadlock cycles whose victims were harvested in the current settle.
    let brokenCycles: { victim: number; waits: readonly CycleWait[] }[] = [];
    // Each session's wait as last seen in any settle, and the lock_timeouts harvested, for timeoutsOutOfOrder.
    const lastWait = new Map<number, SeenWait>();
    const firedTimeouts: FiredTimeout[] = [];
    let outOfOrder: string | null = null;
    // A deadlock victim whose check the model has fall due after another waiter's (victimNotFirstDue).
    let lateVictim: string | null = null;
    /**
     * When a session's step in flight began to wait, as far as the driver knows: the last wait it saw,
     * else, for a step that waited a deadlock_timeout or more before its answer (so not PostgreSQL's
     * early deadlock, which fails at once), the moment it was issued, a lower bound. Both clocks are
     * the host's: the embedded server runs beside the driver.
     */
    const waitStartOf = (pid: number): number | null => {
      const slot = sessions[sessionOfPid.get(pid) ?? -1];
      if (slot === undefined) return null;
      if (slot.waitStart !== null) return slot.waitStart;
      const timeout = slot.deadlockTimeoutMs;
      return timeout !== null && slot.answeredAt - slot.issuedAt >= timeout ? slot.issuedAt : null;
    };
    const timeoutOf = (pid: number): number | null => sessions[sessionOfPid.get(pid) ?? -1]?.deadlockTimeoutMs ?? null;
    const harvest = (completed: { session: number; result: StepResult }[]): void => {
      sessions.forEach((slot, session) => {
        if (slot.fault !== null) throw slot.fault;
        if (slot.inFlight !== null && slot.result !== null) {
          if (endedByTimer(slot.result)) {
            lastTimerAt = Date.now();
            lastTimerSettle = settles;
          }
          if (!slot.result.ok && slot.result.code === '55P03' && slot.result.message.includes('lock timeout')) {
            firedTimeouts.push({ session, at: Date.now() });
            outOfOrder ??= timeoutsOutOfOrder(firedTimeouts, lastWait, SAME_INSTANT_MS);
          }
          if (slot.cycle.length > 0) {
            brokenCycles.push({ victim: slot.pid, waits: slot.cycle });
            lateVictim ??= victimNotFirstDue(slot.pid, slot.cycle, waitStartOf, timeoutOf, passedBetween);
          }
          slot.cycle = [];
          completed.push({ session, result: slot.result });
          slot.inFlight = null;
          slot.result = null;
        }
      });
    };
    const observeWaits = async (): Promise<LockRow[]> => {
      const pids = sessions.filter((slot) => slot.inFlight !== null).map((slot) => slot.pid);
      const observed = await monitor.query<LockRow>(
        'SELECT l.pid, l.locktype, l.mode, l.relation::regclass::text AS relation, ' +
          "(SELECT t.relation::regclass::text FROM pg_locks t WHERE t.pid = l.pid AND t.locktype = 'tuple' " +
          'LIMIT 1) AS row_relation, ' +
          'pg_blocking_pids(l.pid) AS blockers, (extract(epoch FROM l.waitstart) * 1000)::float8 AS waitstart ' +
          'FROM pg_locks l WHERE NOT l.granted AND l.pid = ANY($1::int[])',
        [pids],
      );
      return observed.rows;
    };
    // A session whose step just failed inside a transaction block has sent its error before it
    // releases its locks (PostgreSQL reports the error, then aborts the transaction), so for a moment
    // its waiters still look blocked by it. The world has settled only when every blocker that is
    // not itself waiting sits idle in its transaction, holding its locks until the driver's next step.
    // An aborted block is idle too: an error inside a savepoint aborts only the subtransaction and
    // releases only its locks, so the block's earlier locks still hold its waiters.
    const blockersSettled = async (waits: ReadonlyMap<number, readonly number[]>): Promise<boolean> => {
      const blockers = [...new Set([...waits.values()].flat())].filter(
        (pid) => sessionOfPid.has(pid) && !waits.has(pid),
      );
      if (blockers.length === 0) return true;
      const states = await monitor.query<{ pid: number; state: string | null }>(
        'SELECT pid, state FROM pg_stat_activity WHERE pid = ANY($1::int[])',
        [blockers],
      );
      return (
        states.rows.length === blockers.length &&
        states.rows.every((row) => row.state === 'idle in transaction' || row.state === 'idle in transaction (aborted)')
      );
    };
    // Likewise a step that failed inside a transaction block: its error arrives before its backend has
    // aborted the transaction and released its locks, so the next step could still meet them. A backend
    // that is no longer 'active' has finished that abort.
    const failuresReleased = async (
      completed: readonly { session: number; result: StepResult }[],
      released: Set<number>,
    ): Promise<boolean> => {
      const pids = completed
        .filter(({ result }) => !result.ok)
        .map(({ session }) => sessions[session]!.pid)
        .filter((pid) => !released.has(pid));
      if (pids.length === 0) return true;
      const states = await monitor.query<{ pid: number; state: string | null }>(
        'SELECT pid, state FROM pg_stat_activity WHERE pid = ANY($1::int[])',
        [pids],
      );
      // A backend that is gone (no row) has released everything too.
      for (const pid of pids)
        if (!states.rows.some((row) => row.pid === pid && row.state === 'active')) released.add(pid);
      return pids.every((pid) => released.has(pid));
    };
    // The states above are read after the waits: a blocker whose step failed may have finished its
    // abort in between, releasing a waiter seen a moment before. Read once more, after those states,
    // the world has settled only if the same steps still wait for the same sessions.
    const sameWaitsNow = async (waits: ReadonlyMap<number, readonly number[]>): Promise<boolean> => {
      const again = await observeWaits();
      const now = new Map(again.filter((row) => row.blockers.length > 0).map((row) => [row.pid, row.blockers]));
      const key = (map: ReadonlyMap<number, readonly number[]>): string =>
        JSON.stringify([...map.entries()].map(([pid, blockers]) => [pid, [...blockers].sort()]).sort());
      return key(now) === key(waits) && sessions.every((slot) => slot.result === null);
    };
    const waitingFrom = (rows: readonly LockRow[]): WaitingStep[] =>
      rows
        .filter((row) => row.blockers.length > 0 && sessions[sessionOfPid.get(row.pid) ?? -1]?.inFlight != null)
        .map((row) => ({
          session: sessionOfPid.get(row.pid)!,
          blockedBy: [...new Set(row.blockers.map((pid) => sessionOfPid.get(pid) ?? -1))].sort((a, b) => a - b),
          lock: describeLock(row),
          row: row.locktype === 'relation' ? null : row.row_relation,
        }))
        .sort((a, b) => a.session - b.session);

    return {
      issue(session: number, sql: string): void {
        const slot = sessions[session];
        if (slot === undefined || slot.inFlight !== null) throw new Error(`session ${session} cannot take a step now`);
        slot.result = null;
        slot.cycle = [];
        slot.issuedInSettle = settles;
        slot.issuedAt = Date.now();
        slot.answeredAt = 0;
        if (/deadlock_timeout/i.test(sql)) slot.deadlockTimeoutMs = null;
        slot.waitStart = null;
        slot.inFlight = slot.client.query(sql).then(
          (result) => {
            slot.answeredAt = Date.now();
            slot.result = stepResult(result);
          },
          (error: unknown) => {
            slot.answeredAt = Date.now();
            const answer = errorResult(error);
            if (answer === null) slot.fault = error instanceof Error ? error : new Error(String(error));
            else slot.result = answer;
            const detail = (error as ServerError).detail;
            if (answer?.ok === false && answer.code === '40P01' && typeof detail === 'string')
              slot.cycle = cycleWaits(detail);
          },
        );
      },

      async settle(goal: SettleGoal, boundMs: number): Promise<SettleReport> {
        const deadline = Date.now() + boundMs;
        const completed: { session: number; result: StepResult }[] = [];
        let current = goal;
        let waiting: WaitingStep[] = [];
        const waited = new Map<number, WaitingStep>();
        /** Sessions whose step failed in this settle and whose backend has since aborted its transaction. */
        const released = new Set<number>();
        let timingViolation: string | null = null;
        // The steps harvested in this settle with the number of looks at the waits taken by then.
        let looks = 0;
        const harvested: HarvestedStep[] = [];
        const harvestHere = (): void => {
          const from = completed.length;
          harvest(completed);
          for (const { session, result } of completed.slice(from)) {
            const pid = sessions[session]!.pid;
            const [start, timeout] = [waitStartOf(pid), timeoutOf(pid)];
            const deadlockVictim = !result.ok && result.code === '40P01';
            const checkDue = deadlockVictim && start !== null && timeout !== null ? start + timeout : null;
            harvested.push({ session, deadlockVictim, look: looks, checkDue });
          }
        };
        // Settling right after an issue is not a pause: no timeout of an earlier wait may fire in it.
        const afterIssue = goal.kind === 'quiescent';
        const settle = ++settles;
        brokenCycles = [];
        const issued = afterIssue ? sessions.findIndex((slot) => slot.issuedInSettle === settle - 1) : -1;
        const span = { from: Date.now(), to: Date.now() };
        if (!afterIssue) passing.push(span);
        if (afterIssue && (options.observationDelayMs ?? 0) > 0) await delay(options.observationDelayMs ?? 0);
        // After an issue, model time starts to pass once every step in flight waits: only a timer can
        // move the world then, and the model's clock advances to it (a deadlock check, say).
        let timersSpan: { from: number; to: number } | null = null;
        const report = (reached: boolean, still: WaitingStep[]): SettleReport => {
          span.to = Date.now();
          if (timersSpan !== null) timersSpan.to = span.to;
          if (afterIssue && timingViolation === null) {
            // Time passes only while the driver waits, so a lock_timeout never fires while steps are issued:
            // not for an earlier step, nor for the step just issued once it was seen waiting (NOWAIT never waits).
            const early = completed.find(
              ({ session, result }) =>
                !result.ok &&
                result.code === '55P03' &&
                (sessions[session]!.issuedInSettle < settle - 1 ||
                  waited.has(session) ||
                  result.message.includes('lock timeout')),
            );
            if (early !== undefined) {
              timingViolation = `a lock_timeout fired in session ${early.session} while steps were still being issued`;
            }
          }
          // A deadlock check that broke a wait of the step just issued before the driver saw it: the
          // step is recorded as not having waited, which the schedule's timing never allows.
          const issuedSlot = sessions[issued];
          if (afterIssue && timingViolation === null && issuedSlot !== undefined)
            for (const { victim, waits } of brokenCycles)
              timingViolation ??= unseenIssuedWait(victim, waits, issuedSlot.pid, waited.get(issued)?.lock);
          timingViolation ??= outOfOrder;
          timingViolation ??= lateVictim;
          timingViolation ??= waitSeenBeforeVictim(harvested, (session) => waited.get(session)?.blockedBy);
          return {
            completed,
            waiting: still,
            waited: [...waited.values()].sort((a, b) => a.session - b.session),
            reached,
            timingViolation,
          };
        };
        for (;;) {
          span.to = Date.now();
          if (timersSpan !== null) timersSpan.to = span.to;
          harvestHere();
          const inFlight = sessions.filter((slot) => slot.inFlight !== null);
          if (current.kind === 'sessionDone' && sessions[current.session]?.inFlight === null)
            current = { kind: 'quiescent' };
          if (inFlight.length === 0) {
            if (await failuresReleased(completed, released)) return report(true, []);
          } else if (current.kind === 'quiescent') {
            const rows = await observeWaits();
            looks += 1;
            harvestHere();
            const stillInFlight = new Set(sessions.filter((slot) => slot.inFlight !== null).map((slot) => slot.pid));
            // An ungranted request that nobody blocks is being granted right now: not a wait yet.
            const waits = new Map(
              rows
                .filter((row) => stillInFlight.has(row.pid) && row.blockers.length > 0)
                .map((row) => [row.pid, row.blockers]),
            );
            waiting = waitingFrom(rows);
            for (const wait of waiting) {
              const row = rows.find((candidate) => sessionOfPid.get(candidate.pid) === wait.session);
              lastWait.set(wait.session, { blockedBy: wait.blockedBy, since: row?.waitstart ?? null });
              const slot = sessions[wait.session];
              if (slot !== undefined && row?.waitstart != null) slot.waitStart = row.waitstart;
            }
            // The last wait seen: a first glimpse can catch a queue in transition (a waiter ahead being
            // granted), whereas the last one before the step completed or the world settled is stable.
            for (const wait of waiting) waited.set(wait.session, wait);
            if (stillInFlight.size === 0 && (await failuresReleased(completed, released))) return report(true, []);
            const cycle = hasCycle(waits);
            const allWait = stillInFlight.size > 0 && waits.size === stillInFlight.size;
            // Model time passes only while the world waits for a timer: a deadlock check, or the
            // timers due at the instant of one that just fired. A settle that ends at once takes none.
            if (afterIssue && timersSpan === null && allWait && (cycle || Date.now() - lastTimerAt < SAME_INSTANT_MS)) {
              // From the moment the last of them began to wait, not from when the driver noticed.
              const lastStart = Math.max(
                span.from,
                ...rows.flatMap((row) => (waits.has(row.pid) && row.waitstart !== null ? [row.waitstart] : [])),
              );
              timersSpan = { from: Math.min(lastStart, Date.now()), to: Date.now() };
              passing.push(timersSpan);
            }
            if (timingViolation === null && lastTimerSettle === settle)
              timingViolation = rewaitAfterCheck(rows, waits, lastTimerAt, deadlockTimeoutMs);
            if (cycle && timingViolation === null) {
              const starts = rows
                .filter((row) => waits.has(row.pid) && row.waitstart !== null)
                .map((row) => row.waitstart!);
              const [first, last] = [Math.min(...starts), Math.max(...starts)];
              const spread = last - first - passedBetween(first, last);
              // In the model they begin at one instant. Half of deadlock_timeout already breaks it: the
              // first waiter's check then fires so soon after the last wait began that the driver may
              // not see that wait at all (one of 300 seed-11 schedules under load recorded no wait).
              if (spread >= deadlockTimeoutMs / 2)
                timingViolation =
                  `the waits of a deadlock began ${Math.round(spread)} ms apart, ` +
                  `more than half of deadlock_timeout (${deadlockTimeoutMs} ms)`;
            }
            if (
              stillInFlight.size > 0 &&
              waits.size === stillInFlight.size &&
              !cycle &&
              Date.now() - lastTimerAt >= SAME_INSTANT_MS &&
              (await blockersSettled(waits)) &&
              (await failuresReleased(completed, released)) &&
              (await sameWaitsNow(waits))
            ) {
              return report(true, waiting);
            }
          }
          const remaining = deadline - Date.now();
          if (remaining <= 0) return report(false, waiting);
          const pending = sessions.flatMap((slot) => (slot.inFlight === null ? [] : [slot.inFlight]));
          const pause = current.kind === 'quiescent' || pending.length === 0 ? POLL_MS : Math.min(remaining, 50);
          await Promise.race([...pending, delay(pause)]);
        }
      },

      async finish(): Promise<{ cancelled: number[] }> {
        const cancelled: number[] = [];
        for (const [session, slot] of sessions.entries()) {
          if (slot.inFlight === null) continue;
          cancelled.push(session);
          await monitor.query('SELECT pg_cancel_backend($1)', [slot.pid]);
          await Promise.race([slot.inFlight, delay(CANCEL_BOUND_MS)]);
          if (slot.result === null && slot.fault === null) {
            await monitor.query('SELECT pg_terminate_backend($1)', [slot.pid]);
            await Promise.race([slot.inFlight, delay(CANCEL_BOUND_MS)]);
            slot.alive = false;
          }
          slot.inFlight = null;
          slot.result = null;
        }
        for (const slot of sessions) {
          if (!slot.alive) continue;
          if (slot.fault !== null) {
            slot.alive = false;
            await slot.client.end().catch(() => {});
            continue;
          }
          // Separate queries: DISCARD ALL refuses to run inside the implicit block of a multi-statement query.
          await slot.client.query('ROLLBACK');
          await slot.client.query('DISCARD ALL');
        }
        return { cancelled };
      },

      async contents(): Promise<TableContents[]> {
        const tables = await monitor.query<{ name: string }>(
          'SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
            `WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname COLLATE "C"`,
          [schema],
        );
        const result: TableContents[] = [];
        for (const { name } of tables.rows) {
          const rows = await monitor.query<Record<string, unknown>>(
            `SELECT * FROM ONLY ${quoteIdentifier(name)} t ORDER BY t::text COLLATE "C"`,
          );
          result.push({ table: name, rows: rows.rows.map(jsonRow) });
        }
        return result;
      },
    };
  };

  return {
    description: `PostgreSQL ${version.rows[0]?.v ?? '?'}`,
    begin,
    async close(): Promise<void> {
      for (const slot of slots) await slot.client.end().catch(() => {});
      await monitor.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`).catch(() => {});
      await monitor.end();
    },
  };
}
