/** INSERT … VALUES … [ON CONFLICT …]: its result is the rows written, as `RETURNING *` gives them. */
import { executeInsert } from '../insertStatement.js';
import type { InsertOptions } from '../insertStatement.js';
import type { RowInput } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import { renderInsert } from '../sql/renderData.js';
import type { Row } from '../values.js';
import { runToEnd } from '../sessions/suspension.js';
import { defineStatement } from './definition.js';

export interface InsertStatement {
  readonly kind: 'insert';
  readonly table: string;
  readonly rows: readonly RowInput[];
  readonly options: InsertOptions;
}

export const insertKind = defineStatement<InsertStatement, Row[]>({
  kind: 'insert',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, { table, rows, options }) =>
    runToEnd(executeInsert(session, lookupRelation(session, table), rows, options)),
  resume: (session, { table, rows, options }) => executeInsert(session, lookupRelation(session, table), rows, options),
  render: ({ table, rows, options }, catalog) => renderInsert(table, rows, options, catalog),
});
