/**
 * NOT NULL as PostgreSQL 18 keeps it: one named `pg_constraint` row per column (contype 'n'),
 * `<table>_<column>_not_null` unless named, valid or NOT VALID, inherited by partitions. Every
 * way a column becomes NOT NULL goes through `addNotNull` (a NOT NULL column in CREATE TABLE or
 * ADD COLUMN, serial, a primary key's columns, ADD CONSTRAINT … NOT NULL, SET NOT NULL), and
 * every way it stops through `removeNotNullTree`, so names, validity and inheritance follow one
 * rule. The column's `notNull` flag is PostgreSQL's `attnotnull`: true while the column has a
 * constraint, valid or not, since both reject new NULLs (`syncNotNullFlag` keeps it in step).
 */
import { assert } from '../assert.js';
import { oneColumnList } from '../catalog.js';
import type { NotNullConstraint, Relation } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import type { Expr } from '../expression.js';
import type { EngineState } from '../session.js';
import { liveTuples } from '../storage.js';
import { pushItem, removeItem, setField } from './catalogEdits.js';
import { chooseConstraintName } from './naming.js';

/** The PostgreSQL code path a not-null constraint is asked for by; each has its own rules for an existing one. */
export type NotNullRequestKind =
  /** ALTER TABLE … ADD [CONSTRAINT name] NOT NULL col [NOT VALID] (ATAddCheckNNConstraint). */
  | 'addConstraint'
  /**
   * ALTER COLUMN … SET NOT NULL (ATExecSetNotNull): a NOT VALID constraint of the table is
   * validated instead of refused, and a partition's NOT VALID one is adopted as it is.
   */
  | 'setNotNull'
  /** A column declared NOT NULL (CREATE TABLE, ADD COLUMN), a serial column, a primary key's column. */
  | 'column';

export interface NotNullRequest {
  readonly kind: NotNullRequestKind;
  readonly name?: string;
  readonly notValid?: boolean;
  readonly noInherit?: boolean;
  /** Names the same statement still has to create, which a generated name avoids (CREATE TABLE's). */
  readonly avoid?: ReadonlySet<string>;
}

/** Bound on partition-tree depth while recursing: far above any tree a program builds. */
const MAX_DEPTH = 1000;

function nullValues(relation: Relation, column: string): PgError {
  return new PgError(
    SqlState.notNullViolation,
    `column "${column}" of relation "${relation.name}" contains null values`,
    {
      table: relation.name,
      column,
    },
  );
}

/** Keeps `attnotnull` (the column's `notNull`) equal to "the column has a not-null constraint". */
export function syncNotNullFlag(state: EngineState, relation: Relation, column: string): void {
  const definition = relation.column(column);
  if (definition === undefined) return;
  const notNull = relation.notNullConstraint(column) !== undefined;
  if (definition.notNull === notNull) return;
  setField(
    state,
    relation,
    'columns',
    relation.columns.map((candidate) => (candidate.name === column ? { ...candidate, notNull } : candidate)),
  );
}

/**
 * PostgreSQL's NotNullImpliedByRelConstraints: the scan is skipped when a validated CHECK of the
 * relation has `col IS NOT NULL` among its top-level conjuncts (GitLab's `add_not_null_constraint`
 * adds such a CHECK NOT VALID, validates it, then sets NOT NULL). A NOT VALID CHECK proves nothing.
 * The outcome is the one a scan would give, since a validated CHECK holds for every row; only the
 * work differs.
 */
function impliedByChecks(relation: Relation, column: string): boolean {
  const implies = (expr: Expr): boolean =>
    expr.kind === 'and'
      ? expr.operands.some(implies)
      : expr.kind === 'isNull' && expr.negated && expr.operand.kind === 'column' && expr.operand.name === column;
  return relation.checks().some((check) => check.valid && implies(check.expr));
}

/** A not-null constraint whose rows are still to be scanned: its relation and column. */
interface PendingScan {
  readonly relation: Relation;
  readonly column: string;
}

function scanForNulls({ relation, column }: PendingScan): void {
  if (relation.heap === null || impliedByChecks(relation, column)) return;
  for (const tuple of liveTuples(relation)) if (tuple.row[column] === null) throw nullValues(relation, column);
}

/**
 * Replaces a not-null constraint of `relation` by a copy with `changes`, at its place in the list:
 * a not-null constraint is a frozen value a database fork shares (catalog.ts), so DDL never edits
 * one. The journal's undo puts the old one back.
 */
export function replaceNotNull(
  state: EngineState,
  relation: Relation,
  constraint: NotNullConstraint,
  changes: Partial<Pick<NotNullConstraint, 'name' | 'columns' | 'valid' | 'inherited' | 'local'>>,
): NotNullConstraint {
  const replacement: NotNullConstraint = Object.freeze({ ...constraint, ...changes });
  const list = relation.constraints;
  const position = list.indexOf(constraint);
  assert(position >= 0, `not-null constraint ${constraint.name} is not in ${relation.name}`);
  state.changeCatalog(
    () => {
      list[position] = replacement;
    },
    { undo: 'catalog', edit: 'slot', list, replacement, original: constraint },
  );
  return replacement;
}

/**
 * Gives `column` of `relation` a not-null constraint (and its partitions their inherited copies),
 * or adopts the one it has, by the rules of the request's code path. Catalog work for the whole
 * tree comes first and the scans of existing rows after it, as in PostgreSQL's ALTER TABLE
 * (phase 2, then phase 3), so a refusal anywhere in the tree wins over a NULL in an early leaf.
 * `scan: false` is CREATE TABLE (no rows) or a caller that scanned already.
 */
export function addNotNull(
  state: EngineState,
  relation: Relation,
  column: string,
  request: NotNullRequest,
  { scan = true }: { readonly scan?: boolean } = {},
): NotNullConstraint {
  const scans: PendingScan[] = [];
  ensureNotNull(state, relation, column, request, null, scans, 0);
  if (scan) for (const pending of scans) scanForNulls(pending);
  // Adopting or validating replaced the constraint (`replaceNotNull`): the one in place now.
  return relation.notNullConstraint(column)!;
}

function ensureNotNull(
  state: EngineState,
  relation: Relation,
  column: string,
  request: NotNullRequest,
  parent: NotNullConstraint | null,
  scans: PendingScan[],
  depth: number,
): void {
  assert(depth < MAX_DEPTH, 'partition tree deeper than its bound');
  if (relation.column(column) === undefined)
    throw new PgError(SqlState.undefinedColumn, `column "${column}" of relation "${relation.name}" does not exist`);
  if (request.noInherit === true && relation.isPartitioned)
    throw new PgError(SqlState.featureNotSupported, 'not-null constraints on partitioned tables cannot be NO INHERIT');
  const existing = relation.notNullConstraint(column);
  if (existing !== undefined) {
    adoptExisting(state, relation, existing, request, parent, scans);
    return;
  }
  const inheritedName =
    parent !== null && !relation.constraints.some((other) => other.name === parent.name) ? parent.name : undefined;
  const name =
    (parent === null ? request.name : inheritedName) ??
    chooseConstraintName(state, relation, column, 'not_null', request.avoid);
  if (relation.constraints.some((other) => other.name === name))
    throw new PgError(SqlState.duplicateObject, `constraint "${name}" for relation "${relation.name}" already exists`);
  const constraint: NotNullConstraint = Object.freeze({
    kind: 'notNull',
    name,
    columns: oneColumnList(column),
    valid: request.notValid !== true,
    inherited: parent !== null,
    local: parent === null,
    noInherit: request.noInherit === true,
  });
  pushItem(state, relation.constraints, constraint);
  syncNotNullFlag(state, relation, column);
  if (constraint.valid) scans.push({ relation, column });
  if (!constraint.noInherit)
    for (const partition of relation.partitions)
      ensureNotNull(state, partition, column, request, constraint, scans, depth + 1);
}

/** The column already has a not-null constraint: what each request does with it. */
function adoptExisting(
  state: EngineState,
  relation: Relation,
  existing: NotNullConstraint,
  request: NotNullRequest,
  parent: NotNullConstraint | null,
  scans: PendingScan[],
): void {
  if (parent !== null) {
    // A partition's own constraint becomes the inherited copy, keeping its name and `conislocal`.
    assert(!existing.inherited, 'a partition column has one inherited not-null constraint');
    if (request.kind !== 'setNotNull' && parent.valid && !existing.valid)
      throw incompatibleNotValid(existing, relation);
    replaceNotNull(state, relation, existing, { inherited: true });
    return;
  }
  if (request.kind === 'setNotNull') {
    if (!existing.valid) markValidTree(state, relation, existing, scans, 0);
    return;
  }
  if (request.kind === 'addConstraint' && (request.noInherit === true) !== existing.noInherit)
    throw new PgError(
      SqlState.objectNotInPrerequisiteState,
      `cannot change NO INHERIT status of NOT NULL constraint "${existing.name}" on relation "${relation.name}"`,
    );
  if (request.notValid !== true && !existing.valid) throw incompatibleNotValid(existing, relation);
  if (request.name !== undefined && request.name !== existing.name) {
    throw new PgError(
      SqlState.objectNotInPrerequisiteState,
      `cannot create not-null constraint "${request.name}" on column "${existing.columns[0]}" of table "${relation.name}"`,
      { detail: `A not-null constraint named "${existing.name}" already exists for this column.` },
    );
  }
}

function incompatibleNotValid(existing: NotNullConstraint, relation: Relation): PgError {
  return new PgError(
    SqlState.objectNotInPrerequisiteState,
    `incompatible NOT VALID constraint "${existing.name}" on relation "${relation.name}"`,
  );
}

/**
 * The partitions' constraints inherited from `relation`'s not-null constraint on `column`: a
 * column has at most one, so the partition's inherited one on the same column is the copy.
 */
export function childNotNulls(
  relation: Relation,
  column: string,
): { readonly relation: Relation; readonly constraint: NotNullConstraint }[] {
  const children: { readonly relation: Relation; readonly constraint: NotNullConstraint }[] = [];
  for (const partition of relation.partitions) {
    const constraint = partition.notNullConstraint(column);
    if (constraint?.inherited === true) children.push({ relation: partition, constraint });
  }
  return children;
}

function markValidTree(
  state: EngineState,
  relation: Relation,
  constraint: NotNullConstraint,
  scans: PendingScan[],
  depth: number,
): void {
  assert(depth < MAX_DEPTH, 'partition tree deeper than its bound');
  const column = constraint.columns[0];
  if (!constraint.valid) {
    replaceNotNull(state, relation, constraint, { valid: true });
    scans.push({ relation, column });
  }
  for (const child of childNotNulls(relation, column))
    markValidTree(state, child.relation, child.constraint, scans, depth + 1);
}

/** VALIDATE CONSTRAINT on a not-null constraint: its table's rows and every partition's copy. */
export function validateNotNullTree(state: EngineState, relation: Relation, constraint: NotNullConstraint): void {
  const scans: PendingScan[] = [];
  markValidTree(state, relation, constraint, scans, 0);
  for (const pending of scans) scanForNulls(pending);
}

/** ALTER COLUMN … SET NOT NULL. */
export function setNotNull(state: EngineState, relation: Relation, column: string): void {
  addNotNull(state, relation, column, { kind: 'setNotNull' });
}

/** ALTER COLUMN … DROP NOT NULL (ATExecDropNotNull): refused for a key column and an inherited constraint. */
export function dropNotNull(state: EngineState, relation: Relation, column: string): void {
  if (relation.column(column) === undefined)
    throw new PgError(SqlState.undefinedColumn, `column "${column}" of relation "${relation.name}" does not exist`);
  // A primary key needs its columns NOT NULL, so PostgreSQL refuses to drop that.
  if (relation.primaryKey()?.columns.includes(column))
    throw new PgError(SqlState.invalidTableDefinition, `column "${column}" is in a primary key`);
  const constraint = relation.notNullConstraint(column);
  if (constraint === undefined) return;
  if (constraint.inherited)
    throw new PgError(SqlState.invalidTableDefinition, `column "${column}" is marked NOT NULL in parent table`);
  removeNotNullTree(state, relation, constraint);
}

/**
 * Removes a not-null constraint and its inherited copies. A copy that is also the partition's
 * own (`conislocal`) stays, no longer inherited, unless `dropLocal` (DROP COLUMN takes the
 * column, so every copy goes).
 */
export function removeNotNullTree(
  state: EngineState,
  relation: Relation,
  constraint: NotNullConstraint,
  dropLocal = false,
  depth = 0,
): void {
  assert(depth < MAX_DEPTH, 'partition tree deeper than its bound');
  const column = constraint.columns[0];
  for (const child of childNotNulls(relation, column)) {
    if (child.constraint.local && !dropLocal)
      replaceNotNull(state, child.relation, child.constraint, { inherited: false });
    else removeNotNullTree(state, child.relation, child.constraint, dropLocal, depth + 1);
  }
  removeItem(state, relation.constraints, constraint);
  syncNotNullFlag(state, relation, column);
}

/** A primary key refuses a NOT VALID or NO INHERIT not-null constraint on one of its columns. */
export function requireValidForPrimaryKey(relation: Relation, columns: readonly string[]): void {
  for (const column of columns) {
    const existing = relation.notNullConstraint(column);
    if (existing === undefined || (existing.valid && !existing.noInherit)) continue;
    throw new PgError(SqlState.objectNotInPrerequisiteState, `cannot create primary key on column "${column}"`, {
      detail: `The constraint "${existing.name}" on column "${column}" of table "${relation.name}", marked ${existing.valid ? 'NO INHERIT' : 'NOT VALID'}, is incompatible with a primary key.`,
    });
  }
}

/**
 * MergeConstraintsIntoExisting for not-null constraints, before ATTACH PARTITION changes anything:
 * the partition needs one for every inherited column (42804), and a NOT VALID one cannot stand
 * in for a valid parent's (42P17, naming the partition's constraint).
 */
export function checkAttachNotNulls(parent: Relation, partition: Relation): void {
  for (const constraint of parent.constraints) {
    if (constraint.kind !== 'notNull' || constraint.noInherit) continue;
    const column = constraint.columns[0];
    const existing = partition.notNullConstraint(column);
    if (existing === undefined)
      throw new PgError('42804', `column "${column}" in child table "${partition.name}" must be marked NOT NULL`);
    if (constraint.valid && !existing.valid)
      throw new PgError(
        SqlState.invalidObjectDefinition,
        `constraint "${existing.name}" conflicts with NOT VALID constraint on child table "${partition.name}"`,
      );
  }
}

/**
 * A partition gets its parent's not-null constraints. A new partition (CREATE TABLE … PARTITION
 * OF) gets valid copies under the parent's names even below a NOT VALID parent (it has no rows);
 * an attached one adopts its own (checked by `checkAttachNotNulls`), which stop being local.
 */
export function cloneNotNulls(state: EngineState, parent: Relation, partition: Relation, attaching: boolean): void {
  for (const constraint of [...parent.constraints]) {
    if (constraint.kind !== 'notNull' || constraint.noInherit) continue;
    const existing = partition.notNullConstraint(constraint.columns[0]);
    if (attaching && existing !== undefined) {
      replaceNotNull(state, partition, existing, { inherited: true, local: false });
      continue;
    }
    ensureNotNull(state, partition, constraint.columns[0], { kind: 'column' }, constraint, [], 1);
  }
}
