/**
 * SELECT * FROM … [WHERE …] [ORDER BY …] [LIMIT …] [FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE
 * [NOWAIT | SKIP LOCKED]]: rows in scan order unless ordered. A locking clause locks each returned
 * row as PostgreSQL's LockRows node does, after ORDER BY and before LIMIT: a row a running
 * transaction holds is waited for (or fails the statement with NOWAIT, or is passed over with SKIP
 * LOCKED, not counting toward the LIMIT), and a row a committed transaction changed meanwhile is
 * re-checked against the WHERE clause (EvalPlanQual, docs/concurrency.md semantics 3-4).
 */
import { fail } from '../assert.js';
import type { Relation, RowLockStrength, Tuple } from '../catalog.js';
import type { Expr, OrderTerm } from '../expression.js';
import { PgError, SqlState } from '../errors.js';
import { checkExpressionColumns } from '../rowBuilding.js';
import { lookupRelation, scanTuples, sortRows } from '../scan.js';
import type { ScannedTuple } from '../scan.js';
import type { EngineState } from '../session.js';
import { lockRow, rowWait } from '../sessions/rowLocks.js';
import { replayable, runToEnd, Suspension } from '../sessions/suspension.js';
import type { Resumable } from '../sessions/suspension.js';
import { renderSelect } from '../sql/renderData.js';
import { rowStillMatches } from '../updateStatement.js';
import { compareValues } from '../values.js';
import type { Row } from '../values.js';
import { defineStatement } from './definition.js';

export interface LockingClause {
  readonly strength: RowLockStrength;
  /** `NOWAIT` fails with 55P03 on a locked row; `SKIP LOCKED` passes over it. */
  readonly wait?: 'nowait' | 'skipLocked';
}

export interface SelectOptions {
  readonly where?: Expr;
  readonly orderBy?: readonly OrderTerm[];
  readonly limit?: number;
  /** `SELECT … FROM ONLY t`: do not read partitions. */
  readonly only?: boolean;
  readonly locking?: LockingClause;
}

export interface SelectStatement {
  readonly kind: 'select';
  readonly table: string;
  readonly options: SelectOptions;
}

function* executeSelect(state: EngineState, table: string, options: SelectOptions): Resumable<Row[]> {
  const relation = lookupRelation(state, table);
  const scanned = scanTuples(state, relation, options.where ?? null, { only: options.only ?? false });
  if (options.locking === undefined || !state.versioning) {
    const rows = scanned.map((found) => found.tuple.row);
    sortRows(rows, options.orderBy ?? []);
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }
  sortScanned(scanned, options.orderBy ?? []);
  const locking = options.locking;
  const rows: Row[] = [];
  for (const found of scanned) {
    if (options.limit !== undefined && rows.length >= options.limit) break;
    const row = yield* replayable(state, () => lockSelectedRow(state, found, options.where ?? null, locking));
    if (row !== null) rows.push(row);
  }
  return rows;
}

function sortScanned(scanned: ScannedTuple[], orderBy: readonly OrderTerm[]): void {
  if (orderBy.length === 0) return;
  scanned.sort((left, right) => {
    for (const term of orderBy) {
      const order = compareValues(left.tuple.row[term.column] ?? null, right.tuple.row[term.column] ?? null);
      if (order !== 0) return term.direction === 'asc' ? order : -order;
    }
    return 0;
  });
}

/** Bound on EvalPlanQual re-checks of one row: each needs another transaction's commit. */
const MAX_RECHECKS = 10_000;

/**
 * Locks one row a locking SELECT returns (also the SELECT of INSERT … SELECT … FOR UPDATE): the
 * row, the newest version after EvalPlanQual, or null when it is skipped (SKIP LOCKED, deleted,
 * no longer matching). Throws a `Suspension` where it must wait.
 */
export function lockSelectedRow(
  state: EngineState,
  found: ScannedTuple,
  where: Expr | null,
  locking: LockingClause,
): Row | null {
  const relation: Relation = found.relation;
  let current: Tuple = found.tuple;
  const policy = locking.wait === 'nowait' ? 'nowait' : locking.wait === 'skipLocked' ? 'skip' : 'wait';
  let rechecking = false;
  for (let rechecks = 0; ; rechecks++) {
    if (rechecks >= MAX_RECHECKS) fail(`row ${current.tid} of ${relation.name} re-checked without end`);
    const outcome = lockRow(state, relation, current, locking.strength, policy, true);
    if (outcome.kind === 'locked')
      return rechecking && !rowStillMatches(state, outcome.tuple, where) ? null : outcome.tuple.row;
    if (outcome.kind === 'skip') return null;
    if (outcome.kind === 'wait') throw new Suspension(rowWait(outcome));
    // EvalPlanQual locks the newest version first (heapam_tuple_lock following the chain), then
    // re-tests the WHERE clause: a version that no longer matches stays locked (seed 14, run 274).
    current = outcome.tuple;
    rechecking = true;
  }
}

/** The parser's checks: the WHERE clause's and ORDER BY's columns exist (42703 on an empty table too). */
function checkSelectColumns(session: EngineState, table: string, options: SelectOptions): void {
  const relation = lookupRelation(session, table);
  checkExpressionColumns(relation, options.where ?? null);
  for (const term of options.orderBy ?? [])
    if (relation.column(term.column) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column "${term.column}" does not exist`);
}

export const selectKind = defineStatement<SelectStatement, Row[]>({
  kind: 'select',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, { table, options }) => {
    checkSelectColumns(session, table, options);
    return runToEnd(executeSelect(session, table, options));
  },
  resume: (session, { table, options }) => {
    checkSelectColumns(session, table, options);
    return executeSelect(session, table, options);
  },
  render: ({ table, options }, catalog) => renderSelect(table, options, catalog),
});
