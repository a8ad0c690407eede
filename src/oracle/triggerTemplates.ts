import type { TriggerEvent, TriggerTiming } from '../engine/catalog.js';
import type { TriggerSpec } from '../engine/ddl/specs.js';
import { PgError } from '../engine/errors.js';
import { isDistinctFrom, lt, newCol, oldCol } from '../engine/expression.js';
import { formatSql } from '../engine/sqlText.js';
import type { Row } from '../engine/values.js';

/**
 * Trigger functions for random schemas, each written twice: in TypeScript for the engine and
 * in PL/pgSQL for PostgreSQL. They read and write only the columns every random table has
 * (`v`, `s`) and the shared `audit` table, so any template fits any table.
 */
export const AUDIT_TABLE = 'audit';

export type TriggerTemplateName =
  | 'clampBefore'
  | 'skipBefore'
  | 'auditAfter'
  | 'raiseAfter'
  | 'statementAudit'
  | 'transitionCount'
  | 'auditChangedV'
  | 'clampWhen'
  | 'statementUpdateOfS';

export const TRIGGER_TEMPLATES: readonly TriggerTemplateName[] = [
  'clampBefore',
  'skipBefore',
  'auditAfter',
  'raiseAfter',
  'statementAudit',
  'transitionCount',
  'auditChangedV',
  'clampWhen',
  'statementUpdateOfS',
];

/** A trigger a random program creates: which template, on which table, and under which name. */
export interface TriggerUse {
  readonly template: TriggerTemplateName;
  readonly name: string;
  readonly table: string;
}

const numberOrNull = (row: Row, column: string): number | null => {
  const value = row[column];
  return typeof value === 'number' ? value : null;
};

function auditRow(table: string, op: string, v: number | null): Row {
  return { tbl: table, op, v };
}

export function triggerSpecFor(use: TriggerUse): TriggerSpec {
  const common = { name: use.name, table: use.table, functionName: `${use.name}_fn` };
  const audit = formatSql('%I', AUDIT_TABLE);
  switch (use.template) {
    case 'clampBefore':
      return {
        ...common,
        timing: 'before' as TriggerTiming,
        events: ['insert', 'update'] as TriggerEvent[],
        functionBody: 'BEGIN\n  IF NEW.v < 0 THEN NEW.v := 0; END IF;\n  RETURN NEW;\nEND',
        fn: ({ newRow }) => {
          if (newRow === null) return undefined;
          const v = numberOrNull(newRow, 'v');
          return v !== null && v < 0 ? { ...newRow, v: 0 } : newRow;
        },
      };
    case 'skipBefore':
      return {
        ...common,
        timing: 'before',
        events: ['insert', 'update', 'delete'],
        functionBody:
          "BEGIN\n  IF TG_OP = 'DELETE' THEN\n    IF OLD.s = 'keep' THEN RETURN NULL; END IF;\n    RETURN OLD;\n  END IF;\n  IF NEW.s = 'skip' THEN RETURN NULL; END IF;\n  RETURN NEW;\nEND",
        fn: ({ operation, oldRow, newRow }) => {
          if (operation === 'DELETE') return oldRow?.s === 'keep' ? null : undefined;
          return newRow?.s === 'skip' ? null : undefined;
        },
      };
    case 'auditAfter':
      return {
        ...common,
        timing: 'after',
        events: ['insert', 'update', 'delete'],
        functionBody: `BEGIN\n  IF TG_OP = 'DELETE' THEN\n    INSERT INTO ${audit} (tbl, op, v) VALUES (TG_TABLE_NAME, TG_OP, OLD.v);\n  ELSE\n    INSERT INTO ${audit} (tbl, op, v) VALUES (TG_TABLE_NAME, TG_OP, NEW.v);\n  END IF;\n  RETURN NULL;\nEND`,
        fn: ({ operation, tableName, oldRow, newRow, db }) => {
          const row = operation === 'DELETE' ? oldRow : newRow;
          db.insert(AUDIT_TABLE, auditRow(tableName, operation, row === null ? null : numberOrNull(row, 'v')));
        },
      };
    case 'raiseAfter':
      return {
        ...common,
        timing: 'after',
        events: ['insert', 'update'],
        functionBody:
          "BEGIN\n  IF NEW.v = 5 THEN RAISE EXCEPTION 'v may not be 5' USING ERRCODE = 'P0001'; END IF;\n  RETURN NULL;\nEND",
        fn: ({ newRow }) => {
          if (newRow !== null && newRow.v === 5) throw new PgError('P0001', 'v may not be 5');
        },
      };
    case 'statementAudit':
      return {
        ...common,
        level: 'statement',
        timing: 'after',
        events: ['insert', 'update', 'delete'],
        functionBody: `BEGIN\n  INSERT INTO ${audit} (tbl, op, v) VALUES (TG_TABLE_NAME, TG_OP || ' statement', NULL);\n  RETURN NULL;\nEND`,
        fn: ({ operation, tableName, db }) => {
          db.insert(AUDIT_TABLE, auditRow(tableName, `${operation} statement`, null));
        },
      };
    case 'transitionCount':
      return {
        ...common,
        level: 'statement',
        timing: 'after',
        events: ['delete'],
        referencing: { oldTable: 'gone' },
        functionBody: `BEGIN\n  INSERT INTO ${audit} (tbl, op, v) SELECT TG_TABLE_NAME, 'deleted rows', count(*) FROM gone;\n  RETURN NULL;\nEND`,
        fn: ({ tableName, oldTable, db }) => {
          db.insert(AUDIT_TABLE, auditRow(tableName, 'deleted rows', oldTable.length));
        },
      };
    // UPDATE OF and WHEN: fires only when the SET list names v and v really changed.
    case 'auditChangedV':
      return {
        ...common,
        timing: 'after',
        events: ['update'],
        updateOf: ['v'],
        when: isDistinctFrom(oldCol('v'), newCol('v')),
        functionBody: `BEGIN\n  INSERT INTO ${audit} (tbl, op, v) VALUES (TG_TABLE_NAME, 'v changed', NEW.v);\n  RETURN NULL;\nEND`,
        fn: ({ tableName, newRow, db }) => {
          db.insert(AUDIT_TABLE, auditRow(tableName, 'v changed', newRow === null ? null : numberOrNull(newRow, 'v')));
        },
      };
    // The WHEN decides: the function itself clamps unconditionally.
    case 'clampWhen':
      return {
        ...common,
        timing: 'before',
        events: ['insert', 'update'],
        when: lt(newCol('v'), 0),
        functionBody: 'BEGIN\n  NEW.v := 0;\n  RETURN NEW;\nEND',
        fn: ({ newRow }) => (newRow === null ? undefined : { ...newRow, v: 0 }),
      };
    case 'statementUpdateOfS':
      return {
        ...common,
        level: 'statement',
        timing: 'after',
        events: ['update'],
        updateOf: ['s'],
        functionBody: `BEGIN\n  INSERT INTO ${audit} (tbl, op, v) VALUES (TG_TABLE_NAME, 'UPDATE OF s statement', NULL);\n  RETURN NULL;\nEND`,
        fn: ({ tableName, db }) => {
          db.insert(AUDIT_TABLE, auditRow(tableName, 'UPDATE OF s statement', null));
        },
      };
  }
}
