import type { ConstraintInfo, Database } from '../src/database.js';
import { isSatisfiedAsCheck, referencedColumns } from '../src/engine/expression.js';
import type { Expr } from '../src/engine/expression.js';
import type { Violation } from '../src/harness/domain.js';
import { tableColumns } from './rowsById.js';
import { incrementalChecks, sameInput, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * `validated-check-holds`: a CHECK constraint marked valid holds for every row of its table.
 * A NOT VALID one may have violators; that is the point of NOT VALID, so it is not checked.
 */
export const VALIDATED_CHECK_HOLDS = 'validated-check-holds';

function checkConstraintRows(db: Database, constraint: ConstraintInfo, expr: Expr): Violation | null {
  const table = constraint.table;
  for (const row of db.rows(table)) {
    if (!isSatisfiedAsCheck(expr, { row })) {
      const described = 'id' in row ? `id=${String(row.id)}` : JSON.stringify(row);
      return violation(
        VALIDATED_CHECK_HOLDS,
        `check constraint ${constraint.name} on ${table} is marked valid, but row ${described} violates ${constraint.checkSql}`,
      );
    }
  }
  return null;
}

/**
 * Per expression, the columns it reads (`referencedColumns`), or null when it reads more than the
 * row (a sub-query, which PostgreSQL refuses in a CHECK anyway). Keyed on the expression, which
 * nothing changes once built: a partition's CHECK shares its parent's, and a world's forks share
 * the base's where the catalog value is shared, so most descriptions find their answer already.
 */
const readColumns = new WeakMap<Expr, readonly string[] | null>();

function columnsRead(expr: Expr): readonly string[] | null {
  let columns = readColumns.get(expr);
  if (columns === undefined) {
    columns = hasSubquery(expr) ? null : Object.freeze([...referencedColumns(expr)]);
    readColumns.set(expr, columns);
  }
  return columns;
}

/**
 * Whether the expression holds a sub-query anywhere, found by walking it: a world's forks copy their
 * CHECKs' expressions, so this runs for a few expressions in every run, and serialising each to
 * search its text cost more than the rest of the check. Every kind is listed, so a new kind of
 * expression is a type error here until it is decided.
 */
function hasSubquery(expr: Expr): boolean {
  switch (expr.kind) {
    case 'exists':
    case 'scalarSubquery':
      return true;
    case 'column':
    case 'outer':
    case 'fromColumn':
    case 'excluded':
    case 'triggerRow':
    case 'literal':
      return false;
    case 'compare':
    case 'arithmetic':
    case 'distinct':
      return hasSubquery(expr.left) || hasSubquery(expr.right);
    case 'isNull':
    case 'not':
      return hasSubquery(expr.operand);
    case 'like':
      return hasSubquery(expr.operand) || hasSubquery(expr.pattern);
    case 'in':
      return hasSubquery(expr.operand) || expr.values.some(hasSubquery);
    case 'and':
    case 'or':
      return expr.operands.some(hasSubquery);
    case 'function':
      return expr.args.some(hasSubquery);
    case 'case':
      return (
        expr.whens.some((branch) => hasSubquery(branch.when) || hasSubquery(branch.then)) ||
        (expr.otherwise !== null && hasSubquery(expr.otherwise))
      );
  }
}

/**
 * Per database, each CHECK description's last pass: what it read then, the object standing for the
 * columns its expression reads (`tableColumns`) or, when it reads more, its table's rows. Keyed on
 * the description, which is the same object while the constraint is as it was (`db.constraints()`),
 * so a hit means the same expression over the same values (`sameInput`), which holds again.
 * `unlessUnchanged` with the inputs `[constraint, read]` answers the same, but this runs for every
 * CHECK after every step that wrote anything, so one whose table is as it was allocates nothing.
 */
const checkPasses = new WeakMap<Database, Map<ConstraintInfo, unknown>>();

/**
 * Skipped in whole while nothing in the database changed since it last held
 * (`Database.contentStamp`); otherwise a constraint is scanned again only when it or the columns
 * its expression reads of its table's rows changed since it last held (`checkPasses`).
 */
export function checkValidatedChecks(db: Database): Violation | null {
  return unlessUnchanged(db, VALIDATED_CHECK_HOLDS, [db.contentStamp()], () => checkEveryCheck(db));
}

function checkEveryCheck(db: Database): Violation | null {
  const incremental = incrementalChecks();
  let passes = checkPasses.get(db);
  if (passes === undefined) {
    passes = new Map();
    checkPasses.set(db, passes);
  }
  // The catalog's CHECKs in catalog order (`db.constraints()` order, the same descriptions),
  // listed once per catalog version; a NOT VALID one may have violators, that is its point.
  for (const constraint of db.constraintsOfKind('check')) {
    const expr = constraint.checkExpr;
    if (!constraint.valid || expr === null) continue;
    const columns = columnsRead(expr);
    const read = columns === null ? db.rows(constraint.table) : tableColumns(db, constraint.table, columns);
    if (incremental) {
      const last = passes.get(constraint);
      if (last !== undefined && sameInput(last, read)) continue;
    }
    const found = checkConstraintRows(db, constraint, expr);
    if (found !== null) {
      passes.delete(constraint);
      return found;
    }
    if (incremental) passes.set(constraint, read);
  }
  return null;
}
