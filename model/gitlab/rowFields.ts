/**
 * Typed reads of single columns of a row, asserting the type the schema promises; the helpers
 * and workers walk tables by their bigint `id`.
 */
import type { Row, SqlValue } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';

export function integerField(row: Row, column: string): number {
  const value = row[column];
  assert(typeof value === 'number', `column ${column} should hold an integer, got ${String(value)}`);
  return value;
}

export function nullableIntegerField(row: Row, column: string): number | null {
  const value: SqlValue | undefined = row[column];
  assert(
    value === null || typeof value === 'number',
    `column ${column} should hold an integer or NULL, got ${String(value)}`,
  );
  return value;
}
