import type { Database } from '../src/database.js';
import type { Violation } from '../src/harness/domain.js';
import type { Row, SqlValue } from '../src/engine/values.js';
import { violation } from './violation.js';

/**
 * `validated-fk-holds`: a foreign key PostgreSQL considers valid has no violating row. Checked
 * by a full scan of both tables through `db.rows()`, never through the engine's own indexes or
 * RI code, so a bug in the engine's enforcement cannot hide itself.
 */
export const VALIDATED_FK_HOLDS = 'validated-fk-holds';

/**
 * A key as a Set member: a single-column key is its value itself (most keys are one id column,
 * and this check runs after every step), a composite key its values as JSON.
 */
const keyText = (values: readonly SqlValue[]): unknown => (values.length === 1 ? values[0] : JSON.stringify(values));

function describeRow(row: Row): string {
  return 'id' in row ? `row id=${String(row.id)}` : `row ${JSON.stringify(row)}`;
}

export function checkValidatedForeignKeys(db: Database): Violation | null {
  const referencedKeys = new Map<string, Set<unknown>>();
  for (const constraint of db.constraints()) {
    const table = constraint.table;
    {
      if (constraint.kind !== 'foreignKey' || !constraint.valid || constraint.referencedTable === null) continue;
      const cacheKey = `${constraint.referencedTable}(${constraint.referencedColumns.join(',')})`;
      let present = referencedKeys.get(cacheKey);
      if (present === undefined) {
        present = new Set(
          db
            .rows(constraint.referencedTable)
            .map((row) => keyText(constraint.referencedColumns.map((column) => row[column] ?? null))),
        );
        referencedKeys.set(cacheKey, present);
      }
      for (const row of db.rows(table)) {
        const values = constraint.columns.map((column) => row[column] ?? null);
        if (values.some((value) => value === null)) continue;
        if (!present.has(keyText(values))) {
          return violation(
            VALIDATED_FK_HOLDS,
            `foreign key ${constraint.name} on ${table} is marked valid, but ${describeRow(row)} has (${constraint.columns.join(', ')})=(${values.join(', ')}), missing from ${constraint.referencedTable}`,
          );
        }
      }
    }
  }
  return null;
}
