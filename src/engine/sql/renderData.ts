/** DML and SELECT statements as PostgreSQL SQL. */
import type { InsertSelectStatement } from '../statements/insertSelect.js';
import type { LockingClause, SelectOptions } from '../statements/select.js';
import type { RowLockStrength } from '../catalog.js';
import type { DeleteOptions } from '../deleteStatement.js';
import { isExpr } from '../expression.js';
import type { Expr } from '../expression.js';
import { fromItemName } from '../fromItem.js';
import type { FromItem } from '../fromItem.js';
import type { InsertOptions } from '../insertStatement.js';
import { insertColumns } from '../rowBuilding.js';
import type { RowInput } from '../rowBuilding.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import type { Assignments, UpdateOptions } from '../updateStatement.js';
import type { CatalogView } from './catalogView.js';
import { columnType, renderTypedExpr, renderValue } from './renderExpr.js';
import type { ExprScope } from './renderExpr.js';

const scopeOf = (catalog: CatalogView, table: string): ExprScope => ({ catalog, table, outerTable: null });

function renderAssignments(set: Assignments, scope: ExprScope): string {
  return Object.entries(set)
    .map(
      ([column, value]) =>
        `${ident(column)} = ${isExpr(value) ? renderTypedExpr(value, scope, columnType(scope.catalog, scope.table, column)) : renderValue(value, columnType(scope.catalog, scope.table, column))}`,
    )
    .join(', ');
}

const whereClause = (where: Expr | null | undefined, scope: ExprScope): string =>
  where ? ` WHERE ${renderTypedExpr(where, scope)}` : '';

/** INSERT with one column list for all rows (a row without some column gets DEFAULT). */
export function renderInsert(
  table: string,
  rows: readonly RowInput[],
  options: InsertOptions,
  catalog: CatalogView,
): string {
  const names = insertColumns(rows);
  let body: string;
  if (names.length === 0) {
    const first = catalog.columns(table)?.[0]?.name;
    body =
      first === undefined || rows.length === 1
        ? ' DEFAULT VALUES'
        : ` (${ident(first)}) VALUES ${rows.map(() => '(DEFAULT)').join(', ')}`;
  } else {
    const tuples = rows.map(
      (row) =>
        `(${names.map((name) => (name in row ? renderValue(row[name] ?? null, columnType(catalog, table, name)) : 'DEFAULT')).join(', ')})`,
    );
    body = ` (${names.map(ident).join(', ')}) VALUES ${tuples.join(', ')}`;
  }
  return `INSERT INTO ${ident(table)}${body}${renderOnConflict(options, scopeOf(catalog, table))}`;
}

/** INSERT INTO t (cols) SELECT exprs FROM [ONLY] s [WHERE …] [FOR …] [ON CONFLICT …]. */
export function renderInsertSelect(statement: InsertSelectStatement, catalog: CatalogView): string {
  const { table, columns, query, options } = statement;
  const source = scopeOf(catalog, query.table);
  // A bare literal in the SELECT list takes its target column's type (to_timestamp for timestamptz).
  const list = query.select
    .map((expr, position) => renderTypedExpr(expr, source, columnType(catalog, table, columns[position] ?? '')))
    .join(', ');
  const locking = query.locking === undefined ? '' : renderLockingClause(query.locking);
  return (
    `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) SELECT ${list} FROM ` +
    `${query.only ? 'ONLY ' : ''}${ident(query.table)}${whereClause(query.where, source)}${locking}` +
    renderOnConflict(options, scopeOf(catalog, table))
  );
}

function renderOnConflict(options: InsertOptions, scope: ExprScope): string {
  const onConflict = options.onConflict;
  if (onConflict === undefined) return '';
  let target = '';
  if (onConflict.target !== undefined) {
    if (Array.isArray(onConflict.target)) {
      const columns = onConflict.target as readonly string[];
      target = ` (${columns.map(ident).join(', ')})${whereClause(onConflict.targetWhere, scope)}`;
    } else {
      target = ` ON CONSTRAINT ${ident((onConflict.target as { readonly constraint: string }).constraint)}`;
    }
  }
  // Inside DO UPDATE a bare column name is ambiguous with EXCLUDED's, so the target row's columns are qualified.
  const action =
    onConflict.action === 'nothing'
      ? 'DO NOTHING'
      : `DO UPDATE SET ${renderAssignments(onConflict.action.update, { ...scope, qualifyColumns: true })}`;
  return ` ON CONFLICT${target} ${action}`;
}

/**
 * UPDATE [ONLY] t SET … [FROM s [AS a]] [WHERE …]. With a FROM item the target's columns are
 * written `t.c` (a bare name the FROM item also has would be ambiguous, 42702).
 */
export function renderUpdate(
  table: string,
  set: Assignments,
  where: Expr | null,
  options: UpdateOptions,
  catalog: CatalogView,
  from?: FromItem,
): string {
  const scope: ExprScope =
    from === undefined
      ? scopeOf(catalog, table)
      : { ...scopeOf(catalog, table), qualifyColumns: true, from: { name: fromItemName(from), table: from.table } };
  const fromClause =
    from === undefined ? '' : ` FROM ${ident(from.table)}${from.alias === undefined ? '' : ` AS ${ident(from.alias)}`}`;
  return `UPDATE ${options.only ? 'ONLY ' : ''}${ident(table)} SET ${renderAssignments(set, scope)}${fromClause}${whereClause(where, scope)}`;
}

export function renderDelete(table: string, where: Expr | null, options: DeleteOptions, catalog: CatalogView): string {
  return `DELETE FROM ${options.only ? 'ONLY ' : ''}${ident(table)}${whereClause(where, scopeOf(catalog, table))}`;
}

export function renderSelect(table: string, options: SelectOptions, catalog: CatalogView): string {
  const order = options.orderBy?.length
    ? ` ORDER BY ${options.orderBy.map((term) => `${ident(term.column)} ${term.direction.toUpperCase()}`).join(', ')}`
    : '';
  const limit = options.limit !== undefined ? ` LIMIT ${options.limit}` : '';
  const locking = options.locking === undefined ? '' : renderLockingClause(options.locking);
  return `SELECT * FROM ${options.only ? 'ONLY ' : ''}${ident(table)}${whereClause(options.where, scopeOf(catalog, table))}${order}${limit}${locking}`;
}

const LOCKING_STRENGTH: Readonly<Record<RowLockStrength, string>> = {
  KeyShare: 'FOR KEY SHARE',
  Share: 'FOR SHARE',
  NoKeyUpdate: 'FOR NO KEY UPDATE',
  Update: 'FOR UPDATE',
};

function renderLockingClause(locking: LockingClause): string {
  const policy = locking.wait === 'nowait' ? ' NOWAIT' : locking.wait === 'skipLocked' ? ' SKIP LOCKED' : '';
  return ` ${LOCKING_STRENGTH[locking.strength]}${policy}`;
}
