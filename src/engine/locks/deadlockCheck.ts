/**
 * PostgreSQL's deadlock detector (`src/backend/storage/lmgr/deadlock.c`, `DeadLockCheck`), ported
 * function for function so that the same lock table gives the same verdict, the same queue
 * rearrangements and the same reported cycle:
 *
 * - `findLockCycle` walks the waits-for graph from one owner: hard edges to every other owner
 *   holding a conflicting mode on the awaited lock (in `procLocks` order), then soft edges to every
 *   owner ahead of it in that lock's wait queue whose requested mode conflicts (queue order, or a
 *   proposed reordering). The visited list is global to one walk, as in PostgreSQL, so the cycle
 *   found and its soft edges depend on that order.
 * - `deadLockCheckRecurse` / `testConfiguration` search for a set of soft edges to reverse (the
 *   constraints) under which no cycle involves the checking owner or a constrained one;
 *   `expandConstraints` / `topoSort` turn constraints into new wait-queue orders, minimally changed.
 * - A cycle made of hard edges only, or one no reordering removes, is a hard deadlock: the
 *   checking owner is the victim (PostgreSQL always kicks the process whose check found it).
 *
 * Not modelled: lock groups (parallel query), the autovacuum-cancel side result, and fast-path
 * locks (PostgreSQL moves a weak relation lock to the shared table only when a strong request
 * meets it, which can change the `procLocks` order the walk sees; here every lock is in the shared
 * table from the start, in creation order).
 *
 * The workspace bounds are PostgreSQL's, in terms of `maxBackends`: at most `maxBackends` active
 * constraints and `4 × maxBackends` saved soft edges; running out counts as a hard deadlock.
 */
import { assert } from '../assert.js';
import type { LockModeNumber } from './modes.js';
import { LOCK_CONFLICTS, modeBit } from './modes.js';
import type { LockEntry, OwnerId, WaitEdge, WaitGraph } from './lockTable.js';

/** One line of a deadlock report: `owner` waits for `mode` on `lock`'s tag. */
export interface DeadlockStep {
  readonly owner: OwnerId;
  readonly lock: LockEntry;
  readonly mode: LockModeNumber;
}

export interface WaitOrder {
  readonly lock: LockEntry;
  readonly procs: readonly OwnerId[];
}

export type DeadlockVerdict =
  | { readonly kind: 'none' }
  /** Deadlocks resolved by reordering these wait queues (the caller applies them, then wakes). */
  | { readonly kind: 'soft'; readonly orders: readonly WaitOrder[] }
  /** The cycle through the checking owner, from it round to the owner it waits for last. */
  | { readonly kind: 'hard'; readonly cycle: readonly DeadlockStep[] };

/** `DeadLockCheck(proc)` on the current lock table. */
export function deadLockCheck(start: OwnerId, graph: WaitGraph, maxBackends: number): DeadlockVerdict {
  return new DeadlockChecker(graph, maxBackends).check(start);
}

class DeadlockChecker {
  readonly #graph: WaitGraph;
  readonly #maxBackends: number;
  readonly #maxCurConstraints: number;
  readonly #maxPossibleConstraints: number;
  #visited: OwnerId[] = [];
  #details: DeadlockStep[] = [];
  #nDetails = 0;
  readonly #curConstraints: WaitEdge[] = [];
  #nPossibleConstraints = 0;
  #waitOrders: WaitOrder[] = [];
  /** Counts every step of the search, so a runaway search fails an assertion instead of hanging. */
  #steps = 0;

  constructor(graph: WaitGraph, maxBackends: number) {
    this.#graph = graph;
    this.#maxBackends = maxBackends;
    this.#maxCurConstraints = maxBackends;
    this.#maxPossibleConstraints = maxBackends * 4;
  }

  check(start: OwnerId): DeadlockVerdict {
    assert(this.#graph.waitOf(start) !== null, `the deadlock check runs for owner ${start}, who is not waiting`);
    if (this.#deadLockCheckRecurse(start)) {
      // Find the cycle once more on the real queues, for the report (as DeadLockCheck does).
      this.#waitOrders = [];
      assert(this.#findLockCycle(start) !== null, `deadlock of owner ${start} seems to have disappeared`);
      return { kind: 'hard', cycle: this.#details.slice(0, this.#nDetails) };
    }
    if (this.#waitOrders.length > 0) return { kind: 'soft', orders: this.#waitOrders };
    return { kind: 'none' };
  }

  #tick(): void {
    this.#steps += 1;
    assert(this.#steps < 10_000_000, 'the deadlock search ran away');
  }

  /** True when no deadlock-free configuration exists (DeadLockCheckRecurse). */
  #deadLockCheckRecurse(start: OwnerId): boolean {
    this.#tick();
    let edges = this.#testConfiguration(start);
    if (edges === null) return true;
    if (edges.length === 0) return false;
    if (this.#curConstraints.length >= this.#maxCurConstraints) return true;
    const oldPossibleConstraints = this.#nPossibleConstraints;
    const savedList = this.#nPossibleConstraints + edges.length + this.#maxBackends <= this.#maxPossibleConstraints;
    if (savedList) this.#nPossibleConstraints += edges.length;
    for (let i = 0; i < edges.length; i += 1) {
      if (!savedList && i > 0) {
        // PostgreSQL regenerates the list when it had no room to keep it; it must come out the same.
        const again = this.#testConfiguration(start);
        assert(again !== null && again.length === edges.length, 'inconsistent results during deadlock check');
        edges = again;
      }
      this.#curConstraints.push(edges[i]!);
      if (!this.#deadLockCheckRecurse(start)) return false;
      this.#curConstraints.pop();
    }
    this.#nPossibleConstraints = oldPossibleConstraints;
    return true;
  }

  /**
   * TestConfiguration: null for a hard deadlock or contradictory constraints, [] for a good
   * configuration, else the soft edges of the last soft cycle found.
   */
  #testConfiguration(start: OwnerId): WaitEdge[] | null {
    if (this.#nPossibleConstraints + this.#maxBackends > this.#maxPossibleConstraints) return null;
    if (!this.#expandConstraints(this.#curConstraints)) return null;
    let softFound: WaitEdge[] = [];
    const probe = (owner: OwnerId): boolean => {
      const soft = this.#findLockCycle(owner);
      if (soft === null) return true;
      if (soft.length === 0) return false;
      softFound = soft;
      return true;
    };
    for (const constraint of this.#curConstraints) {
      if (!probe(constraint.waiter)) return null;
      if (!probe(constraint.blocker)) return null;
    }
    if (!probe(start)) return null;
    return softFound;
  }

  /** FindLockCycle: the soft edges of a cycle through `owner` ([] if all hard), or null if none. */
  #findLockCycle(owner: OwnerId): WaitEdge[] | null {
    this.#visited = [];
    this.#nDetails = 0;
    const softEdges: WaitEdge[] = [];
    return this.#findLockCycleRecurse(owner, 0, softEdges) ? softEdges : null;
  }

  #findLockCycleRecurse(checkProc: OwnerId, depth: number, softEdges: WaitEdge[]): boolean {
    this.#tick();
    const seen = this.#visited.indexOf(checkProc);
    if (seen >= 0) {
      // Back at the starting point: a cycle. A cycle not through the start says "no deadlock".
      if (seen === 0) {
        assert(depth <= this.#maxBackends, `deadlock cycle of ${depth} owners exceeds ${this.#maxBackends}`);
        this.#nDetails = depth;
        return true;
      }
      return false;
    }
    assert(this.#visited.length < this.#maxBackends, `more than ${this.#maxBackends} owners in the waits-for graph`);
    this.#visited.push(checkProc);
    const wait = this.#graph.waitOf(checkProc);
    if (wait === null) return false;
    const { lock, mode } = wait;
    const conflictMask = LOCK_CONFLICTS[mode]!;
    const record = (): void => {
      this.#details[depth] = { owner: checkProc, lock, mode };
    };
    // Hard edges: owners already holding a conflicting mode.
    for (const procLock of lock.procLocks) {
      if (procLock.owner === checkProc || (procLock.holdMask & conflictMask) === 0) continue;
      if (this.#findLockCycleRecurse(procLock.owner, depth + 1, softEdges)) {
        record();
        return true;
      }
    }
    // Soft edges: owners ahead in the (possibly reordered) queue whose requests conflict. Done
    // after the hard ones, so an owner that both holds and awaits a conflicting mode is a hard edge.
    const order = this.#waitOrders.find((candidate) => candidate.lock === lock);
    const queue = order === undefined ? lock.waitQueue : order.procs;
    for (const proc of queue) {
      if (proc === checkProc) break;
      const ahead = this.#graph.waitOf(proc);
      assert(ahead !== null && ahead.lock === lock, `owner ${proc} is queued on ${lock.key} but not waiting on it`);
      if ((modeBit(ahead.mode) & conflictMask) === 0) continue;
      if (this.#findLockCycleRecurse(proc, depth + 1, softEdges)) {
        record();
        softEdges.push({ waiter: checkProc, blocker: proc });
        return true;
      }
    }
    return false;
  }

  /** ExpandConstraints: one new order per affected lock, newest constraint first. */
  #expandConstraints(constraints: readonly WaitEdge[]): boolean {
    this.#waitOrders = [];
    for (let i = constraints.length - 1; i >= 0; i -= 1) {
      const wait = this.#graph.waitOf(constraints[i]!.waiter);
      assert(wait !== null, `constraint waiter ${constraints[i]!.waiter} is not waiting`);
      if (this.#waitOrders.some((order) => order.lock === wait.lock)) continue;
      const procs = this.#topoSort(wait.lock, constraints, i + 1);
      if (procs === null) return false;
      this.#waitOrders.push({ lock: wait.lock, procs });
    }
    return true;
  }

  /**
   * TopoSort: reorder `lock`'s queue so every constraint's waiter precedes its blocker, moving as
   * little as possible: fill the output from the back with the last owner that has no remaining
   * before-constraint. Null when the constraints contradict each other.
   */
  #topoSort(lock: LockEntry, constraints: readonly WaitEdge[], nConstraints: number): OwnerId[] | null {
    const topoProcs: (OwnerId | null)[] = [...lock.waitQueue];
    const queueSize = topoProcs.length;
    const beforeConstraints = new Array<number>(queueSize).fill(0);
    const afterConstraints = new Array<number>(queueSize).fill(0);
    const pred = new Array<number>(nConstraints).fill(-1);
    const link = new Array<number>(nConstraints).fill(0);
    for (let i = 0; i < nConstraints; i += 1) {
      const constraint = constraints[i]!;
      const j = topoProcs.lastIndexOf(constraint.waiter);
      if (j < 0) continue; // a constraint on another lock
      const k = topoProcs.lastIndexOf(constraint.blocker);
      assert(k >= 0, `soft-edge blocker ${constraint.blocker} is not queued on ${lock.key}`);
      beforeConstraints[j]! += 1;
      pred[i] = j;
      link[i] = afterConstraints[k]!;
      afterConstraints[k] = i + 1;
    }
    const ordering = new Array<OwnerId>(queueSize);
    let last = queueSize - 1;
    for (let i = queueSize - 1; i >= 0; i -= 1) {
      while (topoProcs[last] === null) last -= 1;
      let j = last;
      while (j >= 0 && (topoProcs[j] === null || beforeConstraints[j] !== 0)) j -= 1;
      if (j < 0) return null;
      ordering[i] = topoProcs[j]!;
      topoProcs[j] = null;
      for (let k = afterConstraints[j]!; k > 0; k = link[k - 1]!) beforeConstraints[pred[k - 1]!]! -= 1;
    }
    return ordering;
  }
}
