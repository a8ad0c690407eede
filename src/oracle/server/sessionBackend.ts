/**
 * What the permutation driver needs from a database that runs several sessions at once. The real
 * server implements it over `pg` connections (`pgSessionBackend.ts`); the engine will implement it
 * over its own sessions and virtual clock, and the driver, the programs and the reports stay the same.
 *
 * Time: a backend lets timeouts (lock_timeout, deadlock_timeout) run only while the driver waits in
 * `settle`. Between two steps no time is meant to pass; the real server approximates that with
 * steps that take well under a millisecond against timeouts of tens of milliseconds.
 */

import type { ProgramStep, SessionProgram } from './program.js';

/** A row as JSON: column name to value, as `to_jsonb` renders it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonRow = { readonly [column: string]: JsonValue };

export type StepResult =
  | { readonly ok: true; readonly rowCount: number; readonly rows?: readonly JsonRow[] }
  | { readonly ok: false; readonly code: string; readonly constraint: string | null; readonly message: string };

export interface WaitingStep {
  readonly session: number;
  /**
   * Sessions it waits for (`pg_blocking_pids`: holders and earlier conflicting waiters); -1 for any
   * other connection.
   */
  readonly blockedBy: readonly number[];
  /** What it waits for, e.g. `ShareLock on transaction`, `RowExclusiveLock on relation items`. */
  readonly lock: string;
  /**
   * For a wait to lock a row (heapam takes the row's tuple lock before it waits for the holder's
   * transaction): the table of that row; null for a table lock or a wait for a key's transaction
   * (a unique index or ON CONFLICT arbiter). Reports only; not compared. Optional for backends
   * that cannot tell.
   */
  readonly row?: string | null;
}

export interface SettleReport {
  /** Steps that finished while settling, in session order. */
  readonly completed: readonly { readonly session: number; readonly result: StepResult }[];
  /** Steps still in flight, each waiting for a lock. */
  readonly waiting: readonly WaitingStep[];
  /**
   * Each session's wait in this settle, as last seen before it ended or the world settled, even one
   * ended since (a deadlock broken, a timeout).
   */
  readonly waited: readonly WaitingStep[];
  /** False when the bound ran out before the wanted state was reached. */
  readonly reached: boolean;
  /**
   * Set when real time broke the model's assumption that no time passes between two steps: a
   * lock_timeout fired while the driver was issuing steps, or a deadlock's waits began further apart
   * than deadlock_timeout (so the server's victim is not the earliest waiter). The run must be
   * repeated; a virtual clock never sets it.
   */
  readonly timingViolation: string | null;
}

export type SettleGoal =
  /** Until every step in flight is done or waits for a lock with no deadlock pending. */
  | { readonly kind: 'quiescent' }
  /** Until this session's step is done (timeouts may fire meanwhile), then quiescent. */
  | { readonly kind: 'sessionDone'; readonly session: number }
  /** Until no step is in flight. */
  | { readonly kind: 'allDone' };

export interface TableContents {
  /** Leaf tables only (partitions, not their parents), by name. */
  readonly table: string;
  /** Sorted by their text form, so two equal tables print the same. */
  readonly rows: readonly JsonRow[];
}

/** One permutation's world: fresh tables and the program's sessions, each with no step in flight. */
export interface BackendRun {
  /**
   * Starts `sql` on a session that has no step in flight; does not wait for it. `step` is the
   * program's step, whose `op` (when present) is the same statement as data.
   */
  issue(session: number, sql: string, step?: ProgramStep): void;
  settle(goal: SettleGoal, boundMs: number): Promise<SettleReport>;
  /** Ends every session (cancelling steps still waiting, rolling back open transactions). */
  finish(): Promise<{ readonly cancelled: readonly number[] }>;
  /** Every table's rows, read after `finish`. */
  contents(): Promise<readonly TableContents[]>;
  /**
   * An independent copy of the run as it stands between two steps (same sessions, open
   * transactions, locks and clock), which continues on its own; null when it cannot be copied now
   * (a step waits: a suspended statement cannot be copied). A real server has no such operation.
   */
  fork?(): BackendRun | null;
  /**
   * The same operations without promises, for a backend whose steps never wait on I/O (the engine
   * and its virtual clock): a driver running many schedules then pays no promise and no microtask
   * per step. Absent on a real server.
   */
  readonly synchronous?: SynchronousRun;
}

/** `BackendRun`'s settle, finish and contents, answered at once (`BackendRun.synchronous`). */
export interface SynchronousRun {
  settle(goal: SettleGoal, boundMs: number): SettleReport;
  finish(): { readonly cancelled: readonly number[] };
  contents(): readonly TableContents[];
}

export interface SessionBackend {
  /** e.g. `PostgreSQL 18.4 (embedded)`. */
  readonly description: string;
  /**
   * Builds the world from `setup`, then opens the sessions and runs each one's own setup. `program`
   * is the program they come from, with the same statements as data when it was generated from
   * values (`setupOps`, each session's `setupOps`), for a backend that does not read SQL.
   */
  begin(
    setup: readonly string[],
    sessionSetups: readonly (readonly string[])[],
    program?: SessionProgram,
  ): Promise<BackendRun>;
  close(): Promise<void>;
  /**
   * A backend that can choose which of several sessions able to run at once runs first (the engine's
   * sessions; a real server cannot) returns itself running them in `order`, by session index.
   */
  withWakeOrder?(order: readonly number[]): SessionBackend;
}
