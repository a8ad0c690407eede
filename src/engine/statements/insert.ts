/** INSERT … VALUES … [ON CONFLICT …]: its result is the rows written, as `RETURNING *` gives them. */
import { executeInsert, executeInsertNow } from '../insertStatement.js';
import { withUpdatedColumns, withUpdatedColumnsResumable } from '../triggerRuntime.js';
import type { EngineState } from '../session.js';
import type { InsertOptions } from '../insertStatement.js';
import { PgError, SqlState } from '../errors.js';
import { checkExpressionColumns, checkInsertColumns, checkTargetColumns } from '../rowBuilding.js';
import type { RowInput } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import { renderInsert } from '../sql/renderData.js';
import type { Relation } from '../catalog.js';
import type { Row } from '../values.js';
import { runToEnd } from '../sessions/suspension.js';
import type { Resumable } from '../sessions/suspension.js';
import { defineStatement } from './definition.js';

export interface InsertStatement {
  readonly kind: 'insert';
  readonly table: string;
  readonly rows: readonly RowInput[];
  readonly options: InsertOptions;
}

/** The parser's column checks, then the execution with DO UPDATE's SET list as the updated columns. */
function startInsert(session: EngineState, statement: InsertStatement): Resumable<Row[]> {
  const relation = parsedTarget(session, statement);
  const { rows, options } = statement;
  return withUpdatedColumnsResumable(session, updatedBy(options), executeInsert(session, relation, rows, options));
}

/** `startInsert` run to its end with one session open, where nothing can wait (`executeInsertNow`). */
function insertNow(session: EngineState, statement: InsertStatement): Row[] {
  const relation = parsedTarget(session, statement);
  const { rows, options } = statement;
  return withUpdatedColumns(session, updatedBy(options), () => executeInsertNow(session, relation, rows, options));
}

/**
 * The target relation, once the parser has checked the column list (every row's columns, in the
 * order the SQL lists them) and the ON CONFLICT clause before any row is built, so an unknown
 * column fails first.
 */
function parsedTarget(session: EngineState, { table, rows, options }: InsertStatement): Relation {
  const relation = lookupRelation(session, table);
  checkInsertColumns(relation, rows);
  checkConflictColumns(relation, options);
  return relation;
}

/** DO UPDATE's SET list, the columns `UPDATE OF` triggers see as updated; null for a plain INSERT. */
function updatedBy(options: InsertOptions): readonly string[] | null {
  const action = options.onConflict?.action;
  return action === undefined || action === 'nothing' ? null : Object.keys(action.update);
}

/**
 * The parser's checks of ON CONFLICT: the inference columns and predicate, which are expressions
 * (no relation named in the 42703), then the DO UPDATE SET list, which names the relation.
 */
export function checkConflictColumns(relation: Relation, options: InsertOptions): void {
  const target = options.onConflict?.target;
  if (Array.isArray(target))
    for (const column of target as readonly string[])
      if (relation.column(column) === undefined)
        throw new PgError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  checkExpressionColumns(relation, options.onConflict?.targetWhere ?? null);
  const action = options.onConflict?.action;
  if (action !== undefined && action !== 'nothing') checkTargetColumns(relation, Object.keys(action.update));
}

export const insertKind = defineStatement<InsertStatement, Row[]>({
  kind: 'insert',
  envelope: 'atomic',
  returnsRows: true,
  // One session: nothing can wait, so no generator is made (insertNow); several: run to its end.
  execute: (session, statement) =>
    session.versioning ? runToEnd(startInsert(session, statement)) : insertNow(session, statement),
  resume: (session, statement) => startInsert(session, statement),
  render: ({ table, rows, options }, catalog) => renderInsert(table, rows, options, catalog),
});
