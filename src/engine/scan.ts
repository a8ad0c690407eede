import { assert } from './assert.js';
import type { Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { equalityBindings, isSatisfiedAsFilter, referencedColumns } from './expression.js';
import type { Expr, OrderTerm, SubqueryExpr, SubqueryRunner } from './expression.js';
import { keyOfValues } from './keys.js';
import { partitionAccepts } from './rowConstraints.js';
import type { EngineState } from './session.js';
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

export function lookupRelation(state: EngineState, name: string): Relation {
  const relation = state.relations.get(name);
  if (relation === undefined) throw new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return relation;
}

export function checkColumnsExist(relation: Relation, columns: Iterable<string>): void {
  for (const column of columns) {
    if (relation.column(column) === undefined) throw new PgError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  }
}

/** Cross product of the bound values of `columns`, or null when an index cannot serve the scan. */
function probeKeys(columns: readonly string[], bindings: Map<string, SqlValue[]>): SqlValue[][] | null {
  let combinations: SqlValue[][] = [[]];
  for (const column of columns) {
    const values = bindings.get(column);
    if (values === undefined) return null;
    if (combinations.length * values.length > MAX_PROBE_KEYS) return null;
    combinations = combinations.flatMap((prefix) => values.map((value) => [...prefix, value]));
  }
  return combinations;
}

/**
 * Candidate tuples of one leaf, through a unique index or a foreign key's referencing map when
 * the WHERE clause binds all their columns by equality, else the whole heap. Candidates are
 * always re-checked against the full predicate, so the access path never changes a result.
 */
function candidates(relation: Relation, bindings: Map<string, SqlValue[]>): Iterable<Tuple> {
  const heap = relation.heap!;
  if (bindings.size > 0) {
    for (const index of relation.indexes) {
      if (index.entries === null || index.predicate !== null) continue;
      const keys = probeKeys(index.columns, bindings);
      if (keys === null) continue;
      const found: Tuple[] = [];
      for (const values of keys) {
        const key = keyOfValues(values);
        const tid = key === null ? undefined : index.entries.get(key);
        if (tid !== undefined) found.push(heap.get(tid)!);
      }
      return found.sort((left, right) => left.tid - right.tid);
    }
    for (const foreignKey of relation.foreignKeys()) {
      if (foreignKey.referencing === null) continue;
      const keys = probeKeys(foreignKey.columns, bindings);
      if (keys === null) continue;
      const found: Tuple[] = [];
      for (const values of keys) {
        const key = keyOfValues(values);
        const tids = key === null ? undefined : foreignKey.referencing.get(key);
        if (tids !== undefined) for (const tid of tids) found.push(heap.get(tid)!);
      }
      return found.sort((left, right) => left.tid - right.tid);
    }
  }
  return liveTuples(relation);
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


export function scanTuples(state: EngineState, relation: Relation, where: Expr | null, options: ScanOptions = {}): ScannedTuple[] {
  if (where !== null) checkColumnsExist(relation, referencedColumns(where));
  const bindings = equalityBindings(where, options.outerRow);
  const leaves = options.only ? (relation.isPartitioned ? [] : [relation]) : prunedLeaves(relation, bindings);
  const subqueries = subqueryRunner(state);
  const result: ScannedTuple[] = [];
  for (const leaf of leaves) {
    for (const tuple of candidates(leaf, bindings)) {
      const context = options.outerRow ? { row: tuple.row, outerRow: options.outerRow, subqueries } : { row: tuple.row, subqueries };
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

export function subqueryRunner(state: EngineState): SubqueryRunner {
  return {
    rows(query: SubqueryExpr, outerRow: Row): readonly Row[] {
      const relation = lookupRelation(state, query.table);
      const rows = scanTuples(state, relation, query.where, { outerRow }).map((scanned) => scanned.tuple.row);
      sortRows(rows, query.orderBy);
      assert(query.limit === null || query.limit >= 0, 'LIMIT must not be negative');
      return query.limit === null ? rows : rows.slice(0, query.limit);
    },
  };
}
