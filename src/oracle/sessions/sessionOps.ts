/**
 * The steps of a random multi-session program, as data. A step is either an engine statement
 * value (`src/engine/statements/`, rendered by its own `render`) or one of the session features
 * the campaign had before the engine's sessions had statement values for them: an isolation level
 * on BEGIN, `SET lock_timeout` and `SET deadlock_timeout`, locking reads (`SELECT … FOR UPDATE /
 * NO KEY UPDATE / SHARE / KEY SHARE` with `NOWAIT` or `SKIP LOCKED`) and `LOCK TABLE`. Those are
 * rendered here, through the same quoting functions (`src/engine/sqlText.ts`), and marked
 * `sqlOnly` with their feature; `engineStatementOf` gives every step, those included, as the
 * engine statement value its sessions run.
 *
 * `SESSION_FEATURES` is the one list of what a campaign may generate; a backend declares the
 * features it runs (the real server: all of them), and the generator draws only from those.
 */
import type { Expr } from '../../engine/expression.js';
import type { CatalogView } from '../../engine/sql/catalogView.js';
import { renderSelect } from '../../engine/sql/renderData.js';
import { quoteIdentifier, quoteLiteral } from '../../engine/sqlText.js';
import { renderStatement } from '../../engine/statements/execute.js';
import type { Statement } from '../../engine/statements/registry.js';
import type { RowLockStrength as EngineRowLockStrength } from '../../engine/catalog.js';
import type { TableLockMode as EngineTableLockMode } from '../../engine/locks/modes.js';
import type { ProgramOp } from '../randomProgram.js';
import { triggerSpecFor } from '../triggerTemplates.js';

/** What a campaign can draw, each a kind of step or a shape of program a backend must support. */
export const SESSION_FEATURES = [
  /** DML and SELECT over the shared tables (engine statement values). */
  'dml',
  /** BEGIN / COMMIT / ROLLBACK, savepoints (engine statement values). */
  'transactions',
  /** DDL among DML: constraints, VALIDATE, indexes, TRUNCATE, partitions, trigger toggles. */
  'ddl',
  /** BEGIN ISOLATION LEVEL REPEATABLE READ. */
  'repeatableRead',
  /** SET lock_timeout / SET deadlock_timeout as steps. */
  'timeouts',
  /** SELECT … FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [NOWAIT | SKIP LOCKED]. */
  'lockingReads',
  /** LOCK TABLE … IN … MODE [NOWAIT]. */
  'lockTable',
] as const;
export type SessionFeature = (typeof SESSION_FEATURES)[number];

/** The features whose steps are `sqlOnly`: rendered by this module, not by the engine's renderer. */
export const SQL_ONLY_FEATURES: readonly SessionFeature[] = ['repeatableRead', 'timeouts', 'lockingReads', 'lockTable'];

export type RowLockStrength = 'UPDATE' | 'NO KEY UPDATE' | 'SHARE' | 'KEY SHARE';
export const ROW_LOCK_STRENGTHS: readonly RowLockStrength[] = ['UPDATE', 'NO KEY UPDATE', 'SHARE', 'KEY SHARE'];
export type TableLockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';
export const TABLE_LOCK_MODES: readonly TableLockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

/** A statement the engine has no value for yet, as data. */
export type SqlOnlyStatement =
  | { readonly kind: 'beginIsolation'; readonly level: 'REPEATABLE READ' }
  | { readonly kind: 'setTimeout'; readonly setting: 'lock_timeout' | 'deadlock_timeout'; readonly ms: number }
  | {
      readonly kind: 'lockingRead';
      readonly table: string;
      readonly where: Expr | null;
      readonly strength: RowLockStrength;
      readonly wait: 'NOWAIT' | 'SKIP LOCKED' | null;
    }
  | {
      readonly kind: 'lockTable';
      readonly tables: readonly string[];
      readonly mode: TableLockMode;
      readonly nowait: boolean;
    };

export type SessionOp =
  | { readonly kind: 'statement'; readonly op: ProgramOp }
  | { readonly kind: 'sqlOnly'; readonly feature: SessionFeature; readonly statement: SqlOnlyStatement };

const FEATURE_OF: Readonly<Record<SqlOnlyStatement['kind'], SessionFeature>> = {
  beginIsolation: 'repeatableRead',
  setTimeout: 'timeouts',
  lockingRead: 'lockingReads',
  lockTable: 'lockTable',
};

export const statementOp = (op: ProgramOp): SessionOp => ({ kind: 'statement', op });
export const sqlOnlyOp = (statement: SqlOnlyStatement): SessionOp => ({
  kind: 'sqlOnly',
  feature: FEATURE_OF[statement.kind],
  statement,
});

function renderSqlOnly(statement: SqlOnlyStatement, catalog: CatalogView): string {
  switch (statement.kind) {
    case 'beginIsolation':
      return `BEGIN ISOLATION LEVEL ${statement.level}`;
    case 'setTimeout':
      if (!Number.isSafeInteger(statement.ms) || statement.ms < 0) throw new Error(`bad timeout ${statement.ms}`);
      return `SET ${statement.setting} = ${quoteLiteral(`${statement.ms}ms`)}`;
    case 'lockingRead': {
      const select = renderSelect(statement.table, statement.where === null ? {} : { where: statement.where }, catalog);
      return `${select} FOR ${statement.strength}${statement.wait === null ? '' : ` ${statement.wait}`}`;
    }
    case 'lockTable':
      return (
        `LOCK TABLE ${statement.tables.map(quoteIdentifier).join(', ')} IN ${statement.mode} MODE` +
        (statement.nowait ? ' NOWAIT' : '')
      );
  }
}

/** The step as one SQL statement, every name and value quoted by `src/engine/sqlText.ts`. */
export function renderSessionOp(op: SessionOp, catalog: CatalogView): string {
  if (op.kind === 'sqlOnly') return renderSqlOnly(op.statement, catalog);
  const statement =
    op.op.kind === 'trigger' ? { kind: 'createTrigger' as const, spec: triggerSpecFor(op.op.use) } : op.op;
  return renderStatement(statement, catalog);
}

/** The features a step uses (what a backend must support to run it). */
export function featureOf(op: SessionOp): SessionFeature {
  if (op.kind === 'sqlOnly') return op.feature;
  switch (op.op.kind) {
    case 'insert':
    case 'update':
    case 'delete':
    case 'select':
      return 'dml';
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'rollbackToSavepoint':
    case 'releaseSavepoint':
      return 'transactions';
    default:
      return 'ddl';
  }
}

const ENGINE_ROW_LOCK: Readonly<Record<RowLockStrength, EngineRowLockStrength>> = {
  UPDATE: 'Update',
  'NO KEY UPDATE': 'NoKeyUpdate',
  SHARE: 'Share',
  'KEY SHARE': 'KeyShare',
};

const ENGINE_TABLE_LOCK: Readonly<Record<TableLockMode, EngineTableLockMode>> = {
  'ACCESS SHARE': 'AccessShare',
  'ROW SHARE': 'RowShare',
  'ROW EXCLUSIVE': 'RowExclusive',
  'SHARE UPDATE EXCLUSIVE': 'ShareUpdateExclusive',
  SHARE: 'Share',
  'SHARE ROW EXCLUSIVE': 'ShareRowExclusive',
  EXCLUSIVE: 'Exclusive',
  'ACCESS EXCLUSIVE': 'AccessExclusive',
};

/** A program statement as the engine's value (a trigger template becomes its CREATE TRIGGER). */
export function engineProgramStatement(op: ProgramOp): Statement {
  return op.kind === 'trigger' ? { kind: 'createTrigger', spec: triggerSpecFor(op.use) } : op;
}

/**
 * The step as the engine statement value its sessions run: the same statement the SQL of
 * `renderSessionOp` is (a test renders both and compares them).
 */
export function engineStatementOf(op: SessionOp): Statement {
  if (op.kind === 'statement') return engineProgramStatement(op.op);
  const statement = op.statement;
  switch (statement.kind) {
    case 'beginIsolation':
      return { kind: 'begin', isolation: 'repeatable read' };
    case 'setTimeout':
      return { kind: 'set', name: statement.setting, milliseconds: statement.ms };
    case 'lockingRead':
      return {
        kind: 'select',
        table: statement.table,
        options: {
          ...(statement.where === null ? {} : { where: statement.where }),
          locking: {
            strength: ENGINE_ROW_LOCK[statement.strength],
            ...(statement.wait === null ? {} : { wait: statement.wait === 'NOWAIT' ? 'nowait' : 'skipLocked' }),
          },
        },
      };
    case 'lockTable':
      return {
        kind: 'lockTable',
        tables: statement.tables,
        mode: ENGINE_TABLE_LOCK[statement.mode],
        nowait: statement.nowait,
      };
  }
}
