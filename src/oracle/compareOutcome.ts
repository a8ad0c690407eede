/** Statement outcomes compared: success (with row counts or rows), or SQLSTATE and constraint. */
import type { Row, SqlValue } from '../engine/values.js';
import type { SqlResult } from './sqlSession.js';
import { returnsRows } from '../engine/statements/execute.js';
import type { Statement } from '../engine/statements/registry.js';
import type { StatementOutcome } from '../statementEvent.js';

/** Values as the engine holds them: PostgreSQL's timestamptz comes back as a Date, the engine's as seconds. */
export function normalizeValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Math.round(value.getTime() / 1000);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

export function normalizeRow(row: Readonly<Record<string, unknown>>): Row {
  return Object.fromEntries(
    Object.keys(row)
      .sort()
      .map((key) => [key, normalizeValue(row[key])]),
  );
}

/** A multiset of rows as sorted canonical lines, so order never matters. */
export function canonicalRows(rows: readonly Readonly<Record<string, unknown>>[]): string[] {
  return rows.map((row) => JSON.stringify(normalizeRow(row))).sort();
}

export function describeModel(outcome: StatementOutcome): string {
  switch (outcome.status) {
    case 'ok':
      return outcome.rows === null ? 'ok' : `ok (${outcome.rows.length} row${outcome.rows.length === 1 ? '' : 's'})`;
    case 'error':
      return `ERROR ${outcome.code}${outcome.constraint ? ` [${outcome.constraint}]` : ''} ${outcome.message}`;
    case 'internal':
      return `internal engine error: ${outcome.message}`;
  }
}

export function describePostgres(result: SqlResult, statement: Statement): string {
  if (!result.ok) return `ERROR ${result.code}${result.constraint ? ` [${result.constraint}]` : ''} ${result.message}`;
  const count = statement.kind === 'select' ? result.rows.length : result.affectedRows;
  return returnsRows(statement) ? `ok (${count} row${count === 1 ? '' : 's'})` : 'ok';
}

/** Why the two outcomes differ, or null when they agree. */
export function outcomeDifference(statement: Statement, model: StatementOutcome, postgres: SqlResult): string | null {
  if (model.status === 'internal') return 'the engine failed internally';
  if (model.status === 'error') {
    if (postgres.ok) return `the model raised ${model.code}, PostgreSQL succeeded`;
    if (model.code !== postgres.code) return `SQLSTATE ${model.code} in the model, ${postgres.code} in PostgreSQL`;
    if ((model.constraint ?? null) !== postgres.constraint)
      return `constraint ${model.constraint ?? 'none'} in the model, ${postgres.constraint ?? 'none'} in PostgreSQL`;
    return null;
  }
  if (!postgres.ok) return `the model succeeded, PostgreSQL raised ${postgres.code}`;
  if (!returnsRows(statement) || model.rows === null) return null;
  if (statement.kind === 'select') {
    const modelRows = model.rows;
    if (statement.options.limit !== undefined) {
      // With LIMIT, ties in ORDER BY may pick different rows: compare only counts and the ordered keys.
      const keys = (statement.options.orderBy ?? []).map((term) => term.column);
      const project = (rows: readonly Readonly<Record<string, unknown>>[]) =>
        JSON.stringify(rows.map((row) => keys.map((key) => normalizeValue(row[key]))));
      return project(modelRows) === project(postgres.rows)
        ? null
        : `SELECT returned ${project(modelRows)} in the model, ${project(postgres.rows)} in PostgreSQL`;
    }
    const left = canonicalRows(modelRows);
    const right = canonicalRows(postgres.rows);
    return JSON.stringify(left) === JSON.stringify(right)
      ? null
      : `SELECT returned ${left.length} rows ${left.join(' ')} in the model, ${right.length} rows ${right.join(' ')} in PostgreSQL`;
  }
  return model.rows.length === postgres.affectedRows
    ? null
    : `${model.rows.length} rows affected in the model, ${postgres.affectedRows} in PostgreSQL`;
}
