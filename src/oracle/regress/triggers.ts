/**
 * Trigger functions for ported regression cases, each written twice: in TypeScript for the
 * engine and in PL/pgSQL for PostgreSQL. PostgreSQL's own tests mostly RAISE NOTICE; here the
 * triggers write to a `trigger_log` table whose `id` comes from a sequence, so the firing order
 * becomes part of the final contents both sides are compared on.
 */
import type { TriggerEvent, TriggerTiming } from '../../engine/catalog.js';
import type { RowTriggerSpec, StatementTriggerSpec } from '../../engine/ddl/specs.js';
import { PgError } from '../../engine/errors.js';
import type { Row, SqlValue } from '../../engine/values.js';
import type { Statement } from '../../engine/statements/registry.js';
import { table } from './sql.js';

export const TRIGGER_LOG = 'trigger_log';

/** `CREATE TABLE trigger_log`: run before any logging trigger fires. */
export const triggerLog: Statement = table(
  TRIGGER_LOG,
  'id bigserial, name text, tbl text, op text, tg_when text, tg_level text, val int',
);

interface TriggerShape {
  readonly name: string;
  readonly table: string;
  readonly timing: TriggerTiming;
  readonly events: readonly TriggerEvent[];
}

const functionName = (shape: TriggerShape, kind: string): string => `${shape.table}_${shape.name}_${kind}`;

const columnValue = (row: Row | null, column: string): SqlValue => {
  const value = row?.[column];
  return value === undefined ? null : value;
};

/** A row trigger that logs TG_NAME, TG_TABLE_NAME, TG_OP, TG_WHEN and the row's `column`, and changes nothing. */
export function logRowTrigger(shape: TriggerShape, column = 'a'): RowTriggerSpec {
  const value = `CASE WHEN TG_OP = 'DELETE' THEN OLD.${column} ELSE NEW.${column} END`;
  return {
    ...shape,
    level: 'row',
    functionName: functionName(shape, 'log'),
    functionBody: `BEGIN\n  INSERT INTO ${TRIGGER_LOG} (name, tbl, op, tg_when, tg_level, val) VALUES (TG_NAME, TG_TABLE_NAME, TG_OP, TG_WHEN, TG_LEVEL, ${value});\n  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n  RETURN NEW;\nEND`,
    fn: ({ operation, timing, tableName, triggerName, oldRow, newRow, db }) => {
      db.insert(TRIGGER_LOG, {
        name: triggerName,
        tbl: tableName,
        op: operation,
        tg_when: timing.toUpperCase(),
        tg_level: 'ROW',
        val: columnValue(operation === 'DELETE' ? oldRow : newRow, column),
      });
    },
  };
}

/** A statement trigger that logs TG_NAME, TG_TABLE_NAME, TG_OP and TG_WHEN. */
export function logStatementTrigger(shape: TriggerShape): StatementTriggerSpec {
  return {
    ...shape,
    level: 'statement',
    functionName: functionName(shape, 'log'),
    functionBody: `BEGIN\n  INSERT INTO ${TRIGGER_LOG} (name, tbl, op, tg_when, tg_level) VALUES (TG_NAME, TG_TABLE_NAME, TG_OP, TG_WHEN, TG_LEVEL);\n  RETURN NULL;\nEND`,
    fn: ({ operation, timing, tableName, triggerName, db }) => {
      db.insert(TRIGGER_LOG, {
        name: triggerName,
        tbl: tableName,
        op: operation,
        tg_when: timing.toUpperCase(),
        tg_level: 'STATEMENT',
        val: null,
      });
    },
  };
}

/** A BEFORE row trigger that sets NEW.column to a constant (or adds `add` to an integer column). */
export function setColumnTrigger(
  shape: Omit<TriggerShape, 'timing'>,
  column: string,
  change: { readonly value: SqlValue } | { readonly add: number },
): RowTriggerSpec {
  const assignment =
    'value' in change
      ? change.value === null
        ? 'NULL'
        : typeof change.value === 'string'
          ? `'${change.value.replace(/'/g, "''")}'`
          : String(change.value)
      : `NEW.${column} + ${change.add}`;
  return {
    ...shape,
    timing: 'before',
    level: 'row',
    functionName: functionName({ ...shape, timing: 'before' }, 'set'),
    functionBody: `BEGIN\n  NEW.${column} := ${assignment};\n  RETURN NEW;\nEND`,
    fn: ({ newRow }) => {
      if (newRow === null) return undefined;
      if ('value' in change) return { ...newRow, [column]: change.value };
      const current = newRow[column];
      return { ...newRow, [column]: typeof current === 'number' ? current + change.add : null };
    },
  };
}

/** A BEFORE row trigger that returns NULL: the row's operation is skipped. */
export function skipRowTrigger(shape: Omit<TriggerShape, 'timing'>): RowTriggerSpec {
  return {
    ...shape,
    timing: 'before',
    level: 'row',
    functionName: functionName({ ...shape, timing: 'before' }, 'skip'),
    functionBody: 'BEGIN\n  RETURN NULL;\nEND',
    fn: () => null,
  };
}

/** A row trigger that raises P0001 `except`, as triggers.sql's `tgf()`. */
export function raiseRowTrigger(shape: TriggerShape): RowTriggerSpec {
  return {
    ...shape,
    level: 'row',
    functionName: functionName(shape, 'raise'),
    functionBody: "BEGIN\n  RAISE EXCEPTION 'except';\nEND",
    fn: () => {
      throw new PgError('P0001', 'except');
    },
  };
}
