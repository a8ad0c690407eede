/**
 * Snapshots and the visibility of row versions (docs/concurrency.md, semantics 1-2). A snapshot
 * records which transactions had committed when it was taken: every xid below `xmax` that was not
 * running then. A version is visible when its writer is the reader's own transaction or committed
 * in the snapshot, and no deleter of it is. Aborted transactions leave nothing behind (their undo
 * journal restores the heap), so "not running and older than the snapshot" means committed.
 */
import { assert } from '../assert.js';
import type { Relation, Tuple } from '../catalog.js';

export interface Snapshot {
  /** The first xid not yet assigned when the snapshot was taken. */
  readonly xmax: number;
  /** Transactions running when it was taken (own included: own changes are decided by `own`). */
  readonly running: ReadonlySet<number>;
  /** The oldest xid it may see as running: versions superseded before it are invisible to it. */
  readonly xmin: number;
}

export function takeSnapshot(running: ReadonlySet<number>, xidHorizon: number): Snapshot {
  let xmin = xidHorizon;
  for (const xid of running) if (xid < xmin) xmin = xid;
  return { xmax: xidHorizon, running: new Set(running), xmin };
}

/** Whether `xid`'s changes are visible in `snapshot` to transaction `own`. */
export function xidVisible(snapshot: Snapshot, own: number, xid: number): boolean {
  if (xid === own) return true;
  return xid < snapshot.xmax && !snapshot.running.has(xid);
}

/**
 * The version of a tuple that `snapshot` sees, starting from its newest version (the heap's, or
 * a deleted one), or null when the snapshot sees no version (inserted after it, or deleted for it).
 */
export function visibleVersion(snapshot: Snapshot, own: number, newest: Tuple): Tuple | null {
  let version: Tuple | null | undefined = newest;
  for (let steps = 0; version !== null && version !== undefined; steps++) {
    assert(steps < 1_000_000, `version chain of tuple ${newest.tid} does not end`);
    if (xidVisible(snapshot, own, version.xmin)) {
      const xmax = version.xmax ?? 0;
      return xmax !== 0 && xidVisible(snapshot, own, xmax) ? null : version;
    }
    version = version.prior;
  }
  return null;
}

/** The newest version of a tuple id: the heap's, else a deleted one still kept. */
export function newestVersion(relation: Relation, tid: number): Tuple | undefined {
  return relation.heap?.get(tid) ?? relation.ghosts?.get(tid);
}

/**
 * A leaf's tuples as `snapshot` sees them, in tuple-id order: the heap's newest versions and the
 * kept deleted ones, each resolved to its visible version.
 */
export function visibleTuples(relation: Relation, snapshot: Snapshot, own: number): Tuple[] {
  const heap = relation.heap;
  assert(heap !== null, `partitioned table ${relation.name} has no heap`);
  const newest: Tuple[] = [...heap.values()];
  if (relation.ghosts !== null) for (const ghost of relation.ghosts.values()) newest.push(ghost);
  newest.sort((left, right) => left.tid - right.tid);
  const visible: Tuple[] = [];
  for (const tuple of newest) {
    const version = visibleVersion(snapshot, own, tuple);
    if (version !== null) visible.push(version);
  }
  return visible;
}
