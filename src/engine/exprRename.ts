/**
 * Column references renamed inside a stored expression (CHECK constraints, partial-index
 * predicates, trigger WHEN conditions), for ALTER TABLE … RENAME COLUMN. PostgreSQL stores these
 * expressions by attribute number, so a rename never touches them; the engine stores names, so it
 * rewrites every reference to the row the expression is evaluated on. Sub-queries (which stored
 * expressions cannot contain in PostgreSQL) read other tables and are left as they are.
 */
import type { Expr } from './expression.js';

export function renameColumnInExpr(expr: Expr, from: string, to: string): Expr {
  const again = (operand: Expr): Expr => renameColumnInExpr(operand, from, to);
  switch (expr.kind) {
    case 'column':
    case 'excluded':
    case 'triggerRow':
      return expr.name === from ? { ...expr, name: to } : expr;
    case 'outer':
    case 'fromColumn':
    case 'literal':
    case 'exists':
    case 'scalarSubquery':
      return expr;
    case 'compare':
    case 'arithmetic':
    case 'distinct':
      return { ...expr, left: again(expr.left), right: again(expr.right) };
    case 'isNull':
    case 'not':
      return { ...expr, operand: again(expr.operand) };
    case 'in':
      return { ...expr, operand: again(expr.operand), values: expr.values.map(again) };
    case 'and':
    case 'or':
      return { ...expr, operands: expr.operands.map(again) };
    case 'function':
      return { ...expr, args: expr.args.map(again) };
    case 'like':
      return { ...expr, operand: again(expr.operand), pattern: again(expr.pattern) };
    case 'case':
      return {
        ...expr,
        // biome-ignore lint/suspicious/noThenProperty: a CASE branch is WHEN … THEN …, as in SQL; nothing awaits it.
        whens: expr.whens.map((branch) => ({ when: again(branch.when), then: again(branch.then) })),
        otherwise: expr.otherwise === null ? null : again(expr.otherwise),
      };
  }
}
