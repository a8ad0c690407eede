/**
 * Runs one permutation of a multi-session program on a `SessionBackend`, as PostgreSQL's isolation
 * tester does: steps are issued in the permutation's order; after each one the backend settles
 * (every step in flight is done or waits for a lock); a session whose step is still waiting takes
 * no further step until it completes, so the driver waits for it (and timeouts may fire meanwhile).
 *
 * Time: the schedule assumes that no time passes while steps are issued, only while the driver
 * waits. On a real server under load that can fail (a lock_timeout fires early, a deadlock's waits
 * begin too far apart for the earliest waiter to be the victim); the backend says so and the
 * permutation runs again, a bounded number of times.
 *
 * Steps that complete during one settle are recorded in a fixed order (the step acted on, then the
 * others by session), so the completion order does not depend on which of two woken backends the
 * operating system ran first. Every wait has a
 * bound: a step that never completes is reported (and cancelled), never waited for forever.
 */
import { assert } from '../../engine/assert.js';
import { resolveSteps } from './program.js';
import type { ResolvedStep, SessionProgram } from './program.js';
import type {
  BackendRun,
  SessionBackend,
  SettleGoal,
  SettleReport,
  StepResult,
  SynchronousRun,
  TableContents,
  WaitingStep,
} from './sessionBackend.js';

export interface StepRecord {
  readonly step: string;
  readonly session: string;
  /** Position in the permutation. */
  readonly issued: number;
  /** Seen waiting once issued and settled: for whom (session names, `other` for any other connection) and what. */
  readonly blocked: {
    readonly by: readonly string[];
    readonly lock: string;
    /** The table of the row it waited to lock, when it was a row wait (`WaitingStep.row`). */
    readonly row?: string | null;
  } | null;
  /** Position of the last step issued when it completed (its own when it never waited); null if it never did. */
  readonly completedAfter: number | null;
  readonly result: StepResult | null;
}

export interface PermutationOutcome {
  readonly program: string;
  readonly permutation: readonly string[];
  /** The issued steps, in issue order. */
  readonly steps: readonly StepRecord[];
  readonly completionOrder: readonly string[];
  /** Steps still waiting when the bound ran out; they were cancelled. */
  readonly neverCompleted: readonly string[];
  /** Steps not issued because an earlier step of their session never completed. */
  readonly neverIssued: readonly string[];
  readonly contents: readonly TableContents[];
  /** Runs it took (more than one when real time broke the schedule's timing). */
  readonly attempts: number;
  /**
   * Settles in which two or more waiting steps were released together (see `releasedTogether`):
   * their backends then ran at the same time, so what each of them met is the OS's choice.
   */
  readonly simultaneousWakeups: number;
}

export interface DriverOptions {
  /** Bound on each wait, in the backend's time (milliseconds; real ones on a server). */
  readonly waitBoundMs?: number;
  /** How often to run a permutation again after a timing violation (see `SettleReport`). */
  readonly timingRetries?: number;
}

export const DEFAULT_WAIT_BOUND_MS = 3_000;
export const DEFAULT_TIMING_RETRIES = 5;

/**
 * The setup of a session that has none: one value for every run, so a backend that keeps what it
 * derived from a setup by the setup's array (the engine's, `setupStatementsFor`) finds it again
 * instead of meeting a new empty array on every run.
 */
const NO_SESSION_SETUP: readonly string[] = Object.freeze([]);

/** A driver action's logic: it yields the settles it needs and gets each report back. */
type Settling<T> = Generator<SettleGoal, T, SettleReport>;

/** Bound on the settles of one action (a take settles at most twice, an end once). */
const MAX_SETTLES_PER_ACTION = 16;

interface MutableRecord {
  step: string;
  session: string;
  issued: number;
  blocked: { by: string[]; lock: string; row?: string | null } | null;
  completedAfter: number | null;
  result: StepResult | null;
}

/** What a chooser sees before each step: which sessions have a step in flight (after a settle: waiting). */
export interface ScheduleState {
  /** Steps chosen so far (issued, or not issued because the run was stuck). */
  readonly position: number;
  readonly inFlight: readonly boolean[];
  /** True once a step never completed within the bound: later steps are not issued. */
  readonly stuck: boolean;
}

/** Picks the next step to issue, or null to end the schedule. */
export type StepChooser = (state: ScheduleState) => string | null;

/** The chooser of a fixed permutation. */
export const fixedPermutation =
  (permutation: readonly string[]): StepChooser =>
  ({ position }) =>
    permutation[position] ?? null;

/**
 * Runs the permutation, again from a fresh world when the backend reports that real time broke the
 * schedule's timing (a busy machine), so the outcome is the one the model's timing defines.
 */
export function runPermutation(
  backend: SessionBackend,
  program: SessionProgram,
  permutation: readonly string[],
  options: DriverOptions = {},
): Promise<PermutationOutcome> {
  return runSchedule(backend, program, () => fixedPermutation(permutation), options, permutation.join(' '));
}

/**
 * Runs a schedule whose steps a chooser picks as it goes (seeing which sessions wait), the way the
 * engine's scheduler lets a caller pick the session that advances. The outcome's `permutation` is
 * what was issued, so `runPermutation` replays it. A timing violation reruns it with a fresh chooser
 * from `makeChooser`, which must choose the same way given the same observations.
 */
export async function runSchedule(
  backend: SessionBackend,
  program: SessionProgram,
  makeChooser: () => StepChooser,
  options: DriverOptions = {},
  label = 'chosen schedule',
): Promise<PermutationOutcome> {
  const attempts = 1 + (options.timingRetries ?? DEFAULT_TIMING_RETRIES);
  const violations: string[] = [];
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const outcome = await attemptSchedule(backend, program, makeChooser(), options);
    if (outcome.timingViolation === null) return { ...outcome.result, attempts: attempt + 1 };
    violations.push(outcome.timingViolation);
  }
  throw new Error(
    `${program.name} [${label}]: the server could not follow the schedule's timing ` +
      `in ${attempts} attempts (${violations.join('; ')})`,
  );
}

async function attemptSchedule(
  backend: SessionBackend,
  program: SessionProgram,
  choose: StepChooser,
  options: DriverOptions,
): Promise<{ result: PermutationOutcome; timingViolation: string | null }> {
  const execution = await ScheduleExecution.start(backend, program, options);
  // A synchronous backend (the engine) runs the whole schedule without a promise per step.
  const now = execution.synchronous;
  try {
    for (;;) {
      const name = choose(execution.state);
      if (name === null || !(now ? execution.takeNow(name) : await execution.take(name))) break;
    }
  } catch (error) {
    if (now) execution.abandonNow();
    else await execution.abandon();
    throw error;
  }
  return now ? execution.endNow() : execution.end();
}

/**
 * One schedule being run, a step at a time: the driver's loop (`runSchedule`) and the explorer of a
 * program's schedule tree (`scheduleTree.ts`) take its steps. Between two steps, when the backend
 * can copy its run (`BackendRun.fork`), the whole execution can be copied, records included, and
 * the copy continues independently.
 */
export class ScheduleExecution {
  private readonly sessionName: (index: number) => string;
  private constructor(
    private readonly program: SessionProgram,
    private readonly steps: ReadonlyMap<string, ResolvedStep>,
    private readonly options: DriverOptions,
    private readonly run: BackendRun,
    private readonly data: ExecutionData,
  ) {
    this.sessionName = (index) => program.sessions[index]?.name ?? 'other';
  }

  static async start(
    backend: SessionBackend,
    program: SessionProgram,
    options: DriverOptions = {},
    steps: ReadonlyMap<string, ResolvedStep> = resolveSteps(program),
  ): Promise<ScheduleExecution> {
    const run = await backend.begin(
      program.setup,
      program.sessions.map((session) => session.setup ?? NO_SESSION_SETUP),
      program,
    );
    const data: ExecutionData = {
      inFlight: program.sessions.map(() => null),
      records: [],
      completionOrder: [],
      neverIssued: [],
      permutation: [],
      chosenBySession: program.sessions.map(() => 0),
      timingViolation: null,
      waitingBefore: [],
      simultaneousWakeups: 0,
      stuck: false,
    };
    return new ScheduleExecution(program, steps, options, run, data);
  }

  /** What a chooser sees before the next step. */
  get state(): ScheduleState {
    const data = this.data;
    return {
      position: data.permutation.length,
      inFlight: data.inFlight.map((record) => record !== null),
      stuck: data.stuck,
    };
  }

  /** The steps chosen so far. */
  get permutation(): readonly string[] {
    return this.data.permutation;
  }

  /** How many of each session's steps were chosen so far (kept as steps are taken, not counted again). */
  get chosenBySession(): readonly number[] {
    return this.data.chosenBySession;
  }

  /** True once a step never completed within the bound (`ScheduleState.stuck`), without building a state. */
  get stuck(): boolean {
    return this.data.stuck;
  }

  /**
   * An independent copy of this execution as it stands, or null when the backend cannot copy its
   * run now (a step waits, a transaction rewrote rows by DDL) or at all (a real server).
   */
  fork(): ScheduleExecution | null {
    const run = this.run.fork?.() ?? null;
    if (run === null) return null;
    return new ScheduleExecution(this.program, this.steps, this.options, run, copyData(this.data));
  }

  /** True when the backend answers at once (`BackendRun.synchronous`): `takeNow` and `endNow` may be used. */
  get synchronous(): boolean {
    return this.run.synchronous !== undefined;
  }

  /**
   * Issues the named step (after waiting for its session's step in flight) and settles. False when
   * the schedule must stop here because real time broke its timing (the step is not taken).
   */
  take(name: string): Promise<boolean> {
    return this.settling(this.taking(name));
  }

  /** `take` on a synchronous backend, without a promise. */
  takeNow(name: string): boolean {
    return this.takingNow(name);
  }

  /** Lets every step in flight finish, ends the run and reads the tables: the schedule's outcome. */
  async end(): Promise<{ result: PermutationOutcome; timingViolation: string | null }> {
    try {
      await this.settling(this.ending());
    } finally {
      await this.run.finish();
    }
    return this.outcome(await this.run.contents());
  }

  /** `end` on a synchronous backend, without a promise. */
  endNow(): { result: PermutationOutcome; timingViolation: string | null } {
    const run = this.synchronousRun();
    try {
      this.settlingNow(this.ending());
    } finally {
      run.finish();
    }
    return this.outcome(run.contents());
  }

  /** Ends the run without reading an outcome (a schedule abandoned, e.g. a pruned branch). */
  async abandon(): Promise<void> {
    await this.run.finish();
  }

  /** `abandon` on a synchronous backend, without a promise. */
  abandonNow(): void {
    this.synchronousRun().finish();
  }

  private synchronousRun(): SynchronousRun {
    const run = this.run.synchronous;
    if (run === undefined) throw new Error(`${this.program.name}: the backend's runs are not synchronous`);
    return run;
  }

  /** Runs the driver's logic for one action, settling the backend wherever it asks to. */
  private async settling<T>(work: Settling<T>): Promise<T> {
    const waitBound = this.options.waitBoundMs ?? DEFAULT_WAIT_BOUND_MS;
    let next = work.next();
    for (let settles = 0; !next.done; settles++) {
      assert(settles < MAX_SETTLES_PER_ACTION, 'an action of the driver settled past its bound');
      next = work.next(await this.run.settle(next.value, waitBound));
    }
    return next.value;
  }

  private settlingNow<T>(work: Settling<T>): T {
    const run = this.synchronousRun();
    const waitBound = this.options.waitBoundMs ?? DEFAULT_WAIT_BOUND_MS;
    let next = work.next();
    for (let settles = 0; !next.done; settles++) {
      assert(settles < MAX_SETTLES_PER_ACTION, 'an action of the driver settled past its bound');
      next = work.next(run.settle(next.value, waitBound));
    }
    return next.value;
  }

  /** `take`'s logic: yields each settle it needs, the backend's report comes back. */
  private *taking(name: string): Settling<boolean> {
    const chosen = this.choose(name);
    if (typeof chosen === 'boolean') return chosen;
    const session = chosen.session;
    if (this.data.inFlight[session] !== null && !this.waitedFor(yield { kind: 'sessionDone', session }, name, session))
      return true;
    const record = this.issue(name, chosen);
    this.issued(yield { kind: 'quiescent' }, record, session);
    return true;
  }

  /**
   * `taking` on a synchronous backend, settling it directly: the same steps in the same order
   * (`choose`, `waitedFor`, `issue`, `issued`), without a generator per step taken.
   */
  private takingNow(name: string): boolean {
    const run = this.synchronousRun();
    const waitBound = this.options.waitBoundMs ?? DEFAULT_WAIT_BOUND_MS;
    const chosen = this.choose(name);
    if (typeof chosen === 'boolean') return chosen;
    const session = chosen.session;
    if (
      this.data.inFlight[session] !== null &&
      !this.waitedFor(run.settle({ kind: 'sessionDone', session }, waitBound), name, session)
    )
      return true;
    const record = this.issue(name, chosen);
    this.issued(run.settle({ kind: 'quiescent' }, waitBound), record, session);
    return true;
  }

  /**
   * `take`'s bookkeeping before any settle: the step's session and statement, or what `take` returns
   * without issuing it (false: real time broke the schedule's timing; true: the schedule is stuck,
   * so the step is recorded as never issued).
   */
  private choose(name: string): ResolvedStep | boolean {
    const data = this.data;
    const program = this.program;
    const resolved = this.steps.get(name);
    if (resolved === undefined) throw new Error(`${program.name}: the schedule names unknown step ${name}`);
    // Each step at most once, so every schedule ends within the program's steps.
    if (data.permutation.includes(name)) throw new Error(`${program.name}: the schedule repeats step ${name}`);
    if (data.timingViolation !== null) return false;
    data.permutation.push(name);
    data.chosenBySession[resolved.session]! += 1;
    if (data.stuck) {
      data.neverIssued.push(name);
      return true;
    }
    return resolved;
  }

  /**
   * After settling until the session's step in flight is done (the step just chosen is the last of
   * the permutation): false when it never completed, so the schedule is stuck and the chosen step
   * is never issued.
   */
  private waitedFor(report: SettleReport, name: string, session: number): boolean {
    const data = this.data;
    this.absorb(report, data.permutation.length - 2, session);
    if (data.inFlight[session] === null) return true;
    data.stuck = true;
    data.neverIssued.push(name);
    return false;
  }

  /** Issues the chosen step (the last of the permutation) and records it as in flight. */
  private issue(name: string, chosen: ResolvedStep): MutableRecord {
    const data = this.data;
    const { session, step } = chosen;
    const record: MutableRecord = {
      step: name,
      session: this.sessionName(session),
      issued: data.permutation.length - 1,
      blocked: null,
      completedAfter: null,
      result: null,
    };
    data.records.push(record);
    data.inFlight[session] = record;
    this.run.issue(session, step.sql, step);
    return record;
  }

  /** Takes in the settle that followed issuing `record`'s step: what completed, and whether the step waited. */
  private issued(report: SettleReport, record: MutableRecord, session: number): void {
    this.absorb(report, record.issued, session);
    const wait = report.waited.find((waiting) => waiting.session === session);
    if (wait !== undefined)
      // Only a row wait names its row's table (a table or key wait has none to name).
      record.blocked =
        wait.row === undefined || wait.row === null
          ? { by: wait.blockedBy.map(this.sessionName), lock: wait.lock }
          : { by: wait.blockedBy.map(this.sessionName), lock: wait.lock, row: wait.row };
    if (!report.reached) this.data.stuck = true;
  }

  /** `end`'s settle: every step in flight to its end, unless the schedule is stuck or broken. */
  private *ending(): Settling<void> {
    const data = this.data;
    if (!data.stuck && data.timingViolation === null)
      this.absorb(yield { kind: 'allDone' }, data.permutation.length - 1, -1);
  }

  private outcome(contents: readonly TableContents[]): {
    result: PermutationOutcome;
    timingViolation: string | null;
  } {
    const data = this.data;
    const neverCompleted = data.inFlight.flatMap((record) => (record === null ? [] : [record.step]));
    return {
      result: {
        program: this.program.name,
        permutation: [...data.permutation],
        steps: data.records,
        completionOrder: data.completionOrder,
        neverCompleted,
        neverIssued: data.neverIssued,
        contents,
        attempts: 1,
        simultaneousWakeups: data.simultaneousWakeups,
      },
      timingViolation: data.timingViolation,
    };
  }

  // Within one settle, the step the driver acted on (issued, or waited for) comes first, then the
  // steps it let complete in session order: deterministic, whichever backend the OS ran first.
  private absorb(report: SettleReport, after: number, first: number): void {
    const data = this.data;
    data.timingViolation ??= report.timingViolation;
    if (releasedTogether(data.waitingBefore, report) >= 2) data.simultaneousWakeups += 1;
    data.waitingBefore = report.waiting;
    // Most settles complete one step or none, already in order.
    const ordered =
      report.completed.length < 2
        ? report.completed
        : [...report.completed].sort(
            (a, b) => Number(b.session === first) - Number(a.session === first) || a.session - b.session,
          );
    for (const { session, result } of ordered) {
      const record = data.inFlight[session];
      if (record === null || record === undefined)
        throw new Error(`the backend reported a step of session ${this.sessionName(session)} that was not in flight`);
      record.result = result;
      record.completedAfter = after;
      data.completionOrder.push(record.step);
      data.inFlight[session] = null;
    }
  }
}

/**
 * A copy of an execution's records. A run is copied only between steps (`BackendRun.fork` refuses
 * while a step is in flight), so every record is complete, and a complete record is never written
 * again: the copy shares them and copies only the lists that grow.
 */
function copyData(data: ExecutionData): ExecutionData {
  assert(
    data.inFlight.every((record) => record === null),
    'an execution is copied only while no step is in flight',
  );
  // Written out in the order `start` builds the data in, so a copy has the original's shape.
  return {
    inFlight: data.inFlight.slice(),
    records: data.records.slice(),
    completionOrder: data.completionOrder.slice(),
    neverIssued: data.neverIssued.slice(),
    permutation: data.permutation.slice(),
    chosenBySession: data.chosenBySession.slice(),
    timingViolation: data.timingViolation,
    waitingBefore: data.waitingBefore,
    simultaneousWakeups: data.simultaneousWakeups,
    stuck: data.stuck,
  };
}

/** An execution's records as plain data. */
interface ExecutionData {
  readonly inFlight: (MutableRecord | null)[];
  readonly records: MutableRecord[];
  readonly completionOrder: string[];
  readonly neverIssued: string[];
  readonly permutation: string[];
  /** Steps chosen per session (the permutation's steps counted by session). */
  readonly chosenBySession: number[];
  timingViolation: string | null;
  waitingBefore: readonly WaitingStep[];
  simultaneousWakeups: number;
  stuck: boolean;
}

/**
 * How many of the steps that waited in a settle were released by it: they completed (other than by
 * a deadlock check or a lock_timeout, which end a wait by a timer, not by a release), or now wait
 * for a session they did not wait for before. A step queued behind another waiter and now waiting
 * only for it was not released: PostgreSQL's tuple-lock queue orders them.
 *
 * The waits looked at are those in force when the settle began and those that began during it
 * (`report.waited`): the step just issued may wait and be released in the same settle, when a
 * timer ends another wait. A deadlock victim is the usual case, and its release of two waiters is
 * a race on PostgreSQL: the victim's deadlock check takes it out of its lock's queue and wakes at
 * once whoever queued behind it (RemoveFromWaitQueue, proc.c's CheckDeadLock), while its row and
 * transaction locks are released only by the abort that follows, which wakes the others; what the
 * first woken step meets of the victim's rows (still locked, or free, or already taken by the
 * second) depends on which backend the operating system runs first (seed 12, run 226).
 */
export function releasedTogether(before: readonly WaitingStep[], report: SettleReport): number {
  // Most settles see no wait at all: nothing was released.
  if (before.length === 0 && report.waited.length === 0) return 0;
  const began = report.waited.filter((wait) => !before.some((earlier) => earlier.session === wait.session));
  let released = 0;
  for (const wait of [...before, ...began]) {
    const completed = report.completed.find((done) => done.session === wait.session);
    if (completed !== undefined) {
      const timer = !completed.result.ok && (completed.result.code === '40P01' || completed.result.code === '55P03');
      if (!timer) released += 1;
      continue;
    }
    const still = report.waiting.find((waiting) => waiting.session === wait.session);
    if (still?.blockedBy.some((session) => !wait.blockedBy.includes(session))) released += 1;
  }
  return released;
}

/** Every permutation of the program, in order. */
export async function runProgram(
  backend: SessionBackend,
  program: SessionProgram,
  options: DriverOptions = {},
): Promise<PermutationOutcome[]> {
  const outcomes: PermutationOutcome[] = [];
  for (const permutation of program.permutations)
    outcomes.push(await runPermutation(backend, program, permutation, options));
  return outcomes;
}
