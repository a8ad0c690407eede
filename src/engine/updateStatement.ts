import type { AfterRowAction, TransitionRows } from './afterTriggerQueue.js';
import type { Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { assert, fail } from './assert.js';
import { evaluate, isExpr, isSatisfiedAsFilter } from './expression.js';
import { referencedUpdateCheckRequired, updateCheckRequired } from './foreignKeyRuntime.js';
import type { Expr } from './expression.js';
import { joinedRow, joinSource, targetOnlyCondition } from './fromItem.js';
import type { JoinSource } from './fromItem.js';
import { riTriggerName, planFor } from './relationPlan.js';
import { buildUpdatedRow, checkTargetColumns } from './rowBuilding.js';
import { checkRowConstraints, failingRowDetail, routeRow, satisfiesPartitionConstraint } from './rowConstraints.js';
import { scanTuples, subqueryRunner } from './scan.js';
import type { ScannedTuple } from './scan.js';
import { lockForUniqueWait, lockRow, rowWait } from './sessions/rowLocks.js';
import { replayable, Suspension } from './sessions/suspension.js';
import type { Resumable } from './sessions/suspension.js';
import type { EngineState } from './session.js';
import { claimKeysForUniqueWait, deleteTuple, insertTuple, keyColumnsChange, replaceTuple } from './storage.js';
import {
  fireBeforeRowTriggers,
  fireBeforeStatementResumable,
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

/**
 * While versioning: waits (through a `Suspension`) for a running transaction that holds one of the
 * row's unique keys, before the write that would conflict with it (semantics 5).
 */
export function waitForUniqueKeys(state: EngineState, relation: Relation, row: Row, ignoreTid: number): void {
  const xid = claimKeysForUniqueWait(state, relation, row, ignoreTid);
  if (xid !== null) throw new Suspension({ kind: 'transaction', xid });
}

/** The other rows a SET list may read: EXCLUDED in ON CONFLICT DO UPDATE, the FROM item's row in UPDATE … FROM. */
export interface AssignmentRows {
  readonly excludedRow?: Row;
  readonly fromRow?: Row;
}

export function evaluateAssignments(
  state: EngineState,
  assignments: Assignments,
  row: Row,
  others: AssignmentRows = {},
): Record<string, SqlValue> {
  const values: Record<string, SqlValue> = {};
  const context = { ...others, row, subqueries: subqueryRunner(state) };
  for (const [column, value] of Object.entries(assignments))
    values[column] = isExpr(value) ? evaluate(value, context) : value;
  return values;
}

/**
 * UPDATE: rows are chosen at statement start; a row already replaced or gone when reached is
 * skipped. With several sessions open, each row is first locked (NO KEY UPDATE, or UPDATE when a key
 * column changes), waiting for a running transaction that holds it, then re-checked if a committed
 * one changed it meanwhile (EvalPlanQual, semantics 4). With a FROM item (`UPDATE … FROM`, see
 * fromItem.ts) each target row is updated with the first FROM row it joins, and not at all when it
 * joins none.
 */
export function* executeUpdate(
  state: EngineState,
  target: Relation,
  assignments: Assignments,
  where: Expr | null,
  options: UpdateOptions,
  from: { readonly relation: Relation } | null = null,
): Resumable<Row[]> {
  if (!state.versioning) return executeUpdateNow(state, target, assignments, where, options, from);
  checkTargetColumns(target, Object.keys(assignments));
  yield* fireBeforeStatementResumable(state, target, 'update');
  const { transition, join, scanned } = updateScan(state, target, where, options, from);
  const updated: Row[] = [];
  for (const { relation, tuple } of scanned) {
    const fromRow = join === null ? undefined : joinedRow(state, join, where, tuple.row);
    if (fromRow === null) continue;
    const moves: MoveHolder = { move: null };
    let result = yield* replayable(state, () =>
      updateLockedRow(state, target, relation, tuple, assignments, where, transition, fromRow, moves),
    );
    const move = moves.move;
    if (move !== null) result = yield* replayable(state, () => insertMovedRow(state, move));
    if (result !== null) updated.push(result);
  }
  queueStatementEnd(state, target, 'update');
  return updated;
}

/**
 * `executeUpdate` with one session open (`EngineState.versioning` off), where nothing can wait: the
 * same steps without a generator (docs/statements.md, "One session runs without generators").
 */
export function executeUpdateNow(
  state: EngineState,
  target: Relation,
  assignments: Assignments,
  where: Expr | null,
  options: UpdateOptions,
  from: { readonly relation: Relation } | null = null,
): Row[] {
  assert(!state.versioning, 'an UPDATE runs without a generator only with one session open');
  checkTargetColumns(target, Object.keys(assignments));
  fireBeforeStatementTriggers(state, target, 'update');
  const { transition, join, scanned } = updateScan(state, target, where, options, from);
  const updated: Row[] = [];
  for (let position = 0; position < scanned.length; position++) {
    const { relation, tuple } = scanned[position]!;
    const fromRow = join === null ? undefined : joinedRow(state, join, where, tuple.row);
    if (fromRow === null || relation.heap!.get(tuple.tid) !== tuple) continue;
    const values = evaluateAssignments(state, assignments, tuple.row, fromRow === undefined ? {} : { fromRow });
    const result = updateRow(state, target, relation, tuple, buildUpdatedRow(relation, tuple.row, values), transition);
    if (result !== null) updated.push(result);
  }
  queueStatementEnd(state, target, 'update');
  return updated;
}

/**
 * An UPDATE's start once its BEFORE STATEMENT triggers have fired: its transition rows, the FROM
 * item read through the statement's snapshot once, and the target rows by their own conjuncts.
 */
function updateScan(
  state: EngineState,
  target: Relation,
  where: Expr | null,
  options: UpdateOptions,
  from: { readonly relation: Relation } | null,
): { readonly transition: TransitionRows | null; readonly join: JoinSource | null; readonly scanned: ScannedTuple[] } {
  const transition = transitionFor(state, target, 'update');
  const join = from === null ? null : joinSource(state, from.relation, where);
  const scanned = scanTuples(state, target, join === null ? where : targetOnlyCondition(where), {
    only: options.only ?? false,
  });
  return { transition, join, scanned };
}

/** Bound on EvalPlanQual re-checks of one row: each needs another transaction's commit. */
const MAX_RECHECKS = 10_000;

/**
 * One row of an UPDATE while several sessions are open: lock it (or wait: a `Suspension` the
 * enclosing segment turns into a wait), re-check a newer committed version against the WHERE
 * clause, then update the newest version.
 */
function updateLockedRow(
  state: EngineState,
  target: Relation,
  relation: Relation,
  seen: Tuple,
  assignments: Assignments,
  where: Expr | null,
  transition: TransitionRows | null,
  fromRow: Row | undefined,
  moves: MoveHolder,
): Row | null {
  // A pass that waited and runs again has not moved the row (the delete half ends the segment).
  moves.move = null;
  let current = seen;
  let rechecking = false;
  const others = fromRow === undefined ? {} : { fromRow };
  for (let rechecks = 0; ; rechecks++) {
    if (rechecks >= MAX_RECHECKS) fail(`row ${seen.tid} of ${relation.name} re-checked without end`);
    const proposed = buildUpdatedRow(
      relation,
      current.row,
      evaluateAssignments(state, assignments, current.row, others),
    );
    const triggered = planFor(state, relation).beforeRow.update.length > 0;
    // With a BEFORE UPDATE row trigger the row is locked first (GetTupleForTrigger, in
    // ExecUpdateLockMode's strength: by the columns assigned, not the values), and the lock stays
    // even if the trigger then skips the row (seed 14, run 9). Without one, the heap update itself
    // waits, after the row's checks, in the strength of what it changes.
    const strength = triggered
      ? setsKeyColumn(state, relation, assignments)
        ? 'Update'
        : 'NoKeyUpdate'
      : keyColumnsChange(state, relation, current.row, proposed)
        ? 'Update'
        : 'NoKeyUpdate';
    if (!triggered && !rechecking) checkBeforeHeapUpdate(state, target, relation, proposed);
    const outcome = lockRow(state, relation, current, strength, 'wait', triggered || rechecking);
    if (outcome.kind === 'skip') return null;
    if (outcome.kind === 'wait') throw new Suspension(rowWait(outcome));
    if (outcome.kind === 'recheck') {
      // EvalPlanQual: the newest version is locked first (table_tuple_lock with
      // TUPLE_LOCK_FLAG_FIND_LAST_VERSION), then the WHERE clause re-tested on it; a version that no
      // longer matches stays locked to the transaction's end (seed 14, run 274).
      current = outcome.tuple;
      rechecking = true;
      continue;
    }
    if (rechecking && !rowStillMatches(state, current, where, fromRow)) return null;
    return updateRow(state, target, relation, current, proposed, transition, moves);
  }
}

/**
 * EvalPlanQual's test of a newer version: the WHERE clause on it alone (with the FROM row it was
 * joined to, in UPDATE … FROM), sub-queries with the statement's snapshot.
 */
export function rowStillMatches(state: EngineState, tuple: Tuple, where: Expr | null, fromRow?: Row): boolean {
  const subqueries = subqueryRunner(state);
  return isSatisfiedAsFilter(
    where,
    fromRow === undefined ? { row: tuple.row, subqueries } : { row: tuple.row, fromRow, subqueries },
  );
}

/** Whether an UPDATE assigns a column of a non-partial unique index, whatever the value (ExecUpdateLockMode). */
function setsKeyColumn(state: EngineState, relation: Relation, assignments: Assignments): boolean {
  for (const index of planFor(state, relation).uniqueIndexes) {
    if (index.predicate !== null) continue;
    for (const column of index.columns) if (Object.hasOwn(assignments, column)) return true;
  }
  return false;
}

/**
 * One row of an UPDATE (also used by ON CONFLICT DO UPDATE): BEFORE UPDATE triggers, then either
 * an in-place update with the row's checks, or, when the new partition key leaves the partition
 * and the statement targets an ancestor, PostgreSQL's row movement (DELETE + INSERT).
 */
/**
 * ExecUpdateAct's checks before table_tuple_update, which is where a row held by another
 * transaction is waited for when no BEFORE UPDATE row trigger locked it first (GetTupleForTrigger):
 * a row that leaves its partition is moved (or refused), one that stays must pass its NOT NULL and
 * CHECK constraints, so those errors come without a wait. EvalPlanQual re-checks a newer version.
 */
function checkBeforeHeapUpdate(state: EngineState, target: Relation, relation: Relation, newRow: Row): 'move' | 'stay' {
  if (relation.parent !== null && !satisfiesPartitionConstraint(relation, newRow)) {
    if (target === relation || !target.isAncestorOrSelfOf(relation)) {
      throw new PgError(
        SqlState.checkViolation,
        `new row for relation "${relation.name}" violates partition constraint`,
        { detail: failingRowDetail(relation, newRow), table: relation.name },
      );
    }
    return 'move';
  }
  checkRowConstraints(state, relation, newRow, false);
  return 'stay';
}

/**
 * The insert half of a cross-partition UPDATE whose delete half is done: under a scheduler it runs
 * as a segment of its own (`executeUpdate`), because it may wait (a BEFORE INSERT trigger's
 * statement, the destination's unique check) and, run again after the wait, it must not meet its
 * own delete: the row is gone from its source partition by then, as on PostgreSQL, whose
 * ExecCrossPartitionUpdate has run ExecDelete before ExecInsert.
 */
export interface PendingMove {
  readonly target: Relation;
  readonly source: Relation;
  readonly tuple: Tuple;
  readonly newRow: Row;
  readonly transition: TransitionRows | null;
}

/** Where an UPDATE executor under a scheduler receives the insert half of a row move (see `PendingMove`). */
export interface MoveHolder {
  move: PendingMove | null;
}

export function updateRow(
  state: EngineState,
  target: Relation,
  relation: Relation,
  tuple: Tuple,
  proposed: Row,
  transition: TransitionRows | null,
  moves: MoveHolder | null = null,
): Row | null {
  const newRow = fireBeforeRowTriggers(state, relation, 'update', tuple.row, proposed);
  if (newRow === null) return null;
  if (checkBeforeHeapUpdate(state, target, relation, newRow) === 'move') {
    const move = deleteMovedRow(state, target, relation, tuple, newRow, transition);
    if (move === null) return null;
    if (moves === null) return insertMovedRow(state, move);
    moves.move = move;
    return null;
  }
  if (state.versioning) {
    const xid = claimKeysForUniqueWait(state, relation, newRow, tuple.tid);
    if (xid !== null) {
      lockForUniqueWait(state, tuple, keyColumnsChange(state, relation, tuple.row, newRow) ? 'Update' : 'NoKeyUpdate');
      throw new Suspension({ kind: 'transaction', xid });
    }
  }
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
 * an UPDATE needs its RI check (RI_FKey_fk_upd_check_required, called from AfterTriggerSaveEvent)
 * and its referenced side's action (RI_FKey_pk_upd_check_required: not when an old key value is
 * NULL or the key is unchanged); everything these decisions read (old and new row, old xmin, the
 * current transaction) is fixed by then, so dropping the event here is the same decision the
 * firing code would make later, minus an event per UPDATE that leaves a foreign key alone. It is
 * observable: an event of a deferred key stays pending to COMMIT, and a pending event makes ALTER
 * TABLE and the like fail with 55006 (seed 14, run 68). The shared plan array is returned as is
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
      (action.kind === 'riCheck' && !updateCheckRequired(state, action.foreignKey, tuple.row, tuple.xmin, newRow)) ||
      (action.kind === 'riAction' && !referencedUpdateCheckRequired(action.foreignKey, tuple.row, newRow));
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
 * key; keys that reference only the source partition see a DELETE. This is the delete half; null
 * when a BEFORE DELETE trigger skips the row.
 */
function deleteMovedRow(
  state: EngineState,
  target: Relation,
  relation: Relation,
  tuple: Tuple,
  newRow: Row,
  transition: TransitionRows | null,
): PendingMove | null {
  if (fireBeforeRowTriggers(state, relation, 'delete', tuple.row, null) === null) return null;
  deleteTuple(state, relation, tuple, true);
  const sourcePlan = planFor(state, relation);
  queueAfterRow(state, relation, 'DELETE', sourcePlan.afterRow.delete, tuple.row, tuple.xmin, null, -1, target);
  return { target, source: relation, tuple, newRow, transition };
}

/** The insert half of a row move (see `deleteMovedRow`): the new partition, its BEFORE INSERT triggers, the insert. */
export function insertMovedRow(state: EngineState, move: PendingMove): Row | null {
  const { target, source: relation, tuple, newRow, transition } = move;
  const sourcePlan = planFor(state, relation);
  const destination = routeRow(target, newRow);
  const inserted = fireBeforeRowTriggers(state, destination, 'insert', null, newRow);
  if (inserted === null) return null;
  checkRowConstraints(state, destination, inserted, planFor(state, destination).beforeRow.insert.length > 0);
  if (state.versioning) waitForUniqueKeys(state, destination, inserted, -1);
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
