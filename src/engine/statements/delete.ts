/** DELETE FROM … [WHERE …]: its result is the deleted rows. */
import { executeDelete, executeDeleteNow } from '../deleteStatement.js';
import type { DeleteOptions } from '../deleteStatement.js';
import type { Expr } from '../expression.js';
import { checkExpressionColumns } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import { renderDelete } from '../sql/renderData.js';
import type { Row } from '../values.js';
import { runToEnd } from '../sessions/suspension.js';
import { defineStatement } from './definition.js';

export interface DeleteStatement {
  readonly kind: 'delete';
  readonly table: string;
  readonly where: Expr | null;
  readonly options: DeleteOptions;
}

export const deleteKind = defineStatement<DeleteStatement, Row[]>({
  kind: 'delete',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, { table, where, options }) => {
    const relation = lookupRelation(session, table);
    checkExpressionColumns(relation, where);
    // With one session open nothing can wait, so no generator is made (docs/statements.md).
    return session.versioning
      ? runToEnd(executeDelete(session, relation, where, options))
      : executeDeleteNow(session, relation, where, options);
  },
  resume: (session, { table, where, options }) => {
    const relation = lookupRelation(session, table);
    checkExpressionColumns(relation, where);
    return executeDelete(session, relation, where, options);
  },
  render: ({ table, where, options }, catalog) => renderDelete(table, where, options, catalog),
});
