import type { TransitionRows } from './afterTriggerQueue.js';
import { assert, fail } from './assert.js';
import type { Relation, Tuple } from './catalog.js';
import type { Expr } from './expression.js';
import { planFor } from './relationPlan.js';
import { scanTuples } from './scan.js';
import type { ScannedTuple } from './scan.js';
import type { EngineState } from './session.js';
import { lockRow, rowWait } from './sessions/rowLocks.js';
import { replayable, Suspension } from './sessions/suspension.js';
import type { Resumable } from './sessions/suspension.js';
import { deleteTuple } from './storage.js';
import {
  fireBeforeRowTriggers,
  fireBeforeStatementResumable,
  fireBeforeStatementTriggers,
  queueAfterRow,
  queueStatementEnd,
  transitionFor,
} from './triggerRuntime.js';
import { rowStillMatches } from './updateStatement.js';
import type { Row } from './values.js';

export interface DeleteOptions {
  /** `DELETE FROM ONLY t`: do not touch partitions. */
  readonly only?: boolean;
}

/**
 * DELETE: rows are chosen at statement start; a row already gone when reached is skipped. With
 * several sessions open, each row is first locked FOR UPDATE (waiting for a running holder) and a
 * version a committed transaction changed meanwhile is re-checked (EvalPlanQual, semantics 4).
 */
export function* executeDelete(
  state: EngineState,
  target: Relation,
  where: Expr | null,
  options: DeleteOptions,
  candidates?: readonly ScannedTuple[],
): Resumable<Row[]> {
  if (!state.versioning) return executeDeleteNow(state, target, where, options, candidates);
  yield* fireBeforeStatementResumable(state, target, 'delete');
  const transition = transitionFor(state, target, 'delete');
  const deleted: Row[] = [];
  for (const { relation, tuple } of candidates ?? deleteCandidates(state, target, where, options)) {
    const row = yield* replayable(state, () => deleteLockedRow(state, relation, tuple, where, transition));
    if (row !== null) deleted.push(row);
  }
  queueStatementEnd(state, target, 'delete');
  return deleted;
}

/**
 * `executeDelete` with one session open (`EngineState.versioning` off), where nothing can wait: the
 * same steps without a generator (docs/statements.md, "One session runs without generators").
 */
export function executeDeleteNow(
  state: EngineState,
  target: Relation,
  where: Expr | null,
  options: DeleteOptions,
  candidates?: readonly ScannedTuple[],
): Row[] {
  assert(!state.versioning, 'a DELETE runs without a generator only with one session open');
  fireBeforeStatementTriggers(state, target, 'delete');
  const transition = transitionFor(state, target, 'delete');
  const deleted: Row[] = [];
  const rows = candidates ?? deleteCandidates(state, target, where, options);
  for (let position = 0; position < rows.length; position++) {
    const { relation, tuple } = rows[position]!;
    const row = deleteRow(state, relation, tuple, transition);
    if (row !== null) deleted.push(row);
  }
  queueStatementEnd(state, target, 'delete');
  return deleted;
}

/** The rows a DELETE chooses at its start; a referential action passes those it found through the key's referencing maps instead. */
function deleteCandidates(
  state: EngineState,
  target: Relation,
  where: Expr | null,
  options: DeleteOptions,
): readonly ScannedTuple[] {
  return scanTuples(state, target, where, { only: options.only ?? false });
}

function deleteRow(
  state: EngineState,
  relation: Relation,
  tuple: Tuple,
  transition: TransitionRows | null,
): Row | null {
  if (relation.heap!.get(tuple.tid) !== tuple) return null;
  if (fireBeforeRowTriggers(state, relation, 'delete', tuple.row, null) === null) return null;
  if (relation.heap!.get(tuple.tid) !== tuple) return null;
  deleteTuple(state, relation, tuple);
  queueAfterRow(state, relation, 'DELETE', planFor(state, relation).afterRow.delete, tuple.row, tuple.xmin, null, -1);
  transition?.oldRows.push(tuple.row);
  return tuple.row;
}

/** Bound on EvalPlanQual re-checks of one row: each needs another transaction's commit. */
const MAX_RECHECKS = 10_000;

/** One row of a DELETE while several sessions are open: lock it FOR UPDATE (or wait), re-check, delete. */
function deleteLockedRow(
  state: EngineState,
  relation: Relation,
  seen: Tuple,
  where: Expr | null,
  transition: TransitionRows | null,
): Row | null {
  let current = seen;
  let rechecking = false;
  for (let rechecks = 0; ; rechecks++) {
    if (rechecks >= MAX_RECHECKS) fail(`row ${seen.tid} of ${relation.name} re-checked without end`);
    // A BEFORE DELETE row trigger locks the row first (GetTupleForTrigger), and the lock stays even
    // if the trigger skips the row; without one, the heap delete is the lock.
    const triggered = planFor(state, relation).beforeRow.delete.length > 0;
    const outcome = lockRow(state, relation, current, 'Update', 'wait', triggered || rechecking);
    if (outcome.kind === 'skip') return null;
    if (outcome.kind === 'wait') throw new Suspension(rowWait(outcome));
    if (outcome.kind === 'locked')
      return rechecking && !rowStillMatches(state, current, where)
        ? null
        : deleteRow(state, relation, current, transition);
    // EvalPlanQual locks the newest version first, then re-tests the WHERE clause on it; a version
    // that no longer matches stays locked.
    current = outcome.tuple;
    rechecking = true;
  }
}
