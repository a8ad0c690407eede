/** UPDATE … SET … [WHERE …]: its result is the new versions of the updated rows. */
import type { Expr } from '../expression.js';
import { lookupRelation } from '../scan.js';
import { renderUpdate } from '../sql/renderData.js';
import { executeUpdate } from '../updateStatement.js';
import type { Assignments, UpdateOptions } from '../updateStatement.js';
import type { Row } from '../values.js';
import { runToEnd } from '../sessions/suspension.js';
import { defineStatement } from './definition.js';

export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: string;
  readonly set: Assignments;
  readonly where: Expr | null;
  readonly options: UpdateOptions;
}

export const updateKind = defineStatement<UpdateStatement, Row[]>({
  kind: 'update',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, { table, set, where, options }) =>
    runToEnd(executeUpdate(session, lookupRelation(session, table), set, where, options)),
  resume: (session, { table, set, where, options }) =>
    executeUpdate(session, lookupRelation(session, table), set, where, options),
  render: ({ table, set, where, options }, catalog) => renderUpdate(table, set, where, options, catalog),
});
