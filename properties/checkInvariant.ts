import type { Database } from '../src/database.js';
import { isSatisfiedAsCheck } from '../src/engine/expression.js';
import type { Violation } from '../src/harness/domain.js';
import { violation } from './violation.js';

/**
 * `validated-check-holds`: a CHECK constraint marked valid holds for every row of its table.
 * A NOT VALID one may have violators; that is the point of NOT VALID, so it is not checked.
 */
export const VALIDATED_CHECK_HOLDS = 'validated-check-holds';

export function checkValidatedChecks(db: Database): Violation | null {
  for (const constraint of db.constraints()) {
    if (constraint.kind !== 'check' || !constraint.valid || constraint.checkExpr === null) continue;
    const table = constraint.table;
    for (const row of db.rows(table)) {
      if (!isSatisfiedAsCheck(constraint.checkExpr, { row })) {
        const described = 'id' in row ? `id=${String(row.id)}` : JSON.stringify(row);
        return violation(
          VALIDATED_CHECK_HOLDS,
          `check constraint ${constraint.name} on ${table} is marked valid, but row ${described} violates ${constraint.checkSql}`,
        );
      }
    }
  }
  return null;
}
