/**
 * How a statement waits without being re-run (docs/statements.md, "How suspension works").
 *
 * Executors that can meet another transaction's lock are generators (`Resumable`) that yield a
 * `LockWait` where PostgreSQL would sleep; the scheduler resumes them once the wait is over, with
 * everything the statement did so far (its snapshot, the rows it wrote or locked, its AFTER-trigger
 * queue) still in place. A single session never yields, and its statements are driven to the end
 * at once (`runToEnd`).
 *
 * Trigger functions are synchronous TypeScript, so a statement a trigger issues cannot yield
 * through them. It throws a `Suspension` instead, after parking its own (suspended) generator in
 * the innermost `ReplayLog`. The nearest `replayable` segment (a row of an executor, one AFTER
 * action, one BEFORE STATEMENT trigger) catches it and yields the wait. On resumption the segment
 * runs its body again: statements the trigger already ran are answered from the log (each
 * re-issued statement must equal the logged one), the parked one continues where it stopped, and
 * only then does the trigger run on for real. Trigger functions must therefore be deterministic,
 * act on the database only through `db`, and let exceptions that are not `PgError`s pass.
 */
import { assert, fail } from '../assert.js';

import type { RowLockStrength, TableLockMode } from '../locks/modes.js';

/**
 * What a statement waits for: until transaction `xid` ends (a row lock or an uncommitted key;
 * PostgreSQL's ShareLock on the transaction's xid), for a row lock first holding `tuple`'s
 * heavyweight lock (the queue among a row's waiters, held until the row lock is decided), or until
 * it is granted a table lock, which it then holds to the end of its transaction.
 */
export type LockWait =
  | {
      readonly kind: 'transaction';
      readonly xid: number;
      readonly tuple?: {
        readonly oid: number;
        readonly tid: number;
        readonly table: string;
        readonly strength: RowLockStrength;
      };
    }
  | {
      readonly kind: 'relation';
      readonly oid: number;
      readonly table: string;
      readonly mode: TableLockMode;
      /** LOCK TABLE … NOWAIT: fail with 55P03 instead of waiting. */
      readonly nowait: boolean;
    };

export type Resumable<T> = Generator<LockWait, T, void>;

export function describeWait(wait: LockWait): string {
  return wait.kind === 'transaction' ? `transaction ${wait.xid}` : `${wait.mode} on ${wait.table}`;
}

/** Bound on the waits of one segment: each needs another transaction to end first. */
const MAX_SEGMENT_WAITS = 100_000;

/** Unwinds a trigger function to the nearest replayable segment; never a PostgreSQL error. */
export class Suspension extends Error {
  override readonly name = 'Suspension';
  readonly wait: LockWait;

  constructor(wait: LockWait) {
    // Thrown on every wait, and never read for its stack: capture none (as PgError does).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`statement suspended waiting for ${describeWait(wait)}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.wait = wait;
  }
}

type LoggedOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** What the nested statements of one segment did, in order, so a re-run of the segment can replay them. */
export class ReplayLog {
  readonly entries: { readonly identity: unknown; readonly outcome: LoggedOutcome }[] = [];
  position = 0;
  pending: { readonly identity: unknown; readonly generator: Resumable<unknown> } | null = null;
}

/** The per-session stack of replay logs, innermost last. */
export interface ReplayStack {
  readonly replays: ReplayLog[];
}

/** Drives a resumable execution that must not wait (a single session, or a path with nothing to wait for). */
export function runToEnd<T>(execution: Resumable<T>): T {
  const step = execution.next();
  if (!step.done) fail(`a statement waited for ${describeWait(step.value)} where nothing may wait`);
  return step.value;
}

/**
 * Runs `body`, a step that may reach trigger functions, so that a nested statement's wait suspends
 * the enclosing execution: the wait is yielded, and after it the body runs again with the
 * statements it already ran replayed from the log. An error delivered into the wait (a deadlock
 * victim, a lock timeout) is handed to the parked statement first, so it unwinds its own frames.
 */
export function* replayable<T>(stack: ReplayStack, body: () => T): Resumable<T> {
  const log = new ReplayLog();
  for (let waits = 0; ; waits++) {
    assert(waits < MAX_SEGMENT_WAITS, 'a statement waited more often than any schedule allows');
    let wait: LockWait;
    stack.replays.push(log);
    try {
      return body();
    } catch (error) {
      if (!(error instanceof Suspension)) throw error;
      wait = error.wait;
    } finally {
      assert(stack.replays.pop() === log, 'replay logs unbalanced');
      log.position = 0;
    }
    try {
      yield wait;
    } catch (error) {
      const pending = log.pending;
      log.pending = null;
      if (pending !== null) pending.generator.throw(error);
      throw error;
    }
  }
}

/** A statement value's identity in a replay log: its JSON (trigger functions are not part of it). */
export function replayKey(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Whether a re-issued statement is the logged one. Compared only when a segment is replayed (after a
 * wait), so the statements that never wait, nearly all of them, are never serialised; the log keeps
 * the values themselves, which statement values, being data, are never changed once issued.
 */
function sameStatement(logged: unknown, reissued: unknown): boolean {
  return replayKey(logged) === replayKey(reissued);
}

/**
 * Runs a nested statement (from a trigger function, or an RI action) that may wait. Outside any
 * segment it must finish at once. Inside one, a statement already run by an earlier pass of the
 * segment is answered from the log, a parked one resumes, and a new one starts; if it has to wait,
 * it is parked and a `Suspension` unwinds the trigger function.
 */
export function runNestedResumable<T>(stack: ReplayStack, identity: unknown, start: () => Resumable<T>): T {
  const log = stack.replays[stack.replays.length - 1];
  if (log === undefined) return runToEnd(start());
  if (log.position < log.entries.length) {
    const entry = log.entries[log.position++]!;
    if (!sameStatement(entry.identity, identity))
      fail(
        `a replayed trigger issued ${replayKey(identity)} where it had issued ${replayKey(entry.identity)}: trigger functions must be deterministic`,
      );
    if (entry.outcome.ok) return entry.outcome.value as T;
    throw entry.outcome.error;
  }
  let generator: Resumable<unknown>;
  if (log.pending !== null) {
    if (!sameStatement(log.pending.identity, identity))
      fail(
        `a replayed trigger issued ${replayKey(identity)} where it had been suspended in ${replayKey(log.pending.identity)}`,
      );
    generator = log.pending.generator;
    log.pending = null;
  } else generator = start();
  let step: IteratorResult<LockWait, unknown>;
  try {
    step = generator.next();
  } catch (error) {
    if (error instanceof Suspension) throw error;
    log.entries.push({ identity, outcome: { ok: false, error } });
    log.position++;
    throw error;
  }
  if (!step.done) {
    log.pending = { identity, generator };
    throw new Suspension(step.value);
  }
  log.entries.push({ identity, outcome: { ok: true, value: step.value } });
  log.position++;
  return step.value as T;
}
