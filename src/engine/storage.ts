/**
 * Physical row storage: the heap of a leaf relation, its unique indexes and the per-foreign-key
 * referencing maps. Every write is journaled with its exact inverse. Unique conflicts are
 * detected before anything is written, so a failed write leaves storage untouched.
 */
import { assert, fail } from './assert.js';
import type { ForeignKeyConstraint, IndexDefinition, Relation, RowLock, Tuple } from './catalog.js';
import type { KeyClaim } from './databaseState.js';
import { PgError, SqlState } from './errors.js';
import { isSatisfiedAsFilter } from './expression.js';
import { keyOfRow, valuesOf } from './keys.js';
import type { IndexKey } from './keys.js';
import { planFor } from './relationPlan.js';
import type { EngineState } from './session.js';
import type { StorageUndo } from './undoRecord.js';
import { formatValuesForDetail } from './values.js';
import type { Row } from './values.js';

/**
 * Records that `relation`'s rows changed: the database's data version moves, and the leaf takes
 * the new value as its write stamp (see `Relation.writeStamp`). Every heap change and its undo
 * goes through here.
 */
export function markWritten(state: EngineState, relation: Relation): void {
  state.dataVersion++;
  relation.writeStamp = state.dataVersion;
}

export function indexKeyFor(index: IndexDefinition, row: Row): IndexKey | null {
  if (index.predicate !== null && !isSatisfiedAsFilter(index.predicate, { row })) return null;
  return keyOfRow(row, index.columns);
}

/** The tuple id holding `row`'s key in a unique index, ignoring the tuple being replaced. */
export function conflictingTid(index: IndexDefinition, row: Row, ignoreTid: number): number | undefined {
  if (index.entries === null) fail(`index ${index.name} has no storage`);
  const key = indexKeyFor(index, row);
  if (key === null) return undefined;
  const holder = index.entries.get(key);
  return holder === undefined || holder.tid === ignoreTid ? undefined : holder.tid;
}

export function uniqueViolation(index: IndexDefinition, relation: Relation, row: Row): PgError {
  const values = valuesOf(row, index.columns);
  return new PgError(
    SqlState.uniqueViolation,
    `duplicate key value violates unique constraint "${index.constraint?.name ?? index.name}"`,
    {
      detail: `Key (${index.columns.join(', ')})=(${formatValuesForDetail(values)}) already exists.`,
      constraint: index.constraint?.name ?? index.name,
      table: relation.name,
    },
  );
}

function checkUnique(state: EngineState, relation: Relation, row: Row, ignoreTid: number): void {
  // Indexed: a relation without unique indexes has the shared frozen empty list (docs/performance.md).
  const uniqueIndexes = planFor(state, relation).uniqueIndexes;
  for (let position = 0; position < uniqueIndexes.length; position++) {
    const index = uniqueIndexes[position]!;
    const tid = conflictingTid(index, row, ignoreTid);
    if (tid === undefined) continue;
    // Executors wait for an uncommitted conflicting key before they write (semantics 5).
    if (state.versioning && isRunningOther(state, index.entries!.get(indexKeyFor(index, row)!)!.xmin))
      fail(`a write to ${relation.name} met the uncommitted key of another transaction without waiting`);
    throw uniqueViolation(index, relation, row);
  }
}

function isRunningOther(state: EngineState, xid: number): boolean {
  return xid !== state.currentXid && state.shared.running.has(xid);
}

/**
 * While versioning: the running transaction a write of `row` into `relation` must wait for before
 * its unique check (semantics 5), or null. That is the writer of the newest version holding one of
 * the row's unique keys, or a transaction deleting, or changing the key of, a version holding it.
 */
export function uniqueWaitFor(
  state: EngineState,
  relation: Relation,
  row: Row,
  ignoreTid: number,
  indexes: readonly IndexDefinition[] = planFor(state, relation).uniqueIndexes,
): number | null {
  for (const index of indexes) {
    const xid = indexWaitFor(state, relation, index, row, ignoreTid);
    if (xid !== null) return xid;
  }
  return null;
}

/** `uniqueWaitFor` for one index. */
function indexWaitFor(
  state: EngineState,
  relation: Relation,
  index: IndexDefinition,
  row: Row,
  ignoreTid: number,
): number | null {
  const key = indexKeyFor(index, row);
  if (key === null) return null;
  const holder = index.entries!.get(key);
  if (holder !== undefined && holder.tid !== ignoreTid) {
    if (isRunningOther(state, holder.xmin)) return holder.xmin;
    // A version another transaction's UPDATE is writing (it waits in its own unique check).
    const writer = holder.locks?.find((lock) => lock.writing === true && isRunningOther(state, lock.xid));
    if (writer !== undefined) return writer.xid;
  }
  // A key another write holds while it waits in a later index (its entry is in place on PostgreSQL).
  for (const claim of state.shared.keyClaims)
    if (claim.index === index && claim.key === key && isRunningOther(state, claim.xid)) return claim.xid;
  if (relation.oldVersions === null) return null;
  for (const version of relation.oldVersions) {
    if (version.tid === ignoreTid || !isRunningOther(state, version.xmax ?? 0)) continue;
    if (indexKeyFor(index, version.row) === key) return version.xmax!;
  }
  return null;
}

/**
 * While versioning: the running transaction a write of `row` must wait for in its unique checks,
 * or null, claiming meanwhile the keys PostgreSQL's write already holds. PostgreSQL writes the heap
 * tuple, then inserts its index entries one index at a time (ExecInsertIndexTuples, in
 * RelationGetIndexList's OID order: the order the indexes were created) and waits in the unique
 * check (_bt_check_unique) of the first whose key an uncommitted transaction holds; the entries
 * of the indexes before it stay in place while it waits, so another write of one of those keys
 * waits for this transaction, and a deadlock can run through them. The engine writes after the
 * wait: it records those keys as `KeyClaim`s, which last as long as the wait (`releaseKeyClaims`).
 */
export function claimKeysForUniqueWait(
  state: EngineState,
  relation: Relation,
  row: Row,
  ignoreTid: number,
): number | null {
  const indexes = planFor(state, relation).uniqueIndexes;
  for (let position = 0; position < indexes.length; position++) {
    const xid = indexWaitFor(state, relation, indexes[position]!, row, ignoreTid);
    if (xid === null) continue;
    const claims: KeyClaim[] = [];
    for (const index of indexes.slice(0, position)) {
      const key = indexKeyFor(index, row);
      if (key !== null) claims.push({ session: state, xid: state.currentXid, index, key });
    }
    if (claims.length > 0) state.shared.keyClaims = [...state.shared.keyClaims, ...claims];
    return xid;
  }
  return null;
}

/** Gives back the keys a session's write claimed for its wait (see `claimKeysForUniqueWait`): the wait is over. */
export function releaseKeyClaims(state: EngineState): void {
  const claims = state.shared.keyClaims;
  if (claims.length === 0) return;
  state.shared.keyClaims = claims.filter((claim) => claim.session !== state);
}

/** Keeps a superseded version for the snapshots that may still see it. */
function keepVersion(state: EngineState, relation: Relation, version: Tuple): void {
  relation.oldVersions ??= new Set();
  relation.oldVersions.add(version);
  state.shared.versionedRelations.add(relation);
}

function forgetVersion(state: EngineState, relation: Relation, version: Tuple): void {
  const versions = relation.oldVersions;
  assert(versions?.delete(version) === true, `old version of tuple ${version.tid} in ${relation.name} was not kept`);
  if (versions.size === 0) {
    relation.oldVersions = null;
    relation.ghosts = null;
    state.shared.versionedRelations.delete(relation);
  }
}

/** Whether an UPDATE from `before` to `after` changes a column of a unique key (PostgreSQL's key columns). */
/** Whether an UPDATE from `before` to `after` changes a column of a non-partial unique index (PostgreSQL's "key" columns). */
export function keyColumnsChange(state: EngineState, relation: Relation, before: Row, after: Row): boolean {
  // Indexed loops over the plan's list and each index's frozen column list (docs/performance.md).
  const uniqueIndexes = planFor(state, relation).uniqueIndexes;
  for (let position = 0; position < uniqueIndexes.length; position++) {
    const index = uniqueIndexes[position]!;
    if (index.predicate !== null) continue;
    const columns = index.columns;
    for (let column = 0; column < columns.length; column++)
      if (before[columns[column]!] !== after[columns[column]!]) return true;
  }
  return false;
}

function addToIndexes(relation: Relation, tuple: Tuple): void {
  for (const index of relation.indexes) {
    if (index.entries === null) continue;
    const key = indexKeyFor(index, tuple.row);
    if (key !== null) index.entries.set(key, tuple);
  }
  for (const constraint of relation.constraints) {
    if (constraint.kind !== 'foreignKey' || constraint.referencing === null) continue;
    addReference(constraint, tuple);
  }
}

function removeFromIndexes(relation: Relation, tuple: Tuple): void {
  for (const index of relation.indexes) {
    if (index.entries === null) continue;
    const key = indexKeyFor(index, tuple.row);
    if (key !== null && index.entries.get(key)?.tid === tuple.tid) index.entries.delete(key);
  }
  for (const constraint of relation.constraints) {
    if (constraint.kind !== 'foreignKey' || constraint.referencing === null) continue;
    removeReference(constraint, tuple);
  }
}

export function addReference(foreignKey: ForeignKeyConstraint, tuple: Tuple): void {
  if (foreignKey.referencing === null) fail(`foreign key ${foreignKey.name} has no referencing map`);
  const key = keyOfRow(tuple.row, foreignKey.columns);
  if (key === null) return;
  let holders = foreignKey.referencing.get(key);
  if (holders === undefined) {
    holders = new Set();
    foreignKey.referencing.set(key, holders);
  }
  holders.add(tuple.tid);
}

function removeReference(foreignKey: ForeignKeyConstraint, tuple: Tuple): void {
  if (foreignKey.referencing === null) fail(`foreign key ${foreignKey.name} has no referencing map`);
  const key = keyOfRow(tuple.row, foreignKey.columns);
  if (key === null) return;
  const holders = foreignKey.referencing.get(key);
  if (holders === undefined || !holders.delete(tuple.tid))
    fail(`referencing map of ${foreignKey.name} lost tuple ${tuple.tid}`);
  if (holders.size === 0) foreignKey.referencing.delete(key);
}

export function insertTuple(state: EngineState, relation: Relation, row: Row): Tuple {
  const heap = relation.heap;
  if (heap === null) fail(`cannot store rows in partitioned table ${relation.name}`);
  checkUnique(state, relation, row, -1);
  const tuple: Tuple = { tid: state.allocateTid(), row, xmin: state.currentXid };
  heap.set(tuple.tid, tuple);
  addToIndexes(relation, tuple);
  markWritten(state, relation);
  state.journal.record({ undo: 'insert', relation, heap, tuple });
  return tuple;
}

/** Deletes a tuple; `moved` when it is the delete half of a cross-partition UPDATE. */
export function deleteTuple(state: EngineState, relation: Relation, tuple: Tuple, moved = false): void {
  const heap = relation.heap;
  if (heap === null || heap.get(tuple.tid) !== tuple) fail(`tuple ${tuple.tid} is not live in ${relation.name}`);
  // Even a version this transaction wrote and no one else sees is kept as a ghost: its key stays
  // taken until the transaction ends, as PostgreSQL's index entry keeps it (see replaceVersioned).
  if (state.versioning) {
    deleteVersioned(state, relation, tuple, moved);
    return;
  }
  heap.delete(tuple.tid);
  removeFromIndexes(relation, tuple);
  markWritten(state, relation);
  state.journal.record({ undo: 'delete', relation, heap, tuple });
}

/**
 * TRUNCATE's storage while versioning: PostgreSQL gives the table a new, empty file, so the rows
 * vanish for every snapshot once the TRUNCATE commits, also for snapshots taken before it (TRUNCATE
 * is not MVCC-safe), and no row version stays behind. The truncating transaction holds
 * AccessExclusive until then, so no one reads the table meanwhile; a rollback restores it all.
 */
export function truncateVersioned(state: EngineState, relation: Relation): void {
  const heap = relation.heap;
  assert(heap !== null && state.versioning, `TRUNCATE of ${relation.name}: a heap while versioning`);
  const live = [...heap.values()];
  const ghosts = relation.ghosts;
  const oldVersions = relation.oldVersions;
  for (const tuple of live) {
    heap.delete(tuple.tid);
    removeFromIndexes(relation, tuple);
  }
  relation.ghosts = null;
  relation.oldVersions = null;
  state.shared.versionedRelations.delete(relation);
  markWritten(state, relation);
  state.journal.record({ undo: 'truncateVersioned', relation, heap, live, ghosts, oldVersions });
}

/**
 * A delete while versioning: the version leaves the heap and its indexes, as in a single session,
 * but stays a ghost with `xmax` set, so snapshots that see it still do (semantics 2). A ghost left
 * by a row moving to another partition says so (PostgreSQL marks its ctid).
 */
function deleteVersioned(state: EngineState, relation: Relation, tuple: Tuple, moved: boolean): void {
  const heap = relation.heap!;
  heap.delete(tuple.tid);
  removeFromIndexes(relation, tuple);
  tuple.xmax = state.currentXid;
  tuple.xmaxStrength = 'Update';
  tuple.locksBeforeWrite = tuple.locks?.length ?? 0;
  if (moved) tuple.movedToPartition = true;
  relation.ghosts ??= new Map();
  relation.ghosts.set(tuple.tid, tuple);
  keepVersion(state, relation, tuple);
  markWritten(state, relation);
  state.journal.record({ undo: 'deleteVersioned', relation, heap, tuple });
}

/** The row locks of other running transactions, carried from a version to its replacement. */
function carriedLocks(state: EngineState, tuple: Tuple): RowLock[] | null {
  if (tuple.locks === undefined || tuple.locks === null) return null;
  const kept = tuple.locks.filter((lock) => lock.xid !== state.currentXid && state.shared.running.has(lock.xid));
  return kept.length === 0 ? null : kept;
}

/** Undoes one row write of the journal (`undoRecord.ts`), exactly as the write's own code reverses it. */
export function undoStorageWrite(state: EngineState, record: StorageUndo): void {
  const { relation, heap } = record;
  switch (record.undo) {
    case 'insert':
      heap.delete(record.tuple.tid);
      removeFromIndexes(relation, record.tuple);
      break;
    case 'delete':
      heap.set(record.tuple.tid, record.tuple);
      addToIndexes(relation, record.tuple);
      relation.heapOutOfOrder = true;
      break;
    case 'deleteVersioned': {
      const tuple = record.tuple;
      relation.ghosts?.delete(tuple.tid);
      forgetVersion(state, relation, tuple);
      tuple.xmax = 0;
      tuple.xmaxStrength = undefined;
      tuple.locksBeforeWrite = undefined;
      tuple.movedToPartition = undefined;
      heap.set(tuple.tid, tuple);
      addToIndexes(relation, tuple);
      relation.heapOutOfOrder = true;
      break;
    }
    case 'replace':
      heap.set(record.tuple.tid, record.tuple);
      replaceIndexEntries(relation, record.replacement, record.tuple);
      break;
    case 'replaceVersioned': {
      const tuple = record.tuple;
      heap.set(tuple.tid, tuple);
      replaceIndexEntries(relation, record.replacement, tuple);
      tuple.xmax = 0;
      tuple.xmaxStrength = undefined;
      tuple.locksBeforeWrite = undefined;
      forgetVersion(state, relation, tuple);
      break;
    }
    case 'truncateVersioned':
      for (const tuple of record.live) {
        heap.set(tuple.tid, tuple);
        addToIndexes(relation, tuple);
      }
      relation.ghosts = record.ghosts;
      relation.oldVersions = record.oldVersions;
      if (record.oldVersions !== null) state.shared.versionedRelations.add(relation);
      relation.heapOutOfOrder = true;
      break;
  }
  markWritten(state, relation);
}

/** Replaces a row in place (same tuple id), as an UPDATE that stays in its partition. */
export function replaceTuple(state: EngineState, relation: Relation, tuple: Tuple, row: Row): Tuple {
  const heap = relation.heap;
  if (heap === null || heap.get(tuple.tid) !== tuple) fail(`tuple ${tuple.tid} is not live in ${relation.name}`);
  checkUnique(state, relation, row, tuple.tid);
  if (state.versioning) return replaceVersioned(state, relation, tuple, row);
  const replacement: Tuple = { tid: tuple.tid, row, xmin: state.currentXid };
  heap.set(tuple.tid, replacement);
  replaceIndexEntries(relation, tuple, replacement);
  markWritten(state, relation);
  state.journal.record({ undo: 'replace', relation, heap, tuple, replacement });
  return replacement;
}

/**
 * An UPDATE while versioning: the new version goes into the heap and indexes as in a single
 * session; the old one stays reachable through `prior`, with `xmax` naming this transaction and the
 * row lock the update amounts to (NO KEY UPDATE unless a key column changed; semantics 3). A
 * version this transaction wrote itself is seen by no one else and is left out of the chain, but it
 * is still kept among the old versions until the transaction ends: its unique keys stay taken, so
 * another transaction writing one of them waits for this one (`uniqueWaitFor`), as PostgreSQL's
 * index entry for the dead version makes it wait (its dirty snapshot sees an inserter in progress).
 */
function replaceVersioned(state: EngineState, relation: Relation, tuple: Tuple, row: Row): Tuple {
  const heap = relation.heap!;
  const own = tuple.xmin === state.currentXid;
  const keyChange = keyColumnsChange(state, relation, tuple.row, row);
  const replacement: Tuple = {
    tid: tuple.tid,
    row,
    xmin: state.currentXid,
    xmax: 0,
    prior: own ? (tuple.prior ?? null) : tuple,
    locks: carriedLocks(state, tuple),
    // The own version left out of the chain took its key update with it: the replacement keeps it.
    ...(own && (keyChange || tuple.keyUpdatedFromPrior === true) ? { keyUpdatedFromPrior: true } : {}),
  };
  tuple.xmax = state.currentXid;
  // An update of a row this transaction locked FOR UPDATE keeps the stronger of the two
  // (compute_new_xmax_infomask: "acquire the strongest of both", then HEAP_KEYS_UPDATED): KEY SHARE
  // conflicts with it, also once it committed (seed 15, run 166).
  const lockedForUpdate = tuple.locks?.some((lock) => lock.xid === state.currentXid && lock.strength === 'Update');
  tuple.xmaxStrength = keyChange || lockedForUpdate === true ? 'Update' : 'NoKeyUpdate';
  tuple.locksBeforeWrite = tuple.locks?.length ?? 0;
  keepVersion(state, relation, tuple);
  heap.set(tuple.tid, replacement);
  replaceIndexEntries(relation, tuple, replacement);
  markWritten(state, relation);
  state.journal.record({ undo: 'replaceVersioned', relation, heap, tuple, replacement });
  return replacement;
}

/**
 * Moves a tuple's index and referencing-map entries from one row version to the next (same tuple
 * id). Each index and map is independent, so doing remove-then-add per structure ends in the same
 * state as removing from all and then adding to all. A key the UPDATE left unchanged is skipped:
 * removing and re-adding it would only reorder a Map or Set that nothing iterates in order (scans
 * sort what they probe by tuple id). An unchanged unique-index key is only re-pointed at the
 * new row version, which an index entry always names.
 */
function replaceIndexEntries(relation: Relation, from: Tuple, to: Tuple): void {
  for (const index of relation.indexes) {
    const entries = index.entries;
    if (entries === null) continue;
    const oldKey = indexKeyFor(index, from.row);
    const newKey = indexKeyFor(index, to.row);
    if (oldKey !== null && entries.get(oldKey)?.tid === from.tid) {
      if (oldKey === newKey) {
        entries.set(oldKey, to);
        continue;
      }
      entries.delete(oldKey);
    }
    if (newKey !== null) entries.set(newKey, to);
  }
  for (const constraint of relation.constraints) {
    if (constraint.kind !== 'foreignKey' || constraint.referencing === null) continue;
    if (keyOfRow(from.row, constraint.columns) === keyOfRow(to.row, constraint.columns)) continue;
    removeReference(constraint, from);
    addReference(constraint, to);
  }
}

/** A leaf's live tuples in tuple-id order (re-sorting the heap first if an undo disturbed it). */
export function liveTuples(relation: Relation): IterableIterator<Tuple> {
  const heap = relation.heap;
  if (heap === null) fail(`partitioned table ${relation.name} has no heap`);
  if (relation.heapOutOfOrder) {
    relation.heapOutOfOrder = false;
    const sorted = [...heap.values()].sort((left, right) => left.tid - right.tid);
    heap.clear();
    for (const tuple of sorted) heap.set(tuple.tid, tuple);
  }
  return heap.values();
}

/** Rebuilds a leaf's index and referencing-map storage from its heap (after DDL adds one). */
export function fillIndex(relation: Relation, index: IndexDefinition): void {
  assert(index.entries !== null, `index ${index.name} has no storage`);
  for (const tuple of liveTuples(relation)) {
    const key = indexKeyFor(index, tuple.row);
    if (key === null) continue;
    if (index.unique && index.entries.has(key)) {
      index.entries.clear();
      throw new PgError(SqlState.uniqueViolation, `could not create unique index "${index.name}"`, {
        detail: `Key (${index.columns.join(', ')})=(${formatValuesForDetail(valuesOf(tuple.row, index.columns))}) is duplicated.`,
        constraint: index.constraint?.name ?? index.name,
        table: relation.name,
      });
    }
    index.entries.set(key, tuple);
  }
}

/**
 * Re-points unique-index entries at new versions of the same tuples (same ids, same key values),
 * after DDL rewrote rows in place: an index entry always names the live tuple itself.
 */
export function repointIndexEntries(relation: Relation, tuples: Iterable<Tuple>): void {
  for (const tuple of tuples) {
    for (const index of relation.indexes) {
      if (index.entries === null) continue;
      const key = indexKeyFor(index, tuple.row);
      if (key !== null && index.entries.get(key)?.tid === tuple.tid) index.entries.set(key, tuple);
    }
  }
}
