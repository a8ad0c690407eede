import { fail } from './assert.js';
import type { ColumnDefault, Relation } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { referencedColumns } from './expression.js';
import type { Expr } from './expression.js';
import type { EngineState } from './session.js';
import { checkValueType } from './values.js';
import { sequenceOfDefault } from './ddl/sequenceDdl.js';
import type { Row, SqlValue } from './values.js';

/** What a caller passes for a new row: any subset of the columns; the rest take their defaults. */
export type RowInput = Readonly<Record<string, SqlValue | undefined>>;

export function evaluateDefault(state: EngineState, columnDefault: ColumnDefault | null): SqlValue {
  if (columnDefault === null) return null;
  switch (columnDefault.kind) {
    case 'literal':
      return columnDefault.value;
    case 'now':
      return state.clock;
    case 'nextval':
      return nextSequenceValue(sequenceOfDefault(state, columnDefault.sequenceId));
  }
}

/** nextval() is not transactional in PostgreSQL: a rolled-back insert still consumes the value. */
export function nextSequenceValue(sequence: {
  nextValue: number;
  readonly increment: number;
  readonly name: string;
}): number {
  const value = sequence.nextValue;
  if (!Number.isSafeInteger(value)) fail(`sequence ${sequence.name} overflowed`);
  sequence.nextValue += sequence.increment;
  return value;
}

function unknownColumn(relation: Relation, column: string): PgError {
  return new PgError(SqlState.undefinedColumn, `column "${column}" of relation "${relation.name}" does not exist`);
}

/**
 * The columns an expression reads (WHERE, a SET value, ORDER BY) must exist: the parser refuses
 * an unknown one with 42703 before the statement touches a row, so it fails the same way on an
 * empty table. Its message does not name the relation, unlike a target column's.
 */
export function checkExpressionColumns(relation: Relation, expr: Expr | null): void {
  if (expr === null) return;
  // The most common WHERE, `column = value` (every look-up by key), needs no set of its columns.
  const only =
    expr.kind === 'compare' && expr.right.kind === 'literal' && expr.left.kind === 'column' ? expr.left : null;
  for (const name of only !== null ? [only.name] : referencedColumns(expr))
    if (relation.column(name) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column "${name}" does not exist`);
}

/** Target columns of an INSERT column list or UPDATE SET list: PostgreSQL names the relation in the error. */
export function checkTargetColumns(relation: Relation, columns: Iterable<string>): void {
  for (const name of columns) if (relation.column(name) === undefined) throw unknownColumn(relation, name);
}

/**
 * The parser's check of an INSERT's column list (`insertColumns`): the first unknown column in its
 * order is the first one met row by row, key by key, so the list need not be built.
 */
export function checkInsertColumns(relation: Relation, rows: readonly RowInput[]): void {
  for (let position = 0; position < rows.length; position++)
    for (const name in rows[position]) if (relation.column(name) === undefined) throw unknownColumn(relation, name);
}

/** An INSERT's column list: every column some row sets, in first-seen order (as its SQL lists them). */
export function insertColumns(rows: readonly RowInput[]): string[] {
  const names: string[] = [];
  for (const row of rows) for (const name of Object.keys(row)) if (!names.includes(name)) names.push(name);
  return names;
}

/** Builds a complete, frozen row for an INSERT: defaults in column order, then type checks. */
export function buildInsertedRow(state: EngineState, relation: Relation, input: RowInput): Row {
  for (const name in input) if (relation.column(name) === undefined) throw unknownColumn(relation, name);
  const row: Record<string, SqlValue> = {};
  // Indexed: the column list is frozen, which for…of walks slowly (docs/performance.md).
  const columns = relation.columns;
  for (let position = 0; position < columns.length; position++) {
    const column = columns[position]!;
    const given = input[column.name];
    const value = given === undefined ? evaluateDefault(state, column.default) : given;
    checkValueType(value, column.type);
    row[column.name] = value;
  }
  return Object.freeze(row);
}

/** Applies an UPDATE's assignments to a row, returning a new frozen row. */
export function buildUpdatedRow(relation: Relation, row: Row, assignments: Readonly<Record<string, SqlValue>>): Row {
  const updated: Record<string, SqlValue> = { ...row };
  for (const [name, value] of Object.entries(assignments)) {
    const column = relation.column(name);
    if (column === undefined) throw unknownColumn(relation, name);
    checkValueType(value, column.type);
    updated[name] = value;
  }
  return Object.freeze(updated);
}

/**
 * A row returned by a BEFORE trigger must have exactly the relation's columns; missing ones
 * are a bug in the trigger function, which PL/pgSQL would not even let you write.
 */
export function normalizeTriggerRow(relation: Relation, row: Row): Row {
  const normalized: Record<string, SqlValue> = {};
  for (const column of relation.columns) {
    const value = row[column.name];
    if (value === undefined) fail(`trigger returned a row without column ${column.name} of ${relation.name}`);
    checkValueType(value, column.type);
    normalized[column.name] = value;
  }
  return Object.isFrozen(row) && Object.keys(row).length === relation.columns.length ? row : Object.freeze(normalized);
}
