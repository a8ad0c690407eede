/**
 * Physical row storage: the heap of a leaf relation, its unique indexes and the per-foreign-key
 * referencing maps. Every write is journaled with its exact inverse. Unique conflicts are
 * detected before anything is written, so a failed write leaves storage untouched.
 */
import { assert, fail } from './assert.js';
import type { ForeignKeyConstraint, IndexDefinition, Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { isSatisfiedAsFilter } from './expression.js';
import { keyOfRow, valuesOf } from './keys.js';
import type { IndexKey } from './keys.js';
import { planFor } from './relationPlan.js';
import type { EngineState } from './session.js';
import { formatValuesForDetail } from './values.js';
import type { Row } from './values.js';

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
  for (const index of planFor(state, relation).uniqueIndexes) {
    if (conflictingTid(index, row, ignoreTid) !== undefined) throw uniqueViolation(index, relation, row);
  }
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
  state.dataVersion++;
  state.journal.record(() => {
    heap.delete(tuple.tid);
    removeFromIndexes(relation, tuple);
    state.dataVersion++;
  });
  return tuple;
}

export function deleteTuple(state: EngineState, relation: Relation, tuple: Tuple): void {
  const heap = relation.heap;
  if (heap === null || heap.get(tuple.tid) !== tuple) fail(`tuple ${tuple.tid} is not live in ${relation.name}`);
  heap.delete(tuple.tid);
  removeFromIndexes(relation, tuple);
  state.dataVersion++;
  state.journal.record(() => {
    heap.set(tuple.tid, tuple);
    addToIndexes(relation, tuple);
    relation.heapOutOfOrder = true;
    state.dataVersion++;
  });
}

/** Replaces a row in place (same tuple id), as an UPDATE that stays in its partition. */
export function replaceTuple(state: EngineState, relation: Relation, tuple: Tuple, row: Row): Tuple {
  const heap = relation.heap;
  if (heap === null || heap.get(tuple.tid) !== tuple) fail(`tuple ${tuple.tid} is not live in ${relation.name}`);
  checkUnique(state, relation, row, tuple.tid);
  const replacement: Tuple = { tid: tuple.tid, row, xmin: state.currentXid };
  heap.set(tuple.tid, replacement);
  replaceIndexEntries(relation, tuple, replacement);
  state.dataVersion++;
  state.journal.record(() => {
    heap.set(tuple.tid, tuple);
    replaceIndexEntries(relation, replacement, tuple);
    state.dataVersion++;
  });
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
