import { assert, fail } from './assert.js';
import { PgError, SqlState } from './errors.js';
import { quoteIdentifier, quoteLiteral } from './sqlText.js';
import type { Row, SqlValue } from './values.js';
import { compareValues } from './values.js';

/**
 * A small expression tree, enough for CHECK constraints, partial-index predicates, WHERE clauses
 * and the correlated sub-queries GitLab's services issue. Evaluation follows SQL three-valued
 * logic: `null` stands for UNKNOWN.
 */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface SubqueryExpr {
  readonly table: string;
  /** The selected column for a scalar sub-query; ignored by EXISTS. */
  readonly column: string;
  readonly where: Expr | null;
  readonly orderBy: readonly OrderTerm[];
  readonly limit: number | null;
}

export interface OrderTerm {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
}

export type Expr =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'outer'; readonly name: string; readonly table: string }
  /** A column of the FROM item's row in `UPDATE … FROM` (`table` is the item's name or alias). */
  | { readonly kind: 'fromColumn'; readonly name: string; readonly table: string }
  | { readonly kind: 'excluded'; readonly name: string }
  /** `OLD.name` or `NEW.name` in a trigger's WHEN condition. */
  | { readonly kind: 'triggerRow'; readonly row: 'old' | 'new'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: SqlValue }
  | { readonly kind: 'compare'; readonly op: ComparisonOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'isNull'; readonly operand: Expr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly operand: Expr; readonly values: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'and'; readonly operands: readonly Expr[] }
  | { readonly kind: 'or'; readonly operands: readonly Expr[] }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'exists'; readonly query: SubqueryExpr }
  | { readonly kind: 'scalarSubquery'; readonly query: SubqueryExpr }
  | { readonly kind: 'arithmetic'; readonly op: ArithmeticOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'function'; readonly name: ScalarFunction; readonly args: readonly Expr[] }
  | { readonly kind: 'case'; readonly whens: readonly CaseBranch[]; readonly otherwise: Expr | null }
  /** `left IS DISTINCT FROM right` (or `IS NOT DISTINCT FROM` when negated): NULL-safe inequality. */
  | { readonly kind: 'distinct'; readonly left: Expr; readonly right: Expr; readonly negated: boolean }
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean };

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
/** The functions CHECK constraints of GitLab's migrations use (`add_text_limit` is `char_length(col) <= N`). */
export type ScalarFunction = 'char_length' | 'length' | 'lower' | 'upper' | 'coalesce';

export interface CaseBranch {
  readonly when: Expr;
  readonly then: Expr;
}

/** Builders, so plans and tests read like SQL. */
export const col = (name: string): Expr => ({ kind: 'column', name });
/** A column of the enclosing statement's row, inside a correlated sub-query. */
export const outer = (table: string, name: string): Expr => ({ kind: 'outer', table, name });
export const excluded = (name: string): Expr => ({ kind: 'excluded', name });
/** `s.name` where `s` is the FROM item of an `UPDATE … FROM s` (its table name or alias). */
export const fromCol = (table: string, name: string): Expr => ({ kind: 'fromColumn', table, name });
/** `OLD.name` in a trigger's WHEN condition. */
export const oldCol = (name: string): Expr => ({ kind: 'triggerRow', row: 'old', name });
/** `NEW.name` in a trigger's WHEN condition. */
export const newCol = (name: string): Expr => ({ kind: 'triggerRow', row: 'new', name });
export const lit = (value: SqlValue): Expr => ({ kind: 'literal', value });
const toExpr = (value: Expr | SqlValue): Expr => (isExpr(value) ? value : lit(value));
export const compare = (op: ComparisonOperator, left: Expr | SqlValue, right: Expr | SqlValue): Expr => ({
  kind: 'compare',
  op,
  left: toExpr(left),
  right: toExpr(right),
});
export const eq = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('=', left, right);
export const ne = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('<>', left, right);
export const lt = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('<', left, right);
export const le = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('<=', left, right);
export const gt = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('>', left, right);
export const ge = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => compare('>=', left, right);
export const isNull = (operand: Expr | SqlValue): Expr => ({
  kind: 'isNull',
  operand: toExpr(operand),
  negated: false,
});
export const isNotNull = (operand: Expr | SqlValue): Expr => ({
  kind: 'isNull',
  operand: toExpr(operand),
  negated: true,
});
export const inList = (operand: Expr | SqlValue, values: readonly (Expr | SqlValue)[]): Expr => ({
  kind: 'in',
  operand: toExpr(operand),
  values: values.map(toExpr),
  negated: false,
});
export const notInList = (operand: Expr | SqlValue, values: readonly (Expr | SqlValue)[]): Expr => ({
  kind: 'in',
  operand: toExpr(operand),
  values: values.map(toExpr),
  negated: true,
});
export const and = (...operands: Expr[]): Expr => (operands.length === 1 ? operands[0]! : { kind: 'and', operands });
export const or = (...operands: Expr[]): Expr => (operands.length === 1 ? operands[0]! : { kind: 'or', operands });
export const not = (operand: Expr): Expr => ({ kind: 'not', operand });
export const exists = (query: Partial<SubqueryExpr> & { table: string }): Expr => ({
  kind: 'exists',
  query: completeSubquery(query),
});
export const scalarSubquery = (query: Partial<SubqueryExpr> & { table: string; column: string }): Expr => ({
  kind: 'scalarSubquery',
  query: completeSubquery(query),
});

export const arithmetic = (op: ArithmeticOperator, left: Expr | SqlValue, right: Expr | SqlValue): Expr => ({
  kind: 'arithmetic',
  op,
  left: toExpr(left),
  right: toExpr(right),
});
export const fn = (name: ScalarFunction, ...args: (Expr | SqlValue)[]): Expr => ({
  kind: 'function',
  name,
  args: args.map(toExpr),
});
export const charLength = (operand: Expr | SqlValue): Expr => fn('char_length', operand);
export const lower = (operand: Expr | SqlValue): Expr => fn('lower', operand);
export const upper = (operand: Expr | SqlValue): Expr => fn('upper', operand);
export const coalesce = (...operands: (Expr | SqlValue)[]): Expr => fn('coalesce', ...operands);
export const caseWhen = (whens: readonly (readonly [Expr, Expr | SqlValue])[], otherwise?: Expr | SqlValue): Expr => ({
  kind: 'case',
  // biome-ignore lint/suspicious/noThenProperty: a CASE branch is WHEN … THEN …, as in SQL; nothing awaits it.
  whens: whens.map(([when, then]) => ({ when, then: toExpr(then) })),
  otherwise: otherwise === undefined ? null : toExpr(otherwise),
});
export const isDistinctFrom = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => ({
  kind: 'distinct',
  left: toExpr(left),
  right: toExpr(right),
  negated: false,
});
export const isNotDistinctFrom = (left: Expr | SqlValue, right: Expr | SqlValue): Expr => ({
  kind: 'distinct',
  left: toExpr(left),
  right: toExpr(right),
  negated: true,
});
export const like = (operand: Expr | SqlValue, pattern: Expr | SqlValue): Expr => ({
  kind: 'like',
  operand: toExpr(operand),
  pattern: toExpr(pattern),
  negated: false,
});
export const notLike = (operand: Expr | SqlValue, pattern: Expr | SqlValue): Expr => ({
  kind: 'like',
  operand: toExpr(operand),
  pattern: toExpr(pattern),
  negated: true,
});

function completeSubquery(query: Partial<SubqueryExpr> & { table: string }): SubqueryExpr {
  return {
    table: query.table,
    column: query.column ?? 'id',
    where: query.where ?? null,
    orderBy: query.orderBy ?? [],
    limit: query.limit ?? null,
  };
}

export function isExpr(value: unknown): value is Expr {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/** Evaluates sub-queries; supplied by the executor, which owns the tables. */
export interface SubqueryRunner {
  /** The query's rows for `outerRow`; `limit`, when given, replaces the query's own (EXISTS reads one). */
  rows(query: SubqueryExpr, outerRow: Row, limit?: number): readonly Row[];
}

export interface EvaluationContext {
  readonly row: Row;
  readonly outerRow?: Row;
  readonly excludedRow?: Row;
  /** The row of the FROM item joined to `row` in `UPDATE … FROM`. */
  readonly fromRow?: Row;
  readonly subqueries?: SubqueryRunner;
  /** OLD and NEW of a row trigger, for its WHEN condition. */
  readonly triggerRows?: { readonly old: Row | null; readonly new: Row | null };
}

export function evaluate(expr: Expr, context: EvaluationContext): SqlValue {
  switch (expr.kind) {
    case 'column': {
      const value = context.row[expr.name];
      if (value === undefined) fail(`column ${expr.name} is not in the row being evaluated`);
      return value;
    }
    case 'outer': {
      if (context.outerRow === undefined) fail(`outer reference ${expr.table}.${expr.name} outside a sub-query`);
      const value = context.outerRow[expr.name];
      if (value === undefined) fail(`outer column ${expr.name} is not in the enclosing row`);
      return value;
    }
    case 'fromColumn': {
      if (context.fromRow === undefined) fail(`${expr.table}.${expr.name} outside UPDATE … FROM`);
      const value = context.fromRow[expr.name];
      if (value === undefined) fail(`column ${expr.name} is not in the FROM item's row`);
      return value;
    }
    case 'excluded': {
      assert(context.excludedRow !== undefined, 'EXCLUDED is only visible in ON CONFLICT DO UPDATE');
      const value = context.excludedRow[expr.name];
      if (value === undefined) fail(`excluded column ${expr.name} is not in the proposed row`);
      return value;
    }
    case 'triggerRow': {
      const row = context.triggerRows?.[expr.row];
      // Formatted only on failure: WHEN conditions are evaluated for every row a trigger may fire on.
      if (row === undefined || row === null) fail(`${expr.row.toUpperCase()} is not available to this trigger's WHEN`);
      const value = row[expr.name];
      if (value === undefined) fail(`column ${expr.name} is not in the trigger's ${expr.row.toUpperCase()} row`);
      return value;
    }
    case 'literal':
      return expr.value;
    case 'compare': {
      const left = evaluate(expr.left, context);
      const right = evaluate(expr.right, context);
      if (left === null || right === null) return null;
      const order = compareValues(left, right);
      switch (expr.op) {
        case '=':
          return order === 0;
        case '<>':
          return order !== 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
      }
      break;
    }
    case 'isNull': {
      const value = evaluate(expr.operand, context);
      return expr.negated ? value !== null : value === null;
    }
    case 'in': {
      const value = evaluate(expr.operand, context);
      if (value === null) return null;
      let sawNull = false;
      // Indexed loops here and below: evaluate runs for every row a statement reads, often before V8
      // has optimised it (it sees every expression shape), and a for…of loop in unoptimised code
      // allocates an iterator and a result object per element (docs/performance.md).
      const values = expr.values;
      for (let index = 0; index < values.length; index++) {
        const other = evaluate(values[index]!, context);
        if (other === null) sawNull = true;
        else if (compareValues(value, other) === 0) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case 'and': {
      let result: boolean | null = true;
      const operands = expr.operands;
      for (let index = 0; index < operands.length; index++) {
        const value = evaluate(operands[index]!, context);
        if (value === false) return false;
        if (value === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: boolean | null = false;
      const operands = expr.operands;
      for (let index = 0; index < operands.length; index++) {
        const value = evaluate(operands[index]!, context);
        if (value === true) return true;
        if (value === null) result = null;
      }
      return result;
    }
    case 'not': {
      const value = evaluate(expr.operand, context);
      return value === null ? null : !value;
    }
    case 'exists': {
      assert(context.subqueries !== undefined, 'EXISTS needs a sub-query runner');
      return context.subqueries.rows(expr.query, context.row, 1).length > 0;
    }
    case 'arithmetic':
      return evaluateArithmetic(expr.op, evaluate(expr.left, context), evaluate(expr.right, context));
    case 'function': {
      const args = expr.args;
      if (expr.name === 'coalesce') {
        // As PostgreSQL: the arguments right of the first non-null one are not evaluated, so an
        // error one of them would raise (a division by zero) is not raised.
        for (let index = 0; index < args.length; index++) {
          const value = evaluate(args[index]!, context);
          if (value !== null) return value;
        }
        return null;
      }
      assert(args.length === 1, `${expr.name} takes one argument`);
      return evaluateTextFunction(expr.name, evaluate(args[0]!, context));
    }
    case 'case': {
      const whens = expr.whens;
      for (let index = 0; index < whens.length; index++)
        if (evaluate(whens[index]!.when, context) === true) return evaluate(whens[index]!.then, context);
      return expr.otherwise === null ? null : evaluate(expr.otherwise, context);
    }
    case 'distinct': {
      const left = evaluate(expr.left, context);
      const right = evaluate(expr.right, context);
      const distinct = left === null || right === null ? left !== right : compareValues(left, right) !== 0;
      return expr.negated ? !distinct : distinct;
    }
    case 'like': {
      const value = evaluate(expr.operand, context);
      const pattern = evaluate(expr.pattern, context);
      if (value === null || pattern === null) return null;
      assert(typeof value === 'string' && typeof pattern === 'string', 'LIKE compares text');
      const matches = likePattern(pattern).test(value);
      return expr.negated ? !matches : matches;
    }
    case 'scalarSubquery': {
      assert(context.subqueries !== undefined, 'a scalar sub-query needs a sub-query runner');
      const rows = context.subqueries.rows(expr.query, context.row);
      assert(rows.length <= 1 || expr.query.limit === 1, 'a scalar sub-query returned more than one row; add LIMIT 1');
      const first = rows[0];
      return first === undefined ? null : (first[expr.query.column] ?? null);
    }
  }
  throw new Error('unreachable');
}

/** Integer arithmetic as PostgreSQL's int operators: NULL in, NULL out; division truncates toward zero. */
function evaluateArithmetic(op: ArithmeticOperator, left: SqlValue, right: SqlValue): SqlValue {
  if (left === null || right === null) return null;
  if (typeof left !== 'number' || typeof right !== 'number') fail(`arithmetic ${op} needs numbers`);
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      if (right === 0) throw new PgError(SqlState.divisionByZero, 'division by zero');
      return Math.trunc(left / right);
    case '%': {
      // int4mod: the remainder takes the dividend's sign, as JavaScript's; `+ 0` turns -0 into 0.
      if (right === 0) throw new PgError(SqlState.divisionByZero, 'division by zero');
      return (left % right) + 0;
    }
  }
}

/** The one-argument text functions (COALESCE is evaluated lazily by `evaluate`). */
function evaluateTextFunction(name: Exclude<ScalarFunction, 'coalesce'>, value: SqlValue): SqlValue {
  if (value === null) return null;
  assert(typeof value === 'string', `${name} takes text`);
  switch (name) {
    // Characters, not UTF-16 code units: PostgreSQL counts code points of a UTF-8 database.
    case 'char_length':
    case 'length':
      return [...value].length;
    case 'lower':
      return value.toLowerCase();
    case 'upper':
      return value.toUpperCase();
  }
}

const likeCache = new Map<string, RegExp>();

/** A LIKE pattern as an anchored regular expression: `%` any run, `_` one character, `\` escapes. */
function likePattern(pattern: string): RegExp {
  const cached = likeCache.get(pattern);
  if (cached !== undefined) return cached;
  let source = '';
  const characters = [...pattern];
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]!;
    if (character === '\\' && index + 1 < characters.length)
      source += characters[++index]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (character === '%') source += '.*';
    else if (character === '_') source += '.';
    else source += character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const compiled = new RegExp(`^${source}$`, 'su');
  likeCache.set(pattern, compiled);
  return compiled;
}

/** WHERE semantics: only TRUE passes. */
export function isSatisfiedAsFilter(expr: Expr | null, context: EvaluationContext): boolean {
  return expr === null || evaluate(expr, context) === true;
}

/** CHECK semantics: TRUE or UNKNOWN passes. */
export function isSatisfiedAsCheck(expr: Expr, context: EvaluationContext): boolean {
  return evaluate(expr, context) !== false;
}

/** Columns of the evaluated row that an expression reads (not those of sub-queries' own tables). */
export function referencedColumns(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'column':
      into.add(expr.name);
      break;
    case 'compare':
      referencedColumns(expr.left, into);
      referencedColumns(expr.right, into);
      break;
    case 'isNull':
    case 'not':
      referencedColumns(expr.operand, into);
      break;
    case 'in':
      referencedColumns(expr.operand, into);
      for (const value of expr.values) referencedColumns(value, into);
      break;
    case 'and':
    case 'or':
      for (const operand of expr.operands) referencedColumns(operand, into);
      break;
    case 'exists':
    case 'scalarSubquery':
      collectOuterReferences(expr.query, into);
      break;
    case 'arithmetic':
    case 'distinct':
      referencedColumns(expr.left, into);
      referencedColumns(expr.right, into);
      break;
    case 'function':
      for (const arg of expr.args) referencedColumns(arg, into);
      break;
    case 'like':
      referencedColumns(expr.operand, into);
      referencedColumns(expr.pattern, into);
      break;
    case 'case':
      for (const branch of expr.whens) {
        referencedColumns(branch.when, into);
        referencedColumns(branch.then, into);
      }
      if (expr.otherwise !== null) referencedColumns(expr.otherwise, into);
      break;
    default:
      break;
  }
  return into;
}

/** The direct sub-expressions of an expression (sub-queries' own WHERE clauses excluded). */
export function childExpressions(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'compare':
    case 'arithmetic':
    case 'distinct':
      return [expr.left, expr.right];
    case 'isNull':
    case 'not':
      return [expr.operand];
    case 'in':
      return [expr.operand, ...expr.values];
    case 'and':
    case 'or':
      return expr.operands;
    case 'function':
      return expr.args;
    case 'like':
      return [expr.operand, expr.pattern];
    case 'case':
      return [
        ...expr.whens.flatMap((branch) => [branch.when, branch.then]),
        ...(expr.otherwise === null ? [] : [expr.otherwise]),
      ];
    default:
      return [];
  }
}

function collectOuterReferences(query: SubqueryExpr, into: Set<string>): void {
  const walk = (expr: Expr): void => {
    if (expr.kind === 'outer') into.add(expr.name);
    else childExpressions(expr).forEach(walk);
  };
  if (query.where) walk(query.where);
}

/**
 * The equality bindings an index can serve: `a = 1 AND b IN (2, 3)` gives a→[1], b→[2,3].
 * Only top-level conjuncts count; anything else is left to the filter that always re-checks.
 */
export function equalityBindings(expr: Expr | null, outerRow?: Row): Map<string, SqlValue[]> {
  const bindings = new Map<string, SqlValue[]>();
  if (expr === null) return bindings;
  const constant = (operand: Expr): SqlValue | undefined => {
    if (operand.kind === 'literal') return operand.value;
    if (operand.kind === 'outer' && outerRow) return outerRow[operand.name];
    return undefined;
  };
  const visit = (conjunct: Expr): void => {
    if (conjunct.kind === 'and') {
      conjunct.operands.forEach(visit);
      return;
    }
    if (conjunct.kind === 'compare' && conjunct.op === '=') {
      const [column, value] =
        conjunct.left.kind === 'column'
          ? [conjunct.left.name, constant(conjunct.right)]
          : conjunct.right.kind === 'column'
            ? [conjunct.right.name, constant(conjunct.left)]
            : [undefined, undefined];
      if (column !== undefined && value !== undefined && !bindings.has(column)) bindings.set(column, [value]);
      return;
    }
    if (
      conjunct.kind === 'in' &&
      !conjunct.negated &&
      conjunct.operand.kind === 'column' &&
      !bindings.has(conjunct.operand.name)
    ) {
      const values = conjunct.values.map(constant);
      if (values.every((value) => value !== undefined)) bindings.set(conjunct.operand.name, values as SqlValue[]);
    }
  };
  visit(expr);
  return bindings;
}

/** Renders an expression as PostgreSQL SQL text (constraint definitions, WHERE clauses). */
export function renderExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
      return quoteIdentifier(expr.name);
    case 'outer':
    case 'fromColumn':
      return `${quoteIdentifier(expr.table)}.${quoteIdentifier(expr.name)}`;
    case 'excluded':
      return `excluded.${quoteIdentifier(expr.name)}`;
    case 'triggerRow':
      return `${expr.row.toUpperCase()}.${quoteIdentifier(expr.name)}`;
    case 'literal':
      return quoteLiteral(expr.value);
    case 'compare':
      return `(${renderExpr(expr.left)} ${expr.op} ${renderExpr(expr.right)})`;
    case 'isNull':
      return `(${renderExpr(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'in':
      return `(${renderExpr(expr.operand)} ${expr.negated ? 'NOT ' : ''}IN (${expr.values.map(renderExpr).join(', ')}))`;
    case 'and':
      return `(${expr.operands.map(renderExpr).join(' AND ')})`;
    case 'or':
      return `(${expr.operands.map(renderExpr).join(' OR ')})`;
    case 'not':
      return `(NOT ${renderExpr(expr.operand)})`;
    case 'exists':
      return `(EXISTS (${renderSubquery(expr.query, '1')}))`;
    case 'scalarSubquery':
      return `(${renderSubquery(expr.query, quoteIdentifier(expr.query.column))})`;
    case 'arithmetic':
      return `(${renderExpr(expr.left)} ${expr.op} ${renderExpr(expr.right)})`;
    case 'function':
      return `${expr.name}(${expr.args.map(renderExpr).join(', ')})`;
    case 'case':
      return `(CASE ${expr.whens.map((branch) => `WHEN ${renderExpr(branch.when)} THEN ${renderExpr(branch.then)}`).join(' ')}${expr.otherwise === null ? '' : ` ELSE ${renderExpr(expr.otherwise)}`} END)`;
    case 'distinct':
      return `(${renderExpr(expr.left)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${renderExpr(expr.right)})`;
    case 'like':
      return `(${renderExpr(expr.operand)} ${expr.negated ? 'NOT ' : ''}LIKE ${renderExpr(expr.pattern)})`;
  }
}

function renderSubquery(query: SubqueryExpr, selectList: string): string {
  const where = query.where ? ` WHERE ${renderExpr(query.where)}` : '';
  const order = query.orderBy.length
    ? ` ORDER BY ${query.orderBy.map((term) => `${quoteIdentifier(term.column)} ${term.direction.toUpperCase()}`).join(', ')}`
    : '';
  const limit = query.limit !== null ? ` LIMIT ${query.limit}` : '';
  return `SELECT ${selectList} FROM ${quoteIdentifier(query.table)}${where}${order}${limit}`;
}
