import { assert, fail } from './assert.js';
import type { ForeignKeyConstraint, Relation, Tuple } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { and, eq, isSatisfiedAsFilter, lit } from './expression.js';
import type { Expr } from './expression.js';
import { keyOfValues, valuesOf } from './keys.js';
import { planFor } from './relationPlan.js';
import type { UniqueKeyLookup } from './relationPlan.js';
import { partitionAccepts } from './rowConstraints.js';
import { scanTuples } from './scan.js';
import type { ScannedTuple } from './scan.js';
import type { EngineState } from './session.js';
import { lockRow, rowWait } from './sessions/rowLocks.js';
import type { Snapshot } from './sessions/snapshot.js';
import { Suspension, runNestedResumable } from './sessions/suspension.js';
import type { LockWait, Resumable } from './sessions/suspension.js';
import { formatValuesForDetail } from './values.js';
import type { Row, SqlValue } from './values.js';
import { executeDelete, executeDeleteNow } from './deleteStatement.js';
import { withUpdatedColumnsResumable } from './triggerRuntime.js';
import { executeUpdate } from './updateStatement.js';

/**
 * Referential integrity as PostgreSQL's ri_triggers.c does it: a check on the referencing side
 * after each insert or key-changing update, MATCH SIMPLE (any NULL column: not checked), and
 * actions on the referenced side after each delete or key-changing update. NOT VALID keys are
 * enforced exactly like valid ones here; validity only matters to VALIDATE CONSTRAINT.
 */
export function whereColumnsEqual(columns: readonly string[], values: readonly SqlValue[]): Expr {
  assert(columns.length === values.length && columns.length > 0, 'key columns and values differ in length');
  return and(...columns.map((column, index) => eq({ kind: 'column', name: column }, lit(values[index]!))));
}

/** Finds the row holding a key through the unique index the foreign key relies on. */
export function findByUniqueKey(
  state: EngineState,
  relation: Relation,
  columns: readonly string[],
  values: readonly SqlValue[],
): Tuple | undefined {
  if (relation.isPartitioned) {
    const position = columns.indexOf(relation.partitionKey!);
    if (position < 0) fail(`unique key (${columns.join(', ')}) of ${relation.name} lacks its partition key`);
    const value = values[position]!;
    const partition =
      relation.partitions.find(
        (candidate) => candidate.partitionBound!.kind === 'list' && partitionAccepts(candidate, value),
      ) ??
      relation.partitions.find(
        (candidate) => candidate.partitionBound!.kind === 'default' && partitionAccepts(candidate, value),
      );
    return partition === undefined ? undefined : findByUniqueKey(state, partition, columns, values);
  }
  if (state.snapshot !== null) return scanTuples(state, relation, whereColumnsEqual(columns, values))[0]?.tuple;
  const lookup = uniqueKeyLookup(state, relation, columns);
  const positions = lookup.positions;
  const key =
    positions.length === 1
      ? (values[positions[0]!] ?? null)
      : keyOfValues(positions.map((position) => values[position]!));
  return key === null ? undefined : lookup.entries.get(key);
}

/**
 * The unique index on exactly `columns` (in any order) of a leaf, found once per catalog version
 * and column list rather than on every check: the first such index, as a search would find it.
 */
function uniqueKeyLookup(state: EngineState, relation: Relation, columns: readonly string[]): UniqueKeyLookup {
  const plan = planFor(state, relation);
  plan.uniqueKeyLookups ??= new WeakMap();
  const lookups = plan.uniqueKeyLookups;
  let lookup = lookups.get(columns);
  if (lookup === undefined) {
    const index = relation.indexes.find(
      (candidate) =>
        candidate.unique &&
        candidate.entries !== null &&
        candidate.predicate === null &&
        sameColumnSet(candidate.columns, columns),
    );
    if (index === undefined || index.entries === null)
      fail(`no unique index on ${relation.name} (${columns.join(', ')}) for a foreign key`);
    lookup = { entries: index.entries, positions: index.columns.map((column) => columns.indexOf(column)) };
    lookups.set(columns, lookup);
  }
  return lookup;
}

export function sameColumnSet(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((column) => right.includes(column));
}

export function missingReferenceError(
  foreignKey: ForeignKeyConstraint,
  relation: Relation,
  values: readonly SqlValue[],
): PgError {
  return new PgError(
    SqlState.foreignKeyViolation,
    `insert or update on table "${relation.name}" violates foreign key constraint "${foreignKey.name}"`,
    {
      detail: `Key (${foreignKey.columns.join(', ')})=(${formatValuesForDetail(values)}) is not present in table "${foreignKey.referencedRelation.name}".`,
      constraint: foreignKey.name,
      table: relation.name,
    },
  );
}

/** RI_FKey_check: the referencing row must find its key, unless a key column is NULL. */
export function checkReference(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  relation: Relation,
  row: Row,
): void {
  const values = valuesOf(row, foreignKey.columns);
  if (values.some((value) => value === null)) return;
  if (state.versioning) {
    lockReferencedRow(state, foreignKey, relation, values);
    return;
  }
  if (findByUniqueKey(state, foreignKey.referencedRelation, foreignKey.referencedColumns, values) === undefined) {
    throw missingReferenceError(foreignKey, relation, values);
  }
}

/**
 * The table lock an RI trigger takes when it runs (ri_triggers.c opens the other table, then its
 * query locks it): RowShare for a check's `SELECT … FOR KEY SHARE`, RowExclusive for a CASCADE or
 * SET NULL action. Under a scheduler a conflicting lock (an ACCESS EXCLUSIVE held or queued) suspends
 * the trigger there, at the statement's end or at COMMIT for a deferred key; re-run after the grant,
 * the request is granted again at once.
 */
function lockForTrigger(state: EngineState, relation: Relation, mode: 'RowShare' | 'RowExclusive'): void {
  const lockNow = state.shared.lockNow;
  if (lockNow === null) return;
  const wait: LockWait = { kind: 'relation', oid: relation.oid, table: relation.name, mode, nowait: false };
  if (!lockNow(state, wait)) throw new Suspension(wait);
}

/**
 * The partitions of `relation` whose rows can hold `columns = values`: the one the value of the
 * partition key routes to (a LIST partition listing it, else the default) when the key is among
 * `columns`, else all of them. This is the planner's pruning of an RI query's `WHERE` on constants
 * (the RI query runs with custom plans): it locks the pruned partitions only.
 */
function prunedPartitions(
  relation: Relation,
  columns: readonly string[],
  values: readonly SqlValue[],
): readonly Relation[] {
  const position = columns.indexOf(relation.partitionKey!);
  if (position < 0) return relation.partitions;
  const value = values[position]!;
  const accepting = (kind: 'list' | 'default'): Relation | undefined =>
    relation.partitions.find(
      (candidate) => candidate.partitionBound!.kind === kind && partitionAccepts(candidate, value),
    );
  const partition = accepting('list') ?? accepting('default');
  return partition === undefined ? [] : [partition];
}

/**
 * The locks of an RI query on `relation` with `WHERE columns = values`: the table, then, for a
 * partitioned table, each partition pruning keeps, down to the leaves (checked on the server:
 * `pg_locks` shows RowShare on the parent and on the one partition the key routes to for a check
 * against a partitioned parent, and on every partition of a referencing table partitioned by a
 * column outside the key).
 */
function lockPrunedTree(
  state: EngineState,
  relation: Relation,
  columns: readonly string[],
  values: readonly SqlValue[],
  mode: 'RowShare' | 'RowExclusive',
): void {
  lockForTrigger(state, relation, mode);
  if (!relation.isPartitioned) return;
  for (const partition of prunedPartitions(relation, columns, values))
    lockPrunedTree(state, partition, columns, values, mode);
}

/** Bound on re-checks of one referenced row: each needs another transaction's commit. */
const MAX_RECHECKS = 10_000;

/**
 * RI_FKey_check with several sessions open: `SELECT 1 FROM referenced WHERE key = … FOR KEY SHARE`
 * through a snapshot of its own (semantics 1, 3). A row whose key a running transaction deletes or
 * changes makes the check wait for it (a `Suspension`); a non-key update does not.
 */
function lockReferencedRow(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  relation: Relation,
  values: readonly SqlValue[],
): void {
  lockPrunedTree(state, foreignKey.referencedRelation, foreignKey.referencedColumns, values, 'RowShare');
  // The query and its row lock are one nested execution, so that after a wait it goes on with the
  // row it found (run again, the segment resumes it rather than scanning anew).
  const identity = { riCheck: foreignKey.name, table: relation.name, values };
  runNestedResumable(state, identity, () => keyShareReferencedRow(state, foreignKey, relation, values));
}

/**
 * The check query's scan and its FOR KEY SHARE lock. After a wait for the row's holder, the lock
 * is decided again on the version the scan found, as heap_lock_tuple does once the holder's
 * transaction ends: under READ COMMITTED the newest committed version is locked, then re-checked
 * against the key (ExecLockRows follows the update chain, TUPLE_LOCK_FLAG_FIND_LAST_VERSION), and
 * a deleted row fails the check, even if a row with the same key was inserted meanwhile; under REPEATABLE READ a
 * holder that committed a change fails it with 40001. A new scan after the wait would instead take
 * a new snapshot and miss that failure when the referenced table is partitioned (its check reads
 * through the latest snapshot, also under REPEATABLE READ): seed 13, run 197.
 */
function* keyShareReferencedRow(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  relation: Relation,
  values: readonly SqlValue[],
): Resumable<void> {
  const where = whereColumnsEqual(foreignKey.referencedColumns, values);
  // ri_triggers.c asks for new rows (the latest snapshot) when the referenced table is partitioned;
  // otherwise REPEATABLE READ reads through its transaction's snapshot.
  const snapshot =
    state.inRepeatableRead && !foreignKey.referencedRelation.isPartitioned
      ? state.statementSnapshot()
      : state.freshSnapshot();
  const found = throughSnapshot(state, snapshot, () => scanTuples(state, foreignKey.referencedRelation, where)[0]);
  if (found === undefined) throw missingReferenceError(foreignKey, relation, values);
  let current = found.tuple;
  let rechecking = false;
  for (let rechecks = 0; ; rechecks++) {
    if (rechecks >= MAX_RECHECKS) fail(`referenced row ${current.tid} re-checked without end`);
    const outcome = lockRow(state, found.relation, current, 'KeyShare', 'wait', true);
    if (outcome.kind === 'locked') {
      if (rechecking && !isSatisfiedAsFilter(where, { row: outcome.tuple.row }))
        throw missingReferenceError(foreignKey, relation, values);
      return;
    }
    if (outcome.kind === 'wait') {
      yield rowWait(outcome);
      continue;
    }
    if (outcome.kind === 'skip') throw missingReferenceError(foreignKey, relation, values);
    // EvalPlanQual locks the newest version before it re-tests the key (heapam_tuple_lock following
    // the chain), as for any locking read: a version whose key changed is locked KEY SHARE first, so
    // a transaction holding it FOR UPDATE (a locking read that skipped it) is waited for before the
    // check fails (seed 17, run 249).
    current = outcome.tuple;
    rechecking = true;
  }
}

/**
 * RI_FKey_fk_upd_check_required: an UPDATE is checked when its new key is fully non-NULL and
 * either the key changed or the old row version was written by the current transaction.
 */
export function updateCheckRequired(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  oldRow: Row,
  oldXmin: number,
  newRow: Row,
): boolean {
  const newValues = valuesOf(newRow, foreignKey.columns);
  if (newValues.some((value) => value === null)) return false;
  if (oldXmin === state.currentXid) return true;
  return foreignKey.columns.some((column) => oldRow[column] !== newRow[column]);
}

/**
 * RI_FKey_pk_upd_check_required for an UPDATE of a referenced row: its action is needed unless an
 * old key value is NULL (no row can reference it) or every key value is unchanged.
 */
export function referencedUpdateCheckRequired(foreignKey: ForeignKeyConstraint, oldRow: Row, newRow: Row): boolean {
  const columns = foreignKey.referencedColumns;
  if (columns.some((column) => oldRow[column] === null)) return false;
  return columns.some((column) => oldRow[column] !== newRow[column]);
}

/**
 * The error of a NO ACTION or RESTRICT key. It names the referenced relation the trigger fired
 * on and the constraint PostgreSQL attached there: the key itself, or its per-partition clone.
 */
function stillReferencedError(
  foreignKey: ForeignKeyConstraint,
  referencedRelation: Relation,
  values: readonly SqlValue[],
  restrict: boolean,
): PgError {
  const constraint =
    referencedRelation === foreignKey.referencedRelation
      ? foreignKey.name
      : (foreignKey.referencedPartitionNames.get(referencedRelation) ?? foreignKey.name);
  const key = `Key (${foreignKey.referencedColumns.join(', ')})=(${formatValuesForDetail(values)})`;
  const fields = { constraint, table: foreignKey.relation.name };
  if (restrict) {
    return new PgError(
      SqlState.restrictViolation,
      `update or delete on table "${referencedRelation.name}" violates RESTRICT setting of foreign key constraint "${constraint}" on table "${foreignKey.relation.name}"`,
      {
        ...fields,
        detail: `${key} is referenced from table "${foreignKey.relation.name}".`,
      },
    );
  }
  return new PgError(
    SqlState.foreignKeyViolation,
    `update or delete on table "${referencedRelation.name}" violates foreign key constraint "${constraint}" on table "${foreignKey.relation.name}"`,
    {
      ...fields,
      detail: `${key} is still referenced from table "${foreignKey.relation.name}".`,
    },
  );
}

function throughSnapshot<T>(state: EngineState, snapshot: Snapshot, body: () => T): T {
  const outer = state.snapshot;
  state.snapshot = snapshot;
  try {
    return body();
  } finally {
    state.snapshot = outer;
  }
}

/**
 * Runs a referenced-side check's query through a snapshot of its own while several sessions are
 * open, never the raw heap: another transaction's uncommitted referencing row is invisible to it,
 * also at COMMIT, where no statement snapshot is set. ri_restrict and ri_Check_Pk_Match ask for new
 * rows (detectNewRows): the latest snapshot under REPEATABLE READ too, so a referencing row committed
 * after the transaction's snapshot still makes NO ACTION and RESTRICT fail.
 */
function throughCheckSnapshot<T>(state: EngineState, body: () => T): T {
  if (!state.versioning) return body();
  return throughSnapshot(state, state.freshSnapshot(), body);
}

/**
 * The crosscheck of a CASCADE or SET NULL action under REPEATABLE READ: PostgreSQL's action query
 * reads through the latest snapshot and its DELETE or UPDATE fails with 40001 on a row version the
 * transaction's snapshot does not see (inserted or changed by a transaction that committed since).
 */
function crosscheckAction(state: EngineState, foreignKey: ForeignKeyConstraint, values: readonly SqlValue[]): void {
  if (!state.versioning || !state.inRepeatableRead) return;
  const where = whereColumnsEqual(foreignKey.columns, values);
  const scan = (): Tuple[] => scanTuples(state, foreignKey.relation, where).map((found) => found.tuple);
  const seen = new Set(throughSnapshot(state, state.statementSnapshot(), scan));
  if (throughSnapshot(state, state.freshSnapshot(), scan).some((tuple) => !seen.has(tuple)))
    throw new PgError('40001', 'could not serialize access due to concurrent update');
}

function isReferenced(state: EngineState, foreignKey: ForeignKeyConstraint, values: readonly SqlValue[]): boolean {
  lockPrunedTree(state, foreignKey.relation, foreignKey.columns, values, 'RowShare');
  return throughCheckSnapshot(
    state,
    () => scanTuples(state, foreignKey.relation, whereColumnsEqual(foreignKey.columns, values)).length > 0,
  );
}

/** ri_Check_Pk_Match: another referenced row now supplies the key (visible to the check's snapshot). */
function keyStillSupplied(state: EngineState, foreignKey: ForeignKeyConstraint, values: readonly SqlValue[]): boolean {
  if (!state.versioning)
    return findByUniqueKey(state, foreignKey.referencedRelation, foreignKey.referencedColumns, values) !== undefined;
  lockPrunedTree(state, foreignKey.referencedRelation, foreignKey.referencedColumns, values, 'RowShare');
  return throughCheckSnapshot(
    state,
    () =>
      scanTuples(state, foreignKey.referencedRelation, whereColumnsEqual(foreignKey.referencedColumns, values)).length >
      0,
  );
}

/**
 * Runs the referenced-side action for a removed key (`newRow` null) or a changed key. NO ACTION
 * passes when another row now supplies the same key (ri_Check_Pk_Match); RESTRICT does not.
 */
export function runReferentialAction(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  referencedLeaf: Relation,
  oldRow: Row,
  newRow: Row | null,
): void {
  const oldValues = valuesOf(oldRow, foreignKey.referencedColumns);
  if (oldValues.some((value) => value === null)) return;
  const newValues = newRow === null ? null : valuesOf(newRow, foreignKey.referencedColumns);
  if (newValues?.every((value, index) => value === oldValues[index])) return;
  const action = newRow === null ? foreignKey.onDelete : foreignKey.onUpdate;
  switch (action) {
    case 'no action':
      if (keyStillSupplied(state, foreignKey, oldValues)) return;
      if (isReferenced(state, foreignKey, oldValues))
        throw stillReferencedError(foreignKey, referencedLeaf, oldValues, false);
      return;
    case 'restrict':
      if (isReferenced(state, foreignKey, oldValues))
        throw stillReferencedError(foreignKey, referencedLeaf, oldValues, true);
      return;
    case 'cascade':
      lockPrunedTree(state, foreignKey.relation, foreignKey.columns, oldValues, 'RowExclusive');
      crosscheckAction(state, foreignKey, oldValues);
      // With one session open the referencing maps hold exactly the live rows: the DELETE takes them
      // from there, without a generator (docs/statements.md). With several they hold uncommitted rows
      // too, and the action scans.
      if (newValues === null && !state.versioning) {
        const children = referencingTuples(foreignKey, oldValues);
        if (children !== null) {
          state.nestedNow(() => executeDeleteNow(state, foreignKey.relation, null, {}, children), false);
          return;
        }
      }
      state.nested(
        { action: foreignKey.name, oldValues, newValues },
        () => {
          if (newValues === null)
            return executeDelete(state, foreignKey.relation, whereColumnsEqual(foreignKey.columns, oldValues), {});
          // The action's UPDATE sets the key columns: they are what its UPDATE OF triggers see.
          return withUpdatedColumnsResumable(
            state,
            foreignKey.columns,
            executeUpdate(
              state,
              foreignKey.relation,
              Object.fromEntries(foreignKey.columns.map((column, index) => [column, newValues[index]!])),
              whereColumnsEqual(foreignKey.columns, oldValues),
              {},
            ),
          );
        },
        false,
        null,
        true,
      );
      return;
    case 'set null':
      lockPrunedTree(state, foreignKey.relation, foreignKey.columns, oldValues, 'RowExclusive');
      crosscheckAction(state, foreignKey, oldValues);
      state.nested(
        { action: foreignKey.name, oldValues, newValues: null },
        () =>
          withUpdatedColumnsResumable(
            state,
            foreignKey.columns,
            executeUpdate(
              state,
              foreignKey.relation,
              Object.fromEntries(foreignKey.columns.map((column) => [column, null])),
              whereColumnsEqual(foreignKey.columns, oldValues),
              {},
            ),
          ),
        false,
        null,
        true,
      );
      return;
  }
}

function descendsFrom(candidate: ForeignKeyConstraint, ancestor: ForeignKeyConstraint): boolean {
  for (let current: ForeignKeyConstraint | null = candidate; current !== null; current = current.parent)
    if (current === ancestor) return true;
  return false;
}

/**
 * The rows whose key columns equal `values` (what `WHERE cols = values` selects on the referencing
 * table), found through the referencing map the key keeps on each leaf, in leaf and tuple-id order
 * like a scan. Null when some leaf has no such map (then the caller scans).
 */
export function referencingTuples(
  foreignKey: ForeignKeyConstraint,
  values: readonly SqlValue[],
): ScannedTuple[] | null {
  const key = keyOfValues(values);
  if (key === null) return [];
  const found: ScannedTuple[] = [];
  for (const leaf of foreignKey.relation.leaves()) {
    let map: ForeignKeyConstraint['referencing'] = null;
    for (const constraint of leaf.constraints) {
      if (constraint.kind === 'foreignKey' && constraint.referencing !== null && descendsFrom(constraint, foreignKey)) {
        map = constraint.referencing;
        break;
      }
    }
    if (map === null) return null;
    const tids = map.get(key);
    if (tids === undefined) continue;
    // Tuple-id order as a scan meets them; a key held by one row (the usual case) needs no sort.
    const ordered = tids.size === 1 ? tids : [...tids].sort((left, right) => left - right);
    for (const tid of ordered) {
      const tuple = leaf.heap!.get(tid);
      assert(tuple !== undefined, `referencing map of ${foreignKey.name} holds dead tuple ${tid}`);
      found.push({ relation: leaf, tuple });
    }
  }
  return found;
}

/** Rows of one leaf that violate a foreign key (VALIDATE CONSTRAINT's scan), in heap order. */
export function firstViolation(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  leaf: Relation,
  rows: Iterable<Tuple>,
): SqlValue[] | null {
  for (const tuple of rows) {
    const values = valuesOf(tuple.row, foreignKey.columns);
    if (values.some((value) => value === null)) continue;
    if (findByUniqueKey(state, foreignKey.referencedRelation, foreignKey.referencedColumns, values) === undefined)
      return values;
  }
  void leaf;
  return null;
}
