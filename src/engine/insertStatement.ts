import { assert, fail } from './assert.js';
import { truncateIdentifier } from './identifier.js';
import type { TransitionRows } from './afterTriggerQueue.js';
import type { IndexDefinition, KeyConstraint, Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { renderExpr } from './expression.js';
import type { Expr } from './expression.js';
import { sameColumnSet } from './foreignKeyRuntime.js';
import { planFor } from './relationPlan.js';
import { buildInsertedRow, buildUpdatedRow } from './rowBuilding.js';
import type { RowInput } from './rowBuilding.js';
import { checkRowConstraints, routeRow, satisfiesPartitionConstraint } from './rowConstraints.js';
import type { EngineState } from './session.js';
import { lockRow, rowWait } from './sessions/rowLocks.js';
import { xidVisible } from './sessions/snapshot.js';
import { replayable, Suspension } from './sessions/suspension.js';
import type { LockWait, Resumable } from './sessions/suspension.js';
import { conflictingTid, insertTuple, keyColumnsChange, uniqueWaitFor } from './storage.js';
import {
  fireBeforeRowTriggers,
  fireBeforeStatementResumable,
  fireBeforeStatementTriggers,
  queueAfterRow,
  queueStatementEnd,
  transitionFor,
} from './triggerRuntime.js';
import { evaluateAssignments, updateRow, waitForUniqueKeys } from './updateStatement.js';
import type { Assignments } from './updateStatement.js';
import type { Row } from './values.js';

export interface OnConflict {
  /** Conflict target: key columns (`ON CONFLICT (a, b)`) or a constraint name (`ON CONFLICT ON CONSTRAINT c`); omitted means any unique index (DO NOTHING only). */
  readonly target?: readonly string[] | { readonly constraint: string };
  /**
   * `ON CONFLICT (cols) WHERE predicate`: the index predicate of the inference clause. Without
   * it only non-partial unique indexes can be arbiters; with it, a partial index qualifies when
   * the predicate implies the index's own (see `predicateImplied`).
   */
  readonly targetWhere?: Expr;
  /** `'nothing'`, or the SET list of DO UPDATE; `excluded(col)` reads the proposed row. */
  readonly action: 'nothing' | { readonly update: Assignments };
}

export interface InsertOptions {
  readonly onConflict?: OnConflict;
}

function constraintRoot(constraint: KeyConstraint): KeyConstraint {
  let current = constraint;
  while (current.parent !== null) current = current.parent;
  return current;
}

function conjuncts(expr: Expr): string[] {
  return expr.kind === 'and' ? expr.operands.flatMap(conjuncts) : [renderExpr(expr)];
}

/**
 * Whether the inference clause's WHERE implies a partial index's predicate. PostgreSQL runs its
 * full predicate prover here; this covers what inference clauses are written as in practice:
 * every conjunct of the index predicate appears among the clause's conjuncts (so a stronger
 * clause such as `tok IS NOT NULL AND id > 0` still infers an index `WHERE tok IS NOT NULL`).
 */
function predicateImplied(indexPredicate: Expr | null, where: Expr | undefined): boolean {
  if (indexPredicate === null) return true;
  if (where === undefined) return false;
  const given = new Set(conjuncts(where));
  return conjuncts(indexPredicate).every((conjunct) => given.has(conjunct));
}

/** ON CONFLICT (cols) [WHERE …] infers a unique index on exactly those columns whose predicate the WHERE implies. */
function infers(index: IndexDefinition, columns: readonly string[], where: Expr | undefined): boolean {
  return sameColumnSet(index.columns, columns) && predicateImplied(index.predicate, where);
}

/** The arbiter indexes of a leaf for an ON CONFLICT clause, or every unique index when no target is named. */
function arbitersFor(
  state: EngineState,
  _target: Relation,
  leaf: Relation,
  onConflict: OnConflict,
): readonly IndexDefinition[] {
  const unique = planFor(state, leaf).uniqueIndexes;
  const spec = onConflict.target;
  if (spec === undefined) return unique;
  if (Array.isArray(spec)) return unique.filter((index) => infers(index, spec, onConflict.targetWhere));
  const name = truncateIdentifier((spec as { readonly constraint: string }).constraint);
  return unique.filter(
    (index) =>
      index.constraint !== null && (index.constraint.name === name || constraintRoot(index.constraint).name === name),
  );
}

function validateConflictTarget(state: EngineState, target: Relation, onConflict: OnConflict): void {
  if (onConflict.target === undefined) {
    if (onConflict.action !== 'nothing')
      throw new PgError(
        SqlState.syntaxError,
        'ON CONFLICT DO UPDATE requires inference specification or constraint name',
      );
    return;
  }
  const spec = onConflict.target;
  if (Array.isArray(spec)) {
    const matches = target.indexes.some(
      (index) => index.unique && index.valid && infers(index, spec, onConflict.targetWhere),
    );
    if (!matches)
      throw new PgError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    return;
  }
  const name = truncateIdentifier((spec as { readonly constraint: string }).constraint);
  if (!target.keyConstraints().some((constraint) => constraint.name === name)) {
    throw new PgError(SqlState.undefinedObject, `constraint "${name}" for table "${target.name}" does not exist`);
  }
  void state;
}

/**
 * INSERT: each row is built with defaults, routed to its partition, passed through BEFORE
 * triggers and checks, tested against the arbiter indexes when ON CONFLICT is given, and
 * stored; unique conflicts on other indexes still raise 23505. With several sessions open, a key
 * that a running transaction holds (inserted, or being deleted or changed) is waited for first
 * (semantics 5); the row is built once, before any wait, so a default's nextval is not repeated.
 */
export function* executeInsert(
  state: EngineState,
  target: Relation,
  inputs: readonly RowInput[],
  options: InsertOptions,
): Resumable<Row[]> {
  const context = yield* startInsertRows(state, target, options);
  for (const input of inputs) yield* insertInput(state, context, input);
  return finishInsertRows(state, context);
}

/**
 * `executeInsert` with one session open (`EngineState.versioning` off), where nothing can wait: the
 * same steps without a generator made per statement and per row, which cost a single session's
 * INSERT about a fifth of its time (docs/statements.md, "One session runs without generators").
 */
export function executeInsertNow(
  state: EngineState,
  target: Relation,
  inputs: readonly RowInput[],
  options: InsertOptions,
): Row[] {
  assert(!state.versioning, 'an INSERT runs without a generator only with one session open');
  const context = startInsertRowsNow(state, target, options);
  for (const input of inputs) keepWritten(context, insertRow(state, context, buildInsertedRow(state, target, input)));
  return finishInsertRows(state, context);
}

/**
 * The start of an INSERT whatever its rows come from (VALUES, or a SELECT: insertSelect.ts): the
 * conflict target is checked, BEFORE STATEMENT triggers fire, transition tables are opened.
 */
export function* startInsertRows(
  state: EngineState,
  target: Relation,
  options: InsertOptions,
): Resumable<InsertContext> {
  if (!state.versioning) return startInsertRowsNow(state, target, options);
  if (options.onConflict) validateConflictTarget(state, target, options.onConflict);
  yield* fireBeforeStatementResumable(state, target, 'insert');
  if (doesUpdate(options)) yield* fireBeforeStatementResumable(state, target, 'update');
  return insertContext(state, target, options);
}

/** `startInsertRows` with one session open: its BEFORE STATEMENT triggers cannot wait. */
function startInsertRowsNow(state: EngineState, target: Relation, options: InsertOptions): InsertContext {
  if (options.onConflict) validateConflictTarget(state, target, options.onConflict);
  fireBeforeStatementTriggers(state, target, 'insert');
  if (doesUpdate(options)) fireBeforeStatementTriggers(state, target, 'update');
  return insertContext(state, target, options);
}

/**
 * ON CONFLICT DO UPDATE fires the UPDATE statement triggers too, whether or not a row conflicts:
 * BEFORE INSERT, BEFORE UPDATE, …, AFTER UPDATE, AFTER INSERT, as PostgreSQL does.
 */
function doesUpdate(options: InsertOptions): boolean {
  const action = options.onConflict?.action;
  return action !== undefined && action !== 'nothing';
}

/** An INSERT's state once its BEFORE STATEMENT triggers have fired: its transition tables opened. */
function insertContext(state: EngineState, target: Relation, options: InsertOptions): InsertContext {
  const doUpdate = doesUpdate(options);
  return {
    target,
    onConflict: options.onConflict,
    doUpdate,
    transition: transitionFor(state, target, 'insert'),
    updateTransition: doUpdate ? transitionFor(state, target, 'update') : null,
    // Only DO UPDATE asks which rows this statement already wrote; a plain INSERT keeps no set.
    touchedByThisStatement: doUpdate ? new Set<number>() : null,
    written: [],
  };
}

/** One proposed row: built (defaults, nextval) once, then inserted in a segment that may wait and re-run. */
export function* insertInput(state: EngineState, context: InsertContext, input: RowInput): Resumable<void> {
  const built = buildInsertedRow(state, context.target, input);
  keepWritten(
    context,
    state.versioning
      ? yield* replayable(state, () => insertRow(state, context, built))
      : insertRow(state, context, built),
  );
}

/** A row the INSERT wrote (or updated by DO UPDATE) is part of its result; a skipped one (null) is not. */
function keepWritten(context: InsertContext, row: Row | null): void {
  if (row !== null) context.written.push(row);
}

/** The end of an INSERT: its AFTER STATEMENT triggers are queued; the result is the rows written. */
export function finishInsertRows(state: EngineState, context: InsertContext): Row[] {
  if (context.doUpdate) queueStatementEnd(state, context.target, 'update');
  queueStatementEnd(state, context.target, 'insert');
  return context.written;
}

export interface InsertContext {
  readonly target: Relation;
  readonly onConflict: OnConflict | undefined;
  readonly doUpdate: boolean;
  /** The rows written (or updated by DO UPDATE) so far: the statement's result. */
  readonly written: Row[];
  readonly transition: TransitionRows | null;
  readonly updateTransition: TransitionRows | null;
  /** DO UPDATE only: the tuples this statement inserted or updated, which it may not update again (21000). */
  readonly touchedByThisStatement: Set<number> | null;
}

/** Bound on the retries of one row's ON CONFLICT decision: each needs another transaction's commit. */
const MAX_RETRIES = 10_000;

/** One row of an INSERT, from its built form: what it wrote (or updated), or null when skipped. */
function insertRow(state: EngineState, context: InsertContext, built: Row): Row | null {
  const { target, onConflict } = context;
  const leaf = routeRow(target, built);
  lockRoutedPartitions(state, target, leaf);
  const row = fireBeforeRowTriggers(state, leaf, 'insert', null, built);
  if (row === null) return null;
  if (leaf !== routeRow(target, row)) {
    throw new PgError(
      SqlState.featureNotSupported,
      'moving row to another partition during a BEFORE FOR EACH ROW trigger is not supported',
      { table: leaf.name },
    );
  }
  checkRowConstraints(state, leaf, row, leaf.parent !== null && target === leaf);
  for (let retries = 0; onConflict; retries++) {
    if (retries >= MAX_RETRIES) fail(`ON CONFLICT on ${leaf.name} retried without end`);
    const arbiters = arbitersFor(state, target, leaf, onConflict);
    if (state.versioning) waitForArbiterKeys(state, leaf, arbiters, row);
    const conflict = arbiters.map((index) => conflictingTid(index, row, -1)).find((tid) => tid !== undefined);
    if (conflict === undefined) break;
    const existing = leaf.heap!.get(conflict);
    if (existing === undefined) fail(`arbiter index of ${leaf.name} points at a dead tuple`);
    if (state.versioning) refuseInvisibleConflict(state, existing);
    if (onConflict.action === 'nothing') return null;
    const touched = context.touchedByThisStatement;
    assert(touched !== null, 'a DO UPDATE insert keeps the rows it touched');
    if (touched.has(conflict)) {
      throw new PgError(SqlState.cardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time');
    }
    const proposed = buildUpdatedRow(
      leaf,
      existing.row,
      evaluateAssignments(state, onConflict.action.update, existing.row, { excludedRow: row }),
    );
    if (leaf.parent !== null && !satisfiesPartitionConstraint(leaf, proposed)) {
      throw new PgError(SqlState.featureNotSupported, 'invalid ON UPDATE specification', {
        detail: 'The result tuple would appear in a different partition than the original tuple.',
      });
    }
    if (state.versioning) {
      const strength = keyColumnsChange(state, leaf, existing.row, proposed) ? 'Update' : 'NoKeyUpdate';
      const outcome = lockRow(state, leaf, existing, strength, 'wait', false);
      if (outcome.kind === 'wait') throw new Suspension(rowWait(outcome));
      // Changed or deleted by a transaction that committed meanwhile: decide the row again.
      if (outcome.kind !== 'locked') continue;
    }
    const updated = updateRow(state, target, leaf, existing, proposed, context.updateTransition);
    if (updated !== null) touched.add(conflict);
    return updated;
  }
  if (state.versioning) waitForUniqueKeys(state, leaf, row, -1);
  const tuple = insertTuple(state, leaf, row);
  context.touchedByThisStatement?.add(tuple.tid);
  queueAfterRow(state, leaf, 'INSERT', planFor(state, leaf).afterRow.insert, null, 0, row, tuple.tid);
  context.transition?.newRows.push(row);
  return row;
}

/**
 * Under a scheduler, each partition a row is routed through is locked RowExclusive when the row
 * reaches it, as ExecFindPartition opens it: an INSERT … SELECT locks only the partitions its rows
 * go to (for INSERT … VALUES `statementLocks` already took them, and they are granted again at once).
 * A conflicting lock suspends the row before its BEFORE triggers run.
 */
function lockRoutedPartitions(state: EngineState, target: Relation, leaf: Relation): void {
  const lockNow = state.shared.lockNow;
  if (lockNow === null || leaf === target) return;
  const path: Relation[] = [];
  for (let current: Relation | null = leaf; current !== null && current !== target; current = current.parent)
    path.unshift(current);
  for (const partition of path) {
    const wait: LockWait = {
      kind: 'relation',
      oid: partition.oid,
      table: partition.name,
      mode: 'RowExclusive',
      nowait: false,
    };
    if (!lockNow(state, wait)) throw new Suspension(wait);
  }
}

/** ON CONFLICT waits for a running transaction holding an arbiter key before deciding (semantics 5). */
function waitForArbiterKeys(state: EngineState, leaf: Relation, arbiters: readonly IndexDefinition[], row: Row): void {
  const xid = uniqueWaitFor(state, leaf, row, -1, arbiters);
  if (xid !== null) throw new Suspension({ kind: 'transaction', xid });
}

/** REPEATABLE READ: a conflicting row committed after the transaction's snapshot is a serialization failure. */
function refuseInvisibleConflict(state: EngineState, existing: Tuple): void {
  const snapshot = state.snapshot;
  if (!state.inRepeatableRead || snapshot === null) return;
  if (!xidVisible(snapshot, state.currentXid, existing.xmin))
    throw new PgError('40001', 'could not serialize access due to concurrent update');
}
