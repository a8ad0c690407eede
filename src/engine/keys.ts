import type { Row, SqlValue } from './values.js';

/**
 * Index keys. A single-column key is the value itself, so the common case costs no string
 * building; composite keys join their parts. A key with any NULL part is `null`: NULLs are
 * distinct in unique indexes and make a MATCH SIMPLE foreign key unchecked.
 */
export type IndexKey = number | string | boolean;

const SEPARATOR = '\u0001';

export function keyOfRow(row: Row, columns: readonly string[]): IndexKey | null {
  if (columns.length === 1) {
    const value = row[columns[0]!];
    return value === null || value === undefined ? null : value;
  }
  let key = '';
  for (let index = 0; index < columns.length; index++) {
    const value = row[columns[index]!];
    if (value === null || value === undefined) return null;
    key += index === 0 ? String(value) : SEPARATOR + String(value);
  }
  return key;
}

export function keyOfValues(values: readonly SqlValue[]): IndexKey | null {
  if (values.length === 1) return values[0] ?? null;
  if (values.some((value) => value === null)) return null;
  return values.map(String).join(SEPARATOR);
}

export function valuesOf(row: Row, columns: readonly string[]): SqlValue[] {
  return columns.map((column) => row[column] ?? null);
}
