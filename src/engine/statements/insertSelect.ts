/**
 * INSERT INTO t (cols) SELECT exprs FROM s [WHERE …] [FOR UPDATE | … [NOWAIT | SKIP LOCKED]]
 * [ON CONFLICT …]: the shape of GitLab's partitioning backfill (`bulk_copy.rb`, one statement per
 * sub-batch: `… WHERE id BETWEEN a AND b FOR UPDATE ON CONFLICT (keys) DO NOTHING`). Its result is
 * the rows written, as `RETURNING *` gives them.
 *
 * As in PostgreSQL, the SELECT reads the source through the statement's snapshot, taken before any
 * row is written, so rows the statement (or its triggers) writes are never read back. Rows flow one
 * at a time: with a locking clause each source row is locked as it comes (the LockRows node), which
 * may suspend the statement with the rows before it already inserted; after the wait, EvalPlanQual
 * re-checks the WHERE clause on the newest version and the SELECT list reads that version, or the
 * row is skipped when it was deleted or no longer matches (docs/concurrency.md, semantics 3-4).
 * Each row is then inserted as INSERT … VALUES inserts it: routed (its partitions locked as it
 * reaches them), BEFORE triggers, checks, the ON CONFLICT arbiter (waiting for an uncommitted
 * conflicting key, semantics 5), AFTER triggers at the statement's end.
 */
import { assert } from '../assert.js';
import { evaluate } from '../expression.js';
import type { Expr } from '../expression.js';
import { PgError, SqlState } from '../errors.js';
import { finishInsertRows, insertInput, startInsertRows } from '../insertStatement.js';
import type { InsertOptions } from '../insertStatement.js';
import { checkExpressionColumns, checkTargetColumns } from '../rowBuilding.js';
import { lookupRelation, scanTuples, subqueryRunner } from '../scan.js';
import type { EngineState } from '../session.js';
import { replayable, runToEnd } from '../sessions/suspension.js';
import type { Resumable } from '../sessions/suspension.js';
import { renderInsertSelect } from '../sql/renderData.js';
import { withUpdatedColumnsResumable } from '../triggerRuntime.js';
import type { Row, SqlValue } from '../values.js';
import { defineStatement } from './definition.js';
import { checkConflictColumns } from './insert.js';
import { lockSelectedRow } from './select.js';
import type { LockingClause } from './select.js';

/** The SELECT of an INSERT … SELECT: one table, a WHERE clause, an optional locking clause. */
export interface InsertSelectQuery {
  readonly table: string;
  /** The SELECT list, one expression per target column, evaluated on the source row. */
  readonly select: readonly Expr[];
  readonly where: Expr | null;
  /** `FROM ONLY s`: do not read partitions. */
  readonly only?: boolean;
  readonly locking?: LockingClause;
}

export interface InsertSelectStatement {
  readonly kind: 'insertSelect';
  readonly table: string;
  /** The target column list; the other columns take their defaults. */
  readonly columns: readonly string[];
  readonly query: InsertSelectQuery;
  readonly options: InsertOptions;
}

/** transformInsertStmt's order: target, its column list, the SELECT, their counts, then ON CONFLICT. */
function checkInsertSelect(session: EngineState, statement: InsertSelectStatement): void {
  assert(statement.columns.length > 0, 'INSERT … SELECT names its target columns');
  const target = lookupRelation(session, statement.table);
  checkTargetColumns(target, statement.columns);
  const { query } = statement;
  const source = lookupRelation(session, query.table);
  checkExpressionColumns(source, query.where);
  for (const expr of query.select) checkExpressionColumns(source, expr);
  if (query.select.length > statement.columns.length)
    throw new PgError(SqlState.syntaxError, 'INSERT has more expressions than target columns');
  if (query.select.length < statement.columns.length)
    throw new PgError(SqlState.syntaxError, 'INSERT has more target columns than expressions');
  checkConflictColumns(target, statement.options);
}

function* executeInsertSelect(session: EngineState, statement: InsertSelectStatement): Resumable<Row[]> {
  const target = lookupRelation(session, statement.table);
  const { query } = statement;
  const source = lookupRelation(session, query.table);
  // The SELECT's rows as the statement's snapshot sees them, before anything is written.
  const scanned = scanTuples(session, source, query.where, { only: query.only ?? false });
  const context = yield* startInsertRows(session, target, statement.options);
  const subqueries = subqueryRunner(session);
  for (const found of scanned) {
    let row: Row | null = found.tuple.row;
    const locking = query.locking;
    if (locking !== undefined && session.versioning)
      row = yield* replayable(session, () => lockSelectedRow(session, found, query.where, locking));
    if (row === null) continue;
    const input: Record<string, SqlValue> = {};
    const sourceRow = row;
    statement.columns.forEach((column, position) => {
      input[column] = evaluate(query.select[position]!, { row: sourceRow, subqueries });
    });
    yield* insertInput(session, context, input);
  }
  return finishInsertRows(session, context);
}

function startInsertSelect(session: EngineState, statement: InsertSelectStatement): Resumable<Row[]> {
  checkInsertSelect(session, statement);
  const action = statement.options.onConflict?.action;
  const updated = action === undefined || action === 'nothing' ? null : Object.keys(action.update);
  return withUpdatedColumnsResumable(session, updated, executeInsertSelect(session, statement));
}

export const insertSelectKind = defineStatement<InsertSelectStatement, Row[]>({
  kind: 'insertSelect',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, statement) => runToEnd(startInsertSelect(session, statement)),
  resume: (session, statement) => startInsertSelect(session, statement),
  render: (statement, catalog) => renderInsertSelect(statement, catalog),
});
