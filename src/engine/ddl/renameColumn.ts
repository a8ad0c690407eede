/**
 * ALTER TABLE … RENAME COLUMN … TO …, as PostgreSQL's renameatt: on a partitioned table the
 * column is renamed in every partition too, a partition cannot rename a column it inherits, and
 * constraints, indexes and triggers keep working on the renamed column. PostgreSQL refers to
 * columns by attribute number, so for it the rename is a catalog edit; the engine refers to them
 * by name, so it rewrites the stored rows, the column lists and the stored expressions.
 */
import { assert, MAX_LOOP_ITERATIONS } from '../assert.js';
import { frozenList, oneColumnList } from '../catalog.js';
import type { Relation, Tuple } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { renameColumnInExpr } from '../exprRename.js';
import { truncateIdentifier } from '../identifier.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { liveTuples, markWritten } from '../storage.js';
import type { Row } from '../values.js';
import { setField } from './catalogEdits.js';
import { replaceNotNull } from './notNullDdl.js';

/** PostgreSQL's system columns: no user column may take their names (check_for_column_name_collision). */
const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(['tableoid', 'cmax', 'xmax', 'cmin', 'xmin', 'ctid']);

/** Every partition under `relation`, breadth first, as find_all_inheritors lists them (the relation itself excluded). */
function descendants(relation: Relation): Relation[] {
  const found: Relation[] = [];
  const queue = [...relation.partitions];
  for (let index = 0; index < queue.length; index++) {
    assert(index < MAX_LOOP_ITERATIONS, 'partition tree exceeded its bound');
    const current = queue[index]!;
    found.push(current);
    queue.push(...current.partitions);
  }
  return found;
}

function checkRename(relation: Relation, from: string, to: string, recursing: boolean): void {
  if (relation.column(from) === undefined)
    throw new PgError(SqlState.undefinedColumn, `column "${from}" does not exist`);
  if (!recursing && relation.parent !== null)
    throw new PgError(SqlState.invalidTableDefinition, `cannot rename inherited column "${from}"`);
  if (SYSTEM_COLUMNS.has(to))
    throw new PgError(SqlState.duplicateColumn, `column name "${to}" conflicts with a system column name`);
  if (relation.column(to) !== undefined)
    throw new PgError(SqlState.duplicateColumn, `column "${to}" of relation "${relation.name}" already exists`);
}

/** The row with `from` renamed to `to`, keeping the column order. */
function renameKey(row: Row, from: string, to: string): Row {
  const renamed: Record<string, Row[string]> = {};
  for (const [key, value] of Object.entries(row)) renamed[key === from ? to : key] = value;
  return Object.freeze(renamed);
}

/**
 * Gives every stored row of a leaf the new column name, journaled. Index entries are re-pointed
 * from each old tuple to its replacement directly, never by recomputing keys: mid-rename (and
 * mid-undo) the rows and the catalog name the column differently, and the key values do not change.
 */
function renameInHeap(state: EngineState, relation: Relation, from: string, to: string): void {
  const heap = relation.heap;
  assert(heap !== null, 'only leaves hold rows');
  const forward = new Map<Tuple, Tuple>();
  for (const tuple of liveTuples(relation)) forward.set(tuple, { ...tuple, row: renameKey(tuple.row, from, to) });
  const backward = new Map<Tuple, Tuple>([...forward].map(([original, renamed]) => [renamed, original]));
  const apply = (mapping: ReadonlyMap<Tuple, Tuple>): void => {
    for (const [current, replacement] of mapping) heap.set(current.tid, replacement);
    for (const index of relation.indexes) {
      if (index.entries === null) continue;
      for (const [key, tuple] of index.entries) {
        const replacement = mapping.get(tuple);
        if (replacement !== undefined) index.entries.set(key, replacement);
      }
    }
    markWritten(state, relation);
  };
  apply(forward);
  state.journal.record(() => apply(backward));
}

const renameIn = (columns: readonly string[], from: string, to: string): readonly string[] =>
  columns.includes(from) ? frozenList(columns.map((column) => (column === from ? to : column))) : columns;

function renameInRelation(state: EngineState, relation: Relation, from: string, to: string): void {
  setField(
    state,
    relation,
    'columns',
    relation.columns.map((column) => (column.name === from ? { ...column, name: to } : column)),
  );
  if (relation.partitionKey === from) setField(state, relation, 'partitionKey', to);
  if (relation.heap !== null) renameInHeap(state, relation, from, to);
  for (const constraint of [...relation.constraints]) {
    if (constraint.kind === 'check') setField(state, constraint, 'expr', renameColumnInExpr(constraint.expr, from, to));
    else if (constraint.kind === 'notNull') {
      if (constraint.columns[0] === from) replaceNotNull(state, relation, constraint, { columns: oneColumnList(to) });
    } else setField(state, constraint, 'columns', renameIn(constraint.columns, from, to));
  }
  for (const index of relation.indexes) {
    setField(state, index, 'columns', renameIn(index.columns, from, to));
    if (index.predicate !== null) setField(state, index, 'predicate', renameColumnInExpr(index.predicate, from, to));
  }
  for (const trigger of relation.triggers) {
    if (trigger.when !== null) setField(state, trigger, 'when', renameColumnInExpr(trigger.when, from, to));
    if (trigger.updateOf !== null) setField(state, trigger, 'updateOf', renameIn(trigger.updateOf, from, to));
  }
  for (const sequence of state.sequences.values())
    if (sequence.ownedBy?.relation === relation && sequence.ownedBy.column === from)
      setField(state, sequence, 'ownedBy', { relation, column: to });
}

export function renameColumn(state: EngineState, table: string, rawFrom: string, rawTo: string): void {
  const from = truncateIdentifier(rawFrom);
  const to = truncateIdentifier(rawTo);
  const relation = lookupRelation(state, table);
  // renameatt_internal renames in the partitions first, then in the table named.
  const tree = [...descendants(relation), relation];
  for (const current of tree) checkRename(current, from, to, current !== relation);
  for (const current of tree) renameInRelation(state, current, from, to);
  const inTree = new Set(tree);
  // Foreign keys anywhere that reference the renamed column keep referencing it.
  for (const other of state.relations.values())
    for (const foreignKey of other.foreignKeys())
      if (inTree.has(foreignKey.referencedRelation))
        setField(state, foreignKey, 'referencedColumns', renameIn(foreignKey.referencedColumns, from, to));
}
