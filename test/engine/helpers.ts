import { expect } from 'vitest';
import { type Database, PgError } from '../../src/index.js';
import type { Row } from '../../src/index.js';

/** The PostgreSQL error fields the tests pin down; an omitted field must be absent, as in PostgreSQL. */
export interface ExpectedPgError {
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
}

/** Runs `statement`, which must fail with a PgError, and returns that error. */
export function catchPgError(statement: () => unknown): PgError {
  try {
    statement();
  } catch (error) {
    if (error instanceof PgError) return error;
    throw error;
  }
  throw new Error('expected a PgError, but the statement succeeded');
}

/** Asserts the exact SQLSTATE, message, detail, constraint, table and column of the error `statement` raises. */
export function expectPgError(statement: () => unknown, expected: ExpectedPgError): PgError {
  const error = catchPgError(statement);
  expect({
    code: error.code,
    message: error.message,
    detail: error.detail,
    constraint: error.constraint,
    table: error.table,
    column: error.column,
  }).toEqual({
    code: expected.code,
    message: expected.message,
    detail: expected.detail,
    constraint: expected.constraint,
    table: expected.table,
    column: expected.column,
  });
  return error;
}

/** Rows of a table (all partitions), as plain objects sorted by the given columns. */
export function sortedRows(db: Database, table: string, ...by: string[]): Row[] {
  const keys = by.length > 0 ? by : ['id'];
  return [...db.rows(table)].sort((left, right) => {
    for (const key of keys) {
      const a = left[key] ?? null;
      const b = right[key] ?? null;
      if (a === b) continue;
      if (a === null) return 1;
      if (b === null) return -1;
      return a < b ? -1 : 1;
    }
    return 0;
  });
}

/** The ids of a table's rows, sorted. */
export function ids(db: Database, table: string, column = 'id'): unknown[] {
  return sortedRows(db, table, column).map((row) => row[column]);
}

/** A snapshot as plain data, for deep comparison. */
export function plainSnapshot(db: Database): Record<string, Row[]> {
  return Object.fromEntries([...db.snapshot()].map(([name, rows]) => [name, [...rows]]));
}

/** Creates row triggers that append `<name> <TIMING> <OP> on <table>` to `log`, returning nothing (keeping the row). */
export function logRowTrigger(
  db: Database,
  log: string[],
  table: string,
  name: string,
  timing: 'before' | 'after',
  events: ('insert' | 'update' | 'delete')[],
): void {
  db.createTrigger({
    name,
    table,
    timing,
    events,
    fn: ({ operation, tableName, triggerName }) => {
      log.push(`${triggerName} ${timing.toUpperCase()} ${operation} on ${tableName}`);
    },
  });
}

/** Creates a statement trigger that logs like `logRowTrigger`, with transition-table sizes when it reads them. */
export function logStatementTrigger(
  db: Database,
  log: string[],
  table: string,
  name: string,
  timing: 'before' | 'after',
  events: ('insert' | 'update' | 'delete')[],
  transitions = false,
): void {
  db.createTrigger({
    name,
    table,
    timing,
    events,
    level: 'statement',
    ...(transitions
      ? {
          referencing: {
            ...(events.some((event) => event !== 'insert') ? { oldTable: 'old_table' } : {}),
            ...(events.some((event) => event !== 'delete') ? { newTable: 'new_table' } : {}),
          },
        }
      : {}),
    fn: ({ operation, tableName, triggerName, oldTable, newTable }) => {
      log.push(
        `${triggerName} ${timing.toUpperCase()} ${operation} STATEMENT on ${tableName}${transitions ? ` old=${oldTable.length} new=${newTable.length}` : ''}`,
      );
    },
  });
}
