/**
 * Typed reads of single columns of a row, asserting the type the schema promises; the helpers
 * and workers walk tables by their bigint `id`.
 */
import type { Row, SqlValue } from '../../src/index.js';
import { fail } from '../../src/engine/assert.js';

export function integerField(row: Row, column: string): number {
  const value = row[column];
  // `fail` rather than `assert`: the message is formatted only when it fails (these reads are hot).
  if (typeof value !== 'number') fail(`column ${column} should hold an integer, got ${String(value)}`);
  return value;
}

export function nullableIntegerField(row: Row, column: string): number | null {
  const value: SqlValue | undefined = row[column];
  if (value !== null && typeof value !== 'number')
    fail(`column ${column} should hold an integer or NULL, got ${String(value)}`);
  return value;
}
