/**
 * The FROM item of `UPDATE t SET … FROM s WHERE …` (the shape of GitLab's sharding-key backfills,
 * `UPDATE t SET col = s.col FROM s WHERE t.fk = s.id AND t.id BETWEEN …`): one further table,
 * joined to each target row by the WHERE clause. Expressions name its columns with `fromCol(s, c)`
 * (`s.c` in SQL); unqualified columns are the target's.
 *
 * PostgreSQL reads the FROM item through the statement's snapshot and never locks its rows. A
 * target row joined to several FROM rows is updated once, with the first join row the plan
 * produces (the later ones find it already updated by this command); the engine takes the first
 * FROM row in scan order, which is the plan's order only when the join is on a unique key of the
 * FROM item (as every backfill's is). After waiting for a target row's lock, EvalPlanQual re-checks
 * the WHERE clause on the newest target version with the same FROM row (PostgreSQL re-fetches a
 * non-locked relation's row by its tuple id, the version it joined), and the SET list reads them.
 */
import { fail } from './assert.js';
import type { Relation } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { and, childExpressions, isSatisfiedAsFilter, referencedColumns } from './expression.js';
import type { Expr } from './expression.js';
import { lookupRelation, scanTuples, subqueryRunner } from './scan.js';
import type { EngineState } from './session.js';
import { truncateIdentifier } from './identifier.js';
import type { Row, SqlValue } from './values.js';

export interface FromItem {
  readonly table: string;
  /** `FROM s AS alias`: the name expressions use; the table's own name without one. */
  readonly alias?: string;
}

/** The name by which a FROM item's columns are referenced. */
export const fromItemName = (from: FromItem): string => truncateIdentifier(from.alias ?? from.table);

/** Every `fromColumn` reference of an expression, outside sub-queries; fails on one inside a sub-query. */
function fromReferences(expr: Expr, into: Expr[] = []): Expr[] {
  if (expr.kind === 'fromColumn') into.push(expr);
  else if (expr.kind === 'exists' || expr.kind === 'scalarSubquery') {
    const where = expr.query.where;
    if (where !== null && fromReferences(where).length > 0)
      fail('the engine does not read a FROM item inside a sub-query');
  } else for (const child of childExpressions(expr)) fromReferences(child, into);
  return into;
}

/** The parser's check of the FROM item: its table exists (42P01) and its name is not the target's (42712). */
export function resolveFromItem(state: EngineState, target: Relation, from: FromItem): Relation {
  const relation = lookupRelation(state, from.table);
  const name = fromItemName(from);
  if (name === target.name) throw new PgError(SqlState.duplicateAlias, `table name "${name}" specified more than once`);
  return relation;
}

/**
 * The parser's checks of one expression of UPDATE … FROM: every `s.c` names the item (42P01) and an
 * existing column of it (42703), and every unqualified column exists in the target, which the SQL
 * qualifies (`t.c`), so the message names the target as PostgreSQL's does.
 */
export function checkJoinedExpression(target: Relation, from: FromItem, source: Relation, expr: Expr | null): void {
  if (expr === null) return;
  const name = fromItemName(from);
  for (const column of referencedColumns(expr))
    if (target.column(column) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column ${target.name}.${column} does not exist`);
  for (const reference of fromReferences(expr)) {
    if (reference.kind !== 'fromColumn') continue;
    const table = truncateIdentifier(reference.table);
    // The table's own name is hidden by an alias (errorMissingRTE's two messages).
    if (table !== name)
      throw new PgError(
        SqlState.undefinedTable,
        table === source.name
          ? `invalid reference to FROM-clause entry for table "${table}"`
          : `missing FROM-clause entry for table "${table}"`,
      );
    if (source.column(reference.name) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column ${reference.table}.${reference.name} does not exist`);
  }
}

const conjunctsOf = (expr: Expr | null): readonly Expr[] =>
  expr === null ? [] : expr.kind === 'and' ? expr.operands.flatMap(conjunctsOf) : [expr];

/** The WHERE clause's conjuncts that read only the target row: they choose the target rows to scan. */
export function targetOnlyCondition(where: Expr | null): Expr | null {
  const own = conjunctsOf(where).filter((conjunct) => fromReferences(conjunct).length === 0);
  return own.length === 0 ? null : and(...own);
}

/** The FROM item's rows as the statement's snapshot sees them, with a hash on one join equality. */
export interface JoinSource {
  readonly rows: readonly Row[];
  /** `t.a = s.b` among the WHERE's conjuncts: the FROM rows by their `b`, probed with the target's `a`. */
  readonly hash: { readonly targetColumn: string; readonly rows: Map<SqlValue, Row[]> } | null;
}

export function joinSource(state: EngineState, source: Relation, where: Expr | null): JoinSource {
  const rows = scanTuples(state, source, null).map((found) => found.tuple.row);
  for (const conjunct of conjunctsOf(where)) {
    if (conjunct.kind !== 'compare' || conjunct.op !== '=') continue;
    const { left, right } = conjunct;
    const pair =
      left.kind === 'column' && right.kind === 'fromColumn'
        ? [left.name, right.name]
        : right.kind === 'column' && left.kind === 'fromColumn'
          ? [right.name, left.name]
          : null;
    if (pair === null) continue;
    const [targetColumn, fromColumn] = pair as [string, string];
    const byValue = new Map<SqlValue, Row[]>();
    for (const row of rows) {
      const value = row[fromColumn] ?? null;
      // NULL equals nothing; the comparison itself is still evaluated on every candidate.
      if (value === null) continue;
      const bucket = byValue.get(value);
      if (bucket === undefined) byValue.set(value, [row]);
      else bucket.push(row);
    }
    return { rows, hash: { targetColumn, rows: byValue } };
  }
  return { rows, hash: null };
}

/** The first FROM row the target row joins (the WHERE clause holds on the pair), or null. */
export function joinedRow(state: EngineState, source: JoinSource, where: Expr | null, row: Row): Row | null {
  const candidates =
    source.hash === null ? source.rows : (source.hash.rows.get(row[source.hash.targetColumn] ?? null) ?? []);
  const subqueries = subqueryRunner(state);
  for (const fromRow of candidates) if (isSatisfiedAsFilter(where, { row, fromRow, subqueries })) return fromRow;
  return null;
}
