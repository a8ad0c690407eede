import { PgError, SqlState } from './errors.js';

/** A value stored in a column: integers and timestamps are JS numbers, as the brief fixes. */
export type SqlValue = number | string | boolean | null;

export type ColumnType = 'bigint' | 'integer' | 'smallint' | 'text' | 'boolean' | 'timestamptz';

/** A row is an immutable record from column name to value. */
export type Row = Readonly<Record<string, SqlValue>>;

const INTEGER_RANGES: Record<'integer' | 'smallint', readonly [number, number]> = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
};

/**
 * Checks that a JS value fits a column type, raising the SQLSTATE PostgreSQL would raise
 * when the literal is cast (22003 out of range, 22P02 invalid text representation).
 */
export function checkValueType(value: SqlValue, type: ColumnType): void {
  if (value === null) return;
  switch (type) {
    case 'bigint':
    case 'integer':
    case 'smallint':
    case 'timestamptz':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new PgError(
          SqlState.invalidTextRepresentation,
          `invalid input syntax for type ${type === 'timestamptz' ? 'timestamp with time zone' : type}: "${String(value)}"`,
        );
      }
      if (type === 'integer' || type === 'smallint') {
        const [low, high] = INTEGER_RANGES[type];
        if (value < low || value > high) throw new PgError(SqlState.numericValueOutOfRange, `${type} out of range`);
      }
      return;
    case 'text':
      if (typeof value !== 'string')
        throw new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type text: "${String(value)}"`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean')
        throw new PgError(
          SqlState.invalidTextRepresentation,
          `invalid input syntax for type boolean: "${String(value)}"`,
        );
      return;
  }
}

/**
 * Total order used by ORDER BY: NULLs sort last in ascending order, as PostgreSQL's default.
 * Values of one column always share a JS type, so mixed comparisons only order by type name.
 */
export function compareValues(left: SqlValue, right: SqlValue): number {
  if (left === right) return 0;
  if (left === null) return 1;
  if (right === null) return -1;
  if (typeof left === typeof right) return left < right ? -1 : left > right ? 1 : 0;
  return typeof left < typeof right ? -1 : 1;
}

/** Renders a value as PostgreSQL prints it inside `Failing row contains (...)` and `Key (...)=(...)`. */
export function formatValueForDetail(value: SqlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

export function formatValuesForDetail(values: readonly SqlValue[]): string {
  return values.map(formatValueForDetail).join(', ');
}
