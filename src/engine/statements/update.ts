/** UPDATE … SET … [WHERE …]: its result is the new versions of the updated rows. */
import { isExpr } from '../expression.js';
import type { Expr } from '../expression.js';
import { checkExpressionColumns } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import { renderUpdate } from '../sql/renderData.js';
import { withUpdatedColumnsResumable } from '../triggerRuntime.js';
import type { EngineState } from '../session.js';
import { executeUpdate } from '../updateStatement.js';
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
}

/** The parser's column checks, then the execution with the SET list as the updated columns. */
function startUpdate(session: EngineState, { table, set, where, options }: UpdateStatement): Resumable<Row[]> {
  const relation = lookupRelation(session, table);
  // transformUpdateStmt reads the WHERE clause, then the SET values, then the SET column names.
  checkExpressionColumns(relation, where);
  for (const value of Object.values(set)) if (isExpr(value)) checkExpressionColumns(relation, value);
  return withUpdatedColumnsResumable(session, Object.keys(set), executeUpdate(session, relation, set, where, options));
}

export const updateKind = defineStatement<UpdateStatement, Row[]>({
  kind: 'update',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, statement) => runToEnd(startUpdate(session, statement)),
  resume: (session, statement) => startUpdate(session, statement),
  render: ({ table, set, where, options }, catalog) => renderUpdate(table, set, where, options, catalog),
});
