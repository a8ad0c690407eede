/**
 * UPDATE … SET … [FROM s] [WHERE …]: its result is the new versions of the updated rows. With a
 * FROM item (`from`), expressions read its columns as `fromCol(s, c)` (see fromItem.ts).
 */
import { isExpr } from '../expression.js';
import type { Expr } from '../expression.js';
import { checkJoinedExpression, resolveFromItem } from '../fromItem.js';
import type { FromItem } from '../fromItem.js';
import { checkExpressionColumns } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import { renderUpdate } from '../sql/renderData.js';
import { withUpdatedColumns, withUpdatedColumnsResumable } from '../triggerRuntime.js';
import type { EngineState } from '../session.js';
import { executeUpdate, executeUpdateNow } from '../updateStatement.js';
import type { Relation } from '../catalog.js';
import type { Assignments, UpdateOptions } from '../updateStatement.js';
import type { Row } from '../values.js';
import { runToEnd } from '../sessions/suspension.js';
import type { Resumable } from '../sessions/suspension.js';
import { defineStatement } from './definition.js';

export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: string;
  readonly set: Assignments;
  readonly where: Expr | null;
  readonly options: UpdateOptions;
  /** `FROM s [AS alias]`: the table joined to each target row by the WHERE clause. */
  readonly from?: FromItem;
}

/** The parser's column checks: the target, and the FROM item's relation (null without one). */
function parsedUpdate(
  session: EngineState,
  { table, set, where, from }: UpdateStatement,
): { readonly relation: Relation; readonly source: { readonly relation: Relation } | null } {
  const relation = lookupRelation(session, table);
  // transformUpdateStmt reads the FROM clause, the WHERE clause, then the SET values, then the SET column names.
  const source = from === undefined ? null : resolveFromItem(session, relation, from);
  const check = (expr: Expr | null): void =>
    source === null ? checkExpressionColumns(relation, expr) : checkJoinedExpression(relation, from!, source, expr);
  check(where);
  for (const value of Object.values(set)) if (isExpr(value)) check(value);
  return { relation, source: source === null ? null : { relation: source } };
}

/** The parser's checks, then the execution with the SET list as the updated columns. */
function startUpdate(session: EngineState, statement: UpdateStatement): Resumable<Row[]> {
  const { relation, source } = parsedUpdate(session, statement);
  const { set, where, options } = statement;
  return withUpdatedColumnsResumable(
    session,
    Object.keys(set),
    executeUpdate(session, relation, set, where, options, source),
  );
}

/** `startUpdate` run to its end with one session open, where nothing can wait (`executeUpdateNow`). */
function updateNow(session: EngineState, statement: UpdateStatement): Row[] {
  const { relation, source } = parsedUpdate(session, statement);
  const { set, where, options } = statement;
  return withUpdatedColumns(session, Object.keys(set), () =>
    executeUpdateNow(session, relation, set, where, options, source),
  );
}

export const updateKind = defineStatement<UpdateStatement, Row[]>({
  kind: 'update',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, statement) =>
    session.versioning ? runToEnd(startUpdate(session, statement)) : updateNow(session, statement),
  resume: (session, statement) => startUpdate(session, statement),
  render: ({ table, set, where, options, from }, catalog) => renderUpdate(table, set, where, options, catalog, from),
});
