/**
 * Expressions as PostgreSQL SQL, like the engine's `renderExpr` but aware of column types: the
 * engine stores `timestamptz` values as numbers (its logical clock), which PostgreSQL only
 * accepts as `to_timestamp(n)`. A literal takes the type of the column it is compared with.
 */
import type { Expr, SubqueryExpr } from '../expression.js';
import { quoteIdentifier, quoteLiteral } from '../sqlText.js';
import type { ColumnType, SqlValue } from '../values.js';
import type { CatalogView } from './catalogView.js';

export interface ExprScope {
  readonly catalog: CatalogView;
  /** The table whose row unqualified column references read. */
  readonly table: string;
  /** The enclosing statement's table, for `outer` references inside a sub-query. */
  readonly outerTable: string | null;
  /** The FROM item of `UPDATE … FROM`: its name in expressions (alias or table) and its table. */
  readonly from?: { readonly name: string; readonly table: string };
  /** Render the row's columns as `table.column` (inside ON CONFLICT DO UPDATE, where `excluded` is in scope too). */
  readonly qualifyColumns?: boolean;
}

export function renderValue(value: SqlValue, type: ColumnType | undefined): string {
  if (type === 'timestamptz' && typeof value === 'number') return `to_timestamp(${value})`;
  return quoteLiteral(value);
}

export function columnType(catalog: CatalogView, table: string | null, column: string): ColumnType | undefined {
  if (table === null) return undefined;
  return catalog.columns(table)?.find((candidate) => candidate.name === column)?.type;
}

function typeOf(expr: Expr, scope: ExprScope): ColumnType | undefined {
  switch (expr.kind) {
    case 'column':
    case 'excluded':
    case 'triggerRow':
      return columnType(scope.catalog, scope.table, expr.name);
    case 'outer':
      return columnType(scope.catalog, expr.table, expr.name) ?? columnType(scope.catalog, scope.outerTable, expr.name);
    case 'scalarSubquery':
      return columnType(scope.catalog, expr.query.table, expr.query.column);
    case 'fromColumn':
      return columnType(scope.catalog, scope.from?.table ?? expr.table, expr.name);
    default:
      return undefined;
  }
}

/** Renders `expr`; `hint` is the type a bare literal should take (from the other side of a comparison). */
export function renderTypedExpr(expr: Expr, scope: ExprScope, hint?: ColumnType): string {
  const render = (operand: Expr, operandHint?: ColumnType): string => renderTypedExpr(operand, scope, operandHint);
  switch (expr.kind) {
    case 'column':
      return scope.qualifyColumns
        ? `${quoteIdentifier(scope.table)}.${quoteIdentifier(expr.name)}`
        : quoteIdentifier(expr.name);
    case 'outer':
    case 'fromColumn':
      return `${quoteIdentifier(expr.table)}.${quoteIdentifier(expr.name)}`;
    case 'excluded':
      return `excluded.${quoteIdentifier(expr.name)}`;
    case 'triggerRow':
      return `${expr.row.toUpperCase()}.${quoteIdentifier(expr.name)}`;
    case 'literal':
      return renderValue(expr.value, hint);
    case 'compare': {
      const type = typeOf(expr.left, scope) ?? typeOf(expr.right, scope);
      return `(${render(expr.left, type)} ${expr.op} ${render(expr.right, type)})`;
    }
    case 'isNull':
      return `(${render(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'in': {
      const type = typeOf(expr.operand, scope);
      return `(${render(expr.operand)} ${expr.negated ? 'NOT ' : ''}IN (${expr.values.map((value) => render(value, type)).join(', ')}))`;
    }
    case 'and':
      return `(${expr.operands.map((operand) => render(operand)).join(' AND ')})`;
    case 'or':
      return `(${expr.operands.map((operand) => render(operand)).join(' OR ')})`;
    case 'not':
      return `(NOT ${render(expr.operand)})`;
    case 'exists':
      return `(EXISTS (${renderSubquery(expr.query, '1', scope)}))`;
    case 'scalarSubquery':
      return `(${renderSubquery(expr.query, quoteIdentifier(expr.query.column), scope)})`;
    case 'arithmetic': {
      const type = typeOf(expr.left, scope) ?? typeOf(expr.right, scope);
      return `(${render(expr.left, type)} ${expr.op} ${render(expr.right, type)})`;
    }
    case 'function': {
      const type = expr.args.map((arg) => typeOf(arg, scope)).find((candidate) => candidate !== undefined);
      return `${expr.name}(${expr.args.map((arg) => render(arg, type)).join(', ')})`;
    }
    case 'case': {
      const type = [...expr.whens.map((branch) => branch.then), ...(expr.otherwise === null ? [] : [expr.otherwise])]
        .map((branch) => typeOf(branch, scope))
        .find((candidate) => candidate !== undefined);
      const branches = expr.whens
        .map((branch) => `WHEN ${render(branch.when)} THEN ${render(branch.then, type)}`)
        .join(' ');
      return `(CASE ${branches}${expr.otherwise === null ? '' : ` ELSE ${render(expr.otherwise, type)}`} END)`;
    }
    case 'distinct': {
      const type = typeOf(expr.left, scope) ?? typeOf(expr.right, scope);
      return `(${render(expr.left, type)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${render(expr.right, type)})`;
    }
    case 'like':
      return `(${render(expr.operand)} ${expr.negated ? 'NOT ' : ''}LIKE ${render(expr.pattern)})`;
  }
}

function renderSubquery(query: SubqueryExpr, selectList: string, scope: ExprScope): string {
  const inner: ExprScope = { catalog: scope.catalog, table: query.table, outerTable: scope.table };
  const where = query.where ? ` WHERE ${renderTypedExpr(query.where, inner)}` : '';
  const order = query.orderBy.length
    ? ` ORDER BY ${query.orderBy.map((term) => `${quoteIdentifier(term.column)} ${term.direction.toUpperCase()}`).join(', ')}`
    : '';
  const limit = query.limit !== null ? ` LIMIT ${query.limit}` : '';
  return `SELECT ${selectList} FROM ${quoteIdentifier(query.table)}${where}${order}${limit}`;
}
