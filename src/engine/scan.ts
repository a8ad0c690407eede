import { truncateIdentifier } from './identifier.js';
import { assert } from './assert.js';
import type { Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { equalityBindings, isSatisfiedAsFilter, referencedColumns } from './expression.js';
import type { EvaluationContext, Expr, OrderTerm, SubqueryExpr, SubqueryRunner } from './expression.js';
import { keyOfValues } from './keys.js';
import type { IndexKey } from './keys.js';
import { partitionAccepts } from './rowConstraints.js';
import type { EngineState } from './session.js';
import { newestVersion, visibleTuples, visibleVersion } from './sessions/snapshot.js';
import type { Snapshot } from './sessions/snapshot.js';
import { liveTuples } from './storage.js';
import { compareValues } from './values.js';
import type { Row, SqlValue } from './values.js';

export interface ScannedTuple {
  readonly relation: Relation;
  readonly tuple: Tuple;
}

export interface ScanOptions {
  /** `ONLY table`: do not descend into partitions. */
  readonly only?: boolean;
  readonly outerRow?: Row;
}

const MAX_PROBE_KEYS = 4096;

export function lookupRelation(state: EngineState, rawName: string): Relation {
  const name = truncateIdentifier(rawName);
  const relation = state.relations.get(name);
  if (relation === undefined) throw new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return relation;
}

export function checkColumnsExist(relation: Relation, columns: Iterable<string>): void {
  for (const column of columns) {
    if (relation.column(column) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  }
}

/** Cross product of the bound values of `columns`, or null when an index cannot serve the scan. */
function probeKeys(columns: readonly string[], bindings: Map<string, SqlValue[]>): SqlValue[][] | null {
  let combinations: SqlValue[][] = [[]];
  for (const column of columns) {
    const values = bindings.get(column);
    if (values === undefined) return null;
    if (combinations.length * values.length > MAX_PROBE_KEYS) return null;
    const next: SqlValue[][] = [];
    for (const prefix of combinations) for (const value of values) next.push([...prefix, value]);
    combinations = next;
  }
  return combinations;
}

/**
 * The single key a one-column access path is probed with, `undefined` when the column is not
 * bound to exactly one value (the general cross product handles that), or null for a NULL
 * value, which no key holds. This is the common `WHERE id = $1` and it allocates nothing.
 */
function singleProbeKey(columns: readonly string[], bindings: Map<string, SqlValue[]>): IndexKey | null | undefined {
  if (columns.length !== 1) return undefined;
  const values = bindings.get(columns[0]!);
  if (values === undefined || values.length !== 1) return undefined;
  return values[0]!;
}

const byTid = (left: Tuple, right: Tuple): number => left.tid - right.tid;

/** Looks the probe keys up in a unique index; tuples come back in tuple-id order, as a heap scan gives them. */
function probeUniqueIndex(
  entries: Map<IndexKey, Tuple>,
  columns: readonly string[],
  bindings: Map<string, SqlValue[]>,
): Tuple[] | null {
  const single = singleProbeKey(columns, bindings);
  if (single !== undefined) {
    const tuple = single === null ? undefined : entries.get(single);
    return tuple === undefined ? [] : [tuple];
  }
  const keys = probeKeys(columns, bindings);
  if (keys === null) return null;
  const found: Tuple[] = [];
  for (const values of keys) {
    const key = keyOfValues(values);
    const tuple = key === null ? undefined : entries.get(key);
    if (tuple !== undefined) found.push(tuple);
  }
  return found.length > 1 ? found.sort(byTid) : found;
}

/** Looks the probe keys up in a foreign key's referencing map, in tuple-id order. */
function probeReferencing(
  heap: Map<number, Tuple>,
  referencing: Map<IndexKey, Set<number>>,
  columns: readonly string[],
  bindings: Map<string, SqlValue[]>,
): Tuple[] | null {
  const single = singleProbeKey(columns, bindings);
  let keys: (IndexKey | null)[];
  if (single !== undefined) keys = [single];
  else {
    const combinations = probeKeys(columns, bindings);
    if (combinations === null) return null;
    keys = combinations.map(keyOfValues);
  }
  const found: Tuple[] = [];
  for (const key of keys) {
    const tids = key === null ? undefined : referencing.get(key);
    if (tids !== undefined) for (const tid of tids) found.push(heap.get(tid)!);
  }
  return found.length > 1 ? found.sort(byTid) : found;
}

/**
 * The newest versions of one leaf's tuples that a unique index or a foreign key's referencing map
 * finds when the WHERE clause binds all their columns by equality, in tuple-id order; null when no
 * index serves the clause.
 */
function probedTuples(relation: Relation, bindings: Map<string, SqlValue[]>): Tuple[] | null {
  if (bindings.size === 0) return null;
  for (const index of relation.indexes) {
    if (index.entries === null || index.predicate !== null) continue;
    const found = probeUniqueIndex(index.entries, index.columns, bindings);
    if (found !== null) return found;
  }
  // The constraints themselves, not relation.foreignKeys(): no array is built per scan.
  for (const constraint of relation.constraints) {
    if (constraint.kind !== 'foreignKey' || constraint.referencing === null) continue;
    const found = probeReferencing(relation.heap!, constraint.referencing, constraint.columns, bindings);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Candidate tuples of one leaf, through a unique index or a foreign key's referencing map when
 * the WHERE clause binds all their columns by equality, else the whole heap. Candidates are
 * always re-checked against the full predicate, so the access path never changes a result.
 */
function candidates(relation: Relation, bindings: Map<string, SqlValue[]>): Iterable<Tuple> {
  return probedTuples(relation, bindings) ?? liveTuples(relation);
}

/**
 * The versions `snapshot` sees of one leaf's candidate tuples, in tuple-id order. Indexes and
 * referencing maps hold newest versions only, so a probe finds every tuple whose newest version
 * has the key; a tuple seen through an older version (replaced, or deleted and kept as a ghost) is
 * among the relation's old versions, which are few (pruned at every transaction end) and are all
 * added as candidates. Without an index that serves the clause, the whole heap is read.
 */
function visibleCandidates(
  relation: Relation,
  bindings: Map<string, SqlValue[]>,
  snapshot: Snapshot,
  own: number,
): Tuple[] {
  const probed = probedTuples(relation, bindings);
  if (probed === null) return visibleTuples(relation, snapshot, own);
  const visible: Tuple[] = [];
  if (relation.oldVersions === null) {
    for (const tuple of probed) {
      const version = visibleVersion(snapshot, own, tuple);
      if (version !== null) visible.push(version);
    }
    return visible;
  }
  const tids = new Set<number>();
  for (const tuple of probed) tids.add(tuple.tid);
  for (const version of relation.oldVersions) tids.add(version.tid);
  for (const tid of [...tids].sort((left, right) => left - right)) {
    const newest = newestVersion(relation, tid);
    const version = newest === undefined ? null : visibleVersion(snapshot, own, newest);
    if (version !== null) visible.push(version);
  }
  return visible;
}

/** Partition pruning: skip leaves whose bounds exclude an equality-bound partition key. */
function prunedLeaves(relation: Relation, bindings: Map<string, SqlValue[]>): Relation[] {
  const leaves = relation.leaves();
  if (!relation.isPartitioned || bindings.size === 0) return leaves;
  return leaves.filter((leaf) => {
    for (let current: Relation = leaf; current !== relation && current.parent !== null; current = current.parent) {
      const values = bindings.get(current.parent.partitionKey!);
      if (values === undefined) continue;
      if (!values.some((value) => partitionAccepts(current, value))) return false;
    }
    return true;
  });
}

/**
 * The most common predicate, `column = literal` on a leaf whose unique index covers exactly that
 * column (every lookup by primary key), answered by one probe. The probe is exact for a
 * non-NULL literal, so re-evaluating the predicate would add nothing; anything else returns
 * undefined and takes the general path.
 */
function probeByUniqueColumn(relation: Relation, where: Expr, options: ScanOptions): ScannedTuple[] | undefined {
  if (where.kind !== 'compare' || where.op !== '=' || relation.heap === null || options.outerRow !== undefined)
    return undefined;
  const [column, literal] =
    where.left.kind === 'column' && where.right.kind === 'literal'
      ? [where.left, where.right]
      : where.right.kind === 'column' && where.left.kind === 'literal'
        ? [where.right, where.left]
        : [null, null];
  if (column === null || literal === null || literal.value === null || relation.column(column.name) === undefined)
    return undefined;
  for (const index of relation.indexes) {
    if (
      index.entries === null ||
      index.predicate !== null ||
      index.columns.length !== 1 ||
      index.columns[0] !== column.name
    )
      continue;
    const tuple = index.entries.get(literal.value);
    return tuple === undefined ? [] : [{ relation, tuple }];
  }
  return undefined;
}

export function scanTuples(
  state: EngineState,
  relation: Relation,
  where: Expr | null,
  options: ScanOptions = {},
): ScannedTuple[] {
  if (state.snapshot !== null) return snapshotScan(state, state.snapshot, relation, where, options);
  if (where !== null && !options.only) {
    const probed = probeByUniqueColumn(relation, where, options);
    if (probed !== undefined) return probed;
  }
  if (where !== null) checkColumnsExist(relation, referencedColumns(where));
  const bindings = equalityBindings(where, options.outerRow);
  const leaves = options.only ? (relation.isPartitioned ? [] : [relation]) : prunedLeaves(relation, bindings);
  const context = scanContext(state, options);
  const result: ScannedTuple[] = [];
  for (const leaf of leaves) {
    for (const tuple of candidates(leaf, bindings)) {
      context.row = tuple.row;
      if (isSatisfiedAsFilter(where, context)) result.push({ relation: leaf, tuple });
    }
  }
  return result;
}

/** What a scan's filter is evaluated with, one row after another. */
interface ScanContext extends EvaluationContext {
  row: Row;
}

const NO_ROW: Row = Object.freeze({});

/**
 * One evaluation context for a whole scan, its row replaced tuple by tuple, rather than an object
 * per tuple: evaluation reads the context and never keeps it (a sub-query is handed the row).
 */
function scanContext(state: EngineState, options: ScanOptions): ScanContext {
  const subqueries = subqueryRunner(state);
  return options.outerRow ? { row: NO_ROW, outerRow: options.outerRow, subqueries } : { row: NO_ROW, subqueries };
}

/**
 * A scan through a snapshot (several sessions open): every version the snapshot sees, leaf by leaf
 * in tuple-id order, filtered by the predicate, through an index where the clause allows one
 * (`visibleCandidates`).
 */
function snapshotScan(
  state: EngineState,
  snapshot: Snapshot,
  relation: Relation,
  where: Expr | null,
  options: ScanOptions,
): ScannedTuple[] {
  if (where !== null) checkColumnsExist(relation, referencedColumns(where));
  const bindings = equalityBindings(where, options.outerRow);
  const leaves = options.only ? (relation.isPartitioned ? [] : [relation]) : prunedLeaves(relation, bindings);
  const context = scanContext(state, options);
  const result: ScannedTuple[] = [];
  for (const leaf of leaves) {
    for (const tuple of visibleCandidates(leaf, bindings, snapshot, state.currentXid)) {
      context.row = tuple.row;
      if (isSatisfiedAsFilter(where, context)) result.push({ relation: leaf, tuple });
    }
  }
  return result;
}

export function sortRows(rows: Row[], orderBy: readonly OrderTerm[]): Row[] {
  if (orderBy.length === 0) return rows;
  return rows.sort((left, right) => {
    for (const term of orderBy) {
      const order = compareValues(left[term.column] ?? null, right[term.column] ?? null);
      if (order !== 0) return term.direction === 'asc' ? order : -order;
    }
    return 0;
  });
}

/** The session's sub-query runner, created on first use: it only closes over the session. */
export function subqueryRunner(state: EngineState): SubqueryRunner {
  state.subqueries ??= createSubqueryRunner(state);
  return state.subqueries;
}

function createSubqueryRunner(state: EngineState): SubqueryRunner {
  return {
    rows(query: SubqueryExpr, outerRow: Row, limit: number | null = query.limit): readonly Row[] {
      const relation = lookupRelation(state, query.table);
      const rows = scanTuples(state, relation, query.where, { outerRow }).map((scanned) => scanned.tuple.row);
      sortRows(rows, query.orderBy);
      assert(limit === null || limit >= 0, 'LIMIT must not be negative');
      return limit === null ? rows : rows.slice(0, limit);
    },
  };
}
