/**
 * Every schedule of a multi-session program, explored as a tree: the permutations that keep each
 * session's own order (`allPermutations`, in the same order) share their prefixes, so the world is
 * built once and each step of a shared prefix runs once, not once per permutation. Depth first, a
 * node with several next steps hands each child but the last a copy of its state
 * (`ScheduleExecution.fork`) and continues with the last child itself.
 *
 * A state can be copied only between statements (docs/concurrency.md, "Exploring a program's
 * schedules as a tree"): where a step waits, its statement is a suspended generator, and where a
 * transaction rewrote rows in place by DDL, its undo is a closure (other catalog edits are undone
 * by data records, catalogUndo.ts). A child of such a node gets its state again by copying the
 * nearest ancestor that could be copied (left untouched while its earlier children's subtrees
 * run) and taking the steps since then again; with no such ancestor (a backend
 * that cannot copy at all), from scratch. Runs are deterministic on the engine, so every way gives
 * the outcome running that permutation from scratch gives (test/oracle/server/scheduleTree.test.ts
 * holds them to it).
 *
 * On a backend that answers at once (`BackendRun.synchronous`: the engine), the whole tree runs
 * without a promise per step; the same logic waits for each answer of one that does not.
 *
 * The process runs without V8's allocation-site pretenuring from the first exploration on
 * (`pretenuring.ts`): the long-lived copies would otherwise make the collector keep short-lived
 * objects alive until its next full collection.
 *
 * A schedule in which a step never completes (the driver waited for a session whose step can only
 * end when a later step of another session runs) leaves the rest of its steps unissued whatever
 * their order, so its subtree is cut there and reported once as `stuck`, not as schedules.
 */
import { assert } from '../../engine/assert.js';
import { ScheduleExecution } from './permutationDriver.js';
import type { DriverOptions, PermutationOutcome } from './permutationDriver.js';
import { turnOffPretenuring } from './pretenuring.js';
import { resolveSteps } from './program.js';
import type { SessionProgram } from './program.js';
import type { SessionBackend } from './sessionBackend.js';

export interface TreeStatistics {
  /** Leaves whose every step was issued and completed: the distinct complete schedules. */
  readonly complete: number;
  /** Leaves with a step that never completed (reported, but not complete schedules). */
  readonly incomplete: number;
  /** Subtrees cut where a step could not complete: every schedule below would leave steps unissued. */
  readonly stuck: number;
  /** States copied at a node for one of its children. */
  readonly forks: number;
  /** Children whose state had to be rebuilt by taking steps again (no copy possible at their node). */
  readonly rebuilt: number;
  /** Steps taken in all, rebuilt ones included. */
  readonly steps: number;
}

/** One explored schedule: its outcome, and whether every step was issued and completed. */
export interface ExploredSchedule {
  readonly outcome: PermutationOutcome;
  readonly complete: boolean;
}

/** Bound on the schedules one exploration visits. */
const MAX_SCHEDULES = 1_000_000;
/** Bound on the promises one exploration waits for (a few per step on an asynchronous backend). */
const MAX_WAITS = 100_000_000;

/**
 * Runs every schedule of `program` on `backend`, sharing prefixes where the backend can copy a
 * run, and hands each leaf's outcome to `visit` in `allPermutations` order.
 */
export async function exploreSchedules(
  backend: SessionBackend,
  program: SessionProgram,
  visit: (schedule: ExploredSchedule) => void,
  options: DriverOptions = {},
): Promise<TreeStatistics> {
  // The copies of the nodes' runs live long: V8 would pretenure the engine's allocation sites for them.
  turnOffPretenuring();
  const steps = resolveSteps(program);
  const totals = { complete: 0, incomplete: 0, stuck: 0, forks: 0, rebuilt: 0, steps: 0 };
  const sessionSteps = program.sessions.map((session) => session.steps.map((step) => step.name));
  const stepCount = sessionSteps.reduce((sum, names) => sum + names.length, 0);
  // A synchronous backend (the engine) is driven without a promise per step: the explorer's logic
  // below yields only what it must really wait for (`Exploring`).
  const take = function* (execution: ScheduleExecution, name: string): Exploring<void> {
    totals.steps += 1;
    const taken = yield* settled(execution.synchronous ? execution.takeNow(name) : execution.take(name));
    assert(taken, `${program.name}: a schedule lost its timing while exploring (${name})`);
  };
  /**
   * `take` without a generator of its own, where the explorer steps most: on a synchronous backend
   * it takes the step at once; on another it delegates to `take`, whose promise the caller waits for.
   */
  const takeAtOnce = (execution: ScheduleExecution, name: string): Exploring<void> | null => {
    if (!execution.synchronous) return take(execution, name);
    totals.steps += 1;
    assert(execution.takeNow(name), `${program.name}: a schedule lost its timing while exploring (${name})`);
    return null;
  };
  const start = (): Exploring<ScheduleExecution> => settled(ScheduleExecution.start(backend, program, options, steps));
  /**
   * The next step of each session that has one, in session order (each session's steps are taken in
   * order): read off the execution's count of steps chosen per session, kept as steps are taken.
   */
  const nextSteps = (execution: ScheduleExecution): string[] => {
    const chosen = execution.chosenBySession;
    const next: string[] = [];
    for (let session = 0; session < sessionSteps.length; session++) {
      const name = sessionSteps[session]![chosen[session]!];
      if (name !== undefined) next.push(name);
    }
    return next;
  };
  /**
   * A fresh state equal to `node`'s: a copy of the anchor (a copyable ancestor, untouched since), then
   * the steps from there to the node again; from scratch when there is no anchor.
   */
  const rebuild = function* (anchor: ScheduleExecution | null, node: ScheduleExecution): Exploring<ScheduleExecution> {
    totals.rebuilt += 1;
    let execution: ScheduleExecution;
    if (anchor === null) execution = yield* start();
    else {
      const copy = anchor.fork();
      assert(copy !== null, `${program.name}: an anchor that could be copied no longer can`);
      totals.forks += 1;
      execution = copy;
    }
    for (const name of node.permutation.slice(execution.permutation.length)) {
      const taking = takeAtOnce(execution, name);
      if (taking !== null) yield* taking;
    }
    return execution;
  };
  const explore = function* (execution: ScheduleExecution, anchor: ScheduleExecution | null): Exploring<void> {
    assert(totals.complete + totals.incomplete + totals.stuck < MAX_SCHEDULES, 'too many schedules to explore');
    if (execution.stuck) {
      totals.stuck += 1;
      if (execution.synchronous) execution.abandonNow();
      else yield* settled(execution.abandon());
      return;
    }
    const next = nextSteps(execution);
    if (next.length === 0) {
      assert(execution.permutation.length === stepCount, 'a leaf has taken every step');
      const { result } = execution.synchronous ? execution.endNow() : yield* settled(execution.end());
      const complete = result.neverIssued.length === 0 && result.neverCompleted.length === 0;
      if (complete) totals.complete += 1;
      else totals.incomplete += 1;
      visit({ outcome: result, complete });
      return;
    }
    // Every child but the last runs on a copy; the node itself, untouched until then, is their anchor.
    for (let index = 0; index < next.length; index++) {
      const name = next[index]!;
      if (index === next.length - 1) {
        const taking = takeAtOnce(execution, name);
        if (taking !== null) yield* taking;
        yield* explore(execution, anchor);
        return;
      }
      const copy = execution.fork();
      if (copy !== null) totals.forks += 1;
      const child = copy ?? (yield* rebuild(anchor, execution));
      const taking = takeAtOnce(child, name);
      if (taking !== null) yield* taking;
      yield* explore(child, copy === null ? anchor : execution);
    }
  };
  await waitingFor(
    (function* (): Exploring<void> {
      yield* explore(yield* start(), null);
    })(),
  );
  return totals;
}

/** The explorer's logic: it yields each promise it must wait for and gets the promise's value back. */
type Exploring<T> = Generator<Promise<unknown>, T, unknown>;

/** A value a synchronous backend gave at once, or the promise another one gave, as an `Exploring` step. */
function* settled<T>(value: T | Promise<T>): Exploring<T> {
  return value instanceof Promise ? ((yield value) as T) : value;
}

/** Runs the explorer's logic, waiting for each promise it yields (a rejection is thrown back into it). */
async function waitingFor<T>(work: Exploring<T>): Promise<T> {
  let next = work.next();
  for (let waits = 0; !next.done; waits++) {
    assert(waits < MAX_WAITS, 'the exploration waited past its bound');
    let value: unknown;
    try {
      value = await next.value;
    } catch (error) {
      next = work.throw(error);
      continue;
    }
    next = work.next(value);
  }
  return next.value;
}
