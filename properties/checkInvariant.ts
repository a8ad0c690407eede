import type { ConstraintInfo, Database } from '../src/database.js';
import { isSatisfiedAsCheck, referencedColumns } from '../src/engine/expression.js';
import type { Expr } from '../src/engine/expression.js';
import type { Violation } from '../src/harness/domain.js';
import { constraintsOfCatalog } from './constraintsOfCatalog.js';
import { tableColumns } from './rowsById.js';
import { unlessUnchanged } from './unchangedInputs.js';
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

/** The valid CHECK constraints of one catalog (`db.constraints()`), in catalog order, found once per catalog. */
const validChecks = constraintsOfCatalog(
  (constraint) => constraint.kind === 'check' && constraint.valid && constraint.checkExpr !== null,
);

/**
 * Per constraint description, the columns its expression reads (`referencedColumns`), or null when
 * it reads more than the row (a sub-query, which PostgreSQL refuses in a CHECK anyway).
 */
const readColumns = new WeakMap<ConstraintInfo, readonly string[] | null>();

function columnsRead(constraint: ConstraintInfo, expr: Expr): readonly string[] | null {
  let columns = readColumns.get(constraint);
  if (columns === undefined) {
    const text = JSON.stringify(expr);
    columns =
      text.includes('"kind":"exists"') || text.includes('"kind":"scalarSubquery"')
        ? null
        : Object.freeze([...referencedColumns(expr)]);
    readColumns.set(constraint, columns);
  }
  return columns;
}

/**
 * Skipped in whole while nothing in the database changed since it last held
 * (`Database.contentStamp`); otherwise a constraint is scanned again only when it or the columns
 * its expression reads of its table's rows changed since it last held (unchangedInputs.ts,
 * `tableColumns`).
 */
export function checkValidatedChecks(db: Database): Violation | null {
  return unlessUnchanged(db, VALIDATED_CHECK_HOLDS, [db.contentStamp()], () => {
    for (const constraint of validChecks(db.constraints())) {
      const expr = constraint.checkExpr!;
      const columns = columnsRead(constraint, expr);
      const inputs = [
        constraint,
        columns === null ? db.rows(constraint.table) : tableColumns(db, constraint.table, columns),
      ];
      const found = unlessUnchanged(db, constraint, inputs, () => checkConstraintRows(db, constraint, expr));
      if (found !== null) return found;
    }
    return null;
  });
}
