import type { AfterRowAction, TransitionRows } from './afterTriggerQueue.js';
import type { Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { evaluate, isExpr } from './expression.js';
import { updateCheckRequired } from './foreignKeyRuntime.js';
import type { Expr } from './expression.js';
import { riTriggerName, planFor } from './relationPlan.js';
import { buildUpdatedRow, checkTargetColumns } from './rowBuilding.js';
import { checkRowConstraints, failingRowDetail, routeRow, satisfiesPartitionConstraint } from './rowConstraints.js';
import { scanTuples, subqueryRunner } from './scan.js';
import type { EngineState } from './session.js';
import { deleteTuple, insertTuple, replaceTuple } from './storage.js';
import {
  fireBeforeRowTriggers,
  fireBeforeStatementTriggers,
  queueAfterRow,
  queueStatementEnd,
  transitionFor,
} from './triggerRuntime.js';
import type { Row, SqlValue } from './values.js';

export type Assignments = Readonly<Record<string, Expr | SqlValue>>;

export interface UpdateOptions {
  readonly only?: boolean;
}

export function evaluateAssignments(
  state: EngineState,
  assignments: Assignments,
  row: Row,
  excludedRow?: Row,
): Record<string, SqlValue> {
  const values: Record<string, SqlValue> = {};
  const subqueries = subqueryRunner(state);
  for (const [column, value] of Object.entries(assignments)) {
    values[column] = isExpr(value)
      ? evaluate(value, excludedRow ? { row, excludedRow, subqueries } : { row, subqueries })
      : value;
  }
  return values;
}

/** UPDATE: rows are chosen at statement start; a row already replaced or gone when reached is skipped. */
export function executeUpdate(
  state: EngineState,
  target: Relation,
  assignments: Assignments,
  where: Expr | null,
  options: UpdateOptions,
): Row[] {
  checkTargetColumns(target, Object.keys(assignments));
  fireBeforeStatementTriggers(state, target, 'update');
  const transition = transitionFor(state, target, 'update');
  const updated: Row[] = [];
  for (const { relation, tuple } of scanTuples(state, target, where, { only: options.only ?? false })) {
    if (relation.heap!.get(tuple.tid) !== tuple) continue;
    const proposed = buildUpdatedRow(relation, tuple.row, evaluateAssignments(state, assignments, tuple.row));
    const result = updateRow(state, target, relation, tuple, proposed, transition);
    if (result !== null) updated.push(result);
  }
  queueStatementEnd(state, target, 'update');
  return updated;
}

/**
 * One row of an UPDATE (also used by ON CONFLICT DO UPDATE): BEFORE UPDATE triggers, then either
 * an in-place update with the row's checks, or, when the new partition key leaves the partition
 * and the statement targets an ancestor, PostgreSQL's row movement (DELETE + INSERT).
 */
export function updateRow(
  state: EngineState,
  target: Relation,
  relation: Relation,
  tuple: Tuple,
  proposed: Row,
  transition: TransitionRows | null,
): Row | null {
  const newRow = fireBeforeRowTriggers(state, relation, 'update', tuple.row, proposed);
  if (newRow === null) return null;
  if (relation.parent !== null && !satisfiesPartitionConstraint(relation, newRow)) {
    if (target === relation || !target.isAncestorOrSelfOf(relation)) {
      throw new PgError(
        SqlState.checkViolation,
        `new row for relation "${relation.name}" violates partition constraint`,
        { detail: failingRowDetail(relation, newRow), table: relation.name },
      );
    }
    return moveRow(state, target, relation, tuple, newRow, transition);
  }
  checkRowConstraints(state, relation, newRow, false);
  const replacement = replaceTuple(state, relation, tuple, newRow);
  queueAfterRow(
    state,
    relation,
    'UPDATE',
    requiredUpdateActions(state, planFor(state, relation).afterRow.update, tuple, newRow),
    tuple.row,
    tuple.xmin,
    newRow,
    replacement.tid,
  );
  if (transition) {
    transition.oldRows.push(tuple.row);
    transition.newRows.push(newRow);
  }
  return newRow;
}

/**
 * The AFTER UPDATE actions worth queueing for one row. PostgreSQL decides at queue time whether
 * an UPDATE needs its RI check (RI_FKey_fk_upd_check_required, called from AfterTriggerSaveEvent);
 * everything that decision reads (old and new row, old xmin, the current transaction) is fixed by
 * then, so dropping the check here is the same decision the firing code would make later, minus
 * an event per UPDATE that leaves a foreign key alone. The shared plan array is returned as is
 * when nothing is dropped.
 */
function requiredUpdateActions(
  state: EngineState,
  actions: readonly AfterRowAction[],
  tuple: Tuple,
  newRow: Row,
): readonly AfterRowAction[] {
  let required: AfterRowAction[] | null = null;
  for (let position = 0; position < actions.length; position++) {
    const action = actions[position]!;
    const skip =
      action.kind === 'riCheck' && !updateCheckRequired(state, action.foreignKey, tuple.row, tuple.xmin, newRow);
    if (skip && required === null) required = actions.slice(0, position);
    else if (!skip && required !== null) required.push(action);
  }
  return required ?? actions;
}

/**
 * ExecCrossPartitionUpdateForeignKey: the move is one UPDATE of the key only for keys that
 * reference the UPDATE's target; a key declared on an ancestor between the source partition and
 * the target would see a DELETE and an INSERT instead, so PostgreSQL refuses the move.
 */
function refuseMoveUnderReferencedAncestor(state: EngineState, target: Relation, source: Relation): void {
  for (let ancestor = source.parent; ancestor !== null && ancestor !== target; ancestor = ancestor.parent) {
    for (const relation of state.relations.values()) {
      if (
        !relation
          .foreignKeys()
          .some((foreignKey) => foreignKey.parent === null && foreignKey.referencedRelation === ancestor)
      )
        continue;
      throw new PgError(
        SqlState.featureNotSupported,
        'cannot move tuple across partitions when a non-root ancestor of the source partition is directly referenced in a foreign key',
        {
          detail: `A foreign key points to ancestor "${ancestor.name}" but not the root ancestor "${target.name}".`,
        },
      );
    }
  }
}

/**
 * Cross-partition UPDATE, as PostgreSQL 15+: BEFORE DELETE triggers on the source, the delete,
 * BEFORE INSERT triggers on the destination, the insert; AFTER DELETE and AFTER INSERT fire
 * (not AFTER UPDATE). Foreign keys that reference the UPDATE's target see one UPDATE of the
 * key; keys that reference only the source partition see a DELETE.
 */
function moveRow(
  state: EngineState,
  target: Relation,
  relation: Relation,
  tuple: Tuple,
  newRow: Row,
  transition: TransitionRows | null,
): Row | null {
  if (fireBeforeRowTriggers(state, relation, 'delete', tuple.row, null) === null) return null;
  const sourcePlan = planFor(state, relation);
  deleteTuple(state, relation, tuple);
  queueAfterRow(state, relation, 'DELETE', sourcePlan.afterRow.delete, tuple.row, tuple.xmin, null, -1, target);
  const destination = routeRow(target, newRow);
  const inserted = fireBeforeRowTriggers(state, destination, 'insert', null, newRow);
  if (inserted === null) return null;
  checkRowConstraints(state, destination, inserted, planFor(state, destination).beforeRow.insert.length > 0);
  const replacement = insertTuple(state, destination, inserted);
  queueAfterRow(
    state,
    destination,
    'INSERT',
    planFor(state, destination).afterRow.insert,
    null,
    0,
    inserted,
    replacement.tid,
    target,
  );
  refuseMoveUnderReferencedAncestor(state, target, relation);
  const keyUpdates: AfterRowAction[] = sourcePlan.referencedBy
    .filter((foreignKey) => foreignKey.referencedRelation.isAncestorOrSelfOf(target))
    .map((foreignKey) => ({ kind: 'riAction', name: riTriggerName('a', foreignKey), foreignKey }));
  queueAfterRow(state, relation, 'UPDATE', keyUpdates, tuple.row, tuple.xmin, inserted, replacement.tid, target);
  if (transition) {
    transition.oldRows.push(tuple.row);
    transition.newRows.push(inserted);
  }
  return inserted;
}
