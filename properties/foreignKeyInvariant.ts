import type { ConstraintInfo, Database } from '../src/database.js';
import type { Violation } from '../src/harness/domain.js';
import type { Row, SqlValue } from '../src/engine/values.js';
import { RecentlyDerived } from './recentlyDerived.js';
import { sameColumns } from './rowsById.js';
import { incrementalChecks, sameInput, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * `validated-fk-holds`: a foreign key PostgreSQL considers valid has no violating row. Checked
 * by a full scan of both tables through `db.rows()`, never through the engine's own indexes or
 * RI code, so a bug in the engine's enforcement cannot hide itself.
 */
export const VALIDATED_FK_HOLDS = 'validated-fk-holds';

/**
 * A key as a Set member: a single-column key is its value itself (most keys are one id column,
 * and this check runs after every step), a composite key its values as JSON.
 */
const keyText = (values: readonly SqlValue[]): unknown => (values.length === 1 ? values[0] : JSON.stringify(values));

function describeRow(row: Row): string {
  return 'id' in row ? `row id=${String(row.id)}` : `row ${JSON.stringify(row)}`;
}

/**
 * The referenced keys present in a table's rows, per rows array and column list: the array is the
 * same while the table is unchanged, so the set is built once per write of the referenced table,
 * not once per check, and shared by the keys referencing the same columns. The last few arrays are
 * kept (`RecentlyDerived`), each with its sets by column list.
 */
const presentKeys = new RecentlyDerived<readonly Row[], Map<string, Set<unknown>>>(() => new Map(), 8);

function referencedKeys(rows: readonly Row[], columns: readonly string[]): Set<unknown> {
  const byColumns = presentKeys.of(rows);
  // The list joined with commas names it (as the model's column names hold no comma); one column is its own name.
  const columnsKey = columns.length === 1 ? columns[0]! : columns.join(',');
  let present = byColumns.get(columnsKey);
  if (present === undefined) {
    present = new Set();
    // A one-column key's text is its value (`keyText`): added without building a value list per row.
    if (columns.length === 1) for (const row of rows) present.add(row[columnsKey] ?? null);
    else for (const row of rows) present.add(keyText(columns.map((column) => row[column] ?? null)));
    byColumns.set(columnsKey, present);
  }
  return present;
}

function checkForeignKey(
  rows: readonly Row[],
  present: Set<unknown>,
  constraint: ConstraintInfo,
  referencedTable: string,
): Violation | null {
  const single = constraint.columns.length === 1 ? constraint.columns[0]! : null;
  for (const row of rows) {
    // The common single-column key is tested without building its value list.
    if (single !== null) {
      const value = row[single] ?? null;
      if (value === null || present.has(value)) continue;
    }
    const values = constraint.columns.map((column) => row[column] ?? null);
    if (values.some((value) => value === null)) continue;
    if (!present.has(keyText(values))) {
      return violation(
        VALIDATED_FK_HOLDS,
        `foreign key ${constraint.name} on ${constraint.table} is marked valid, but ${describeRow(row)} has (${constraint.columns.join(', ')})=(${values.join(', ')}), missing from ${referencedTable}`,
      );
    }
  }
  return null;
}

/**
 * Every valid key in catalog order, the first violation found. Skipped in whole while nothing in
 * the database changed since it last held (`Database.contentStamp`); otherwise a key is scanned
 * again only when its description, its table's rows or the referenced table's rows changed since
 * it last held (as unchangedInputs.ts decides): the same inputs would give the same answer.
 */
export function checkValidatedForeignKeys(db: Database): Violation | null {
  return unlessUnchanged(db, VALIDATED_FK_HOLDS, [db.contentStamp()], () => checkEveryKey(db));
}

/**
 * What a key last held over: its table's and the referenced table's rows (`unlessUnchanged`'s
 * inputs, unboxed), and the referenced keys present then.
 */
interface KeyPass {
  readonly rows: readonly Row[];
  readonly referencedRows: readonly Row[];
  readonly present: Set<unknown>;
}

/**
 * Per database, each key description's last pass. `unlessUnchanged` with the inputs `[constraint,
 * rows, referenced rows]` answers the same, but this runs for every key after every step that
 * wrote anything, so a key whose tables are as they were costs two reads and no allocation.
 */
const keyPasses = new WeakMap<Database, Map<ConstraintInfo, KeyPass>>();

/**
 * A key holds over the same child keys and the same referenced keys it last held over. Checks, in
 * catalog order, each key whose tables changed since it last held; one whose rows changed outside
 * its key columns (on either side) is not scanned again: the same key values give the same answer.
 */
function checkEveryKey(db: Database): Violation | null {
  const incremental = incrementalChecks();
  let passes = keyPasses.get(db);
  if (passes === undefined) {
    passes = new Map();
    keyPasses.set(db, passes);
  }
  // The catalog's foreign keys in catalog order (`db.constraints()` order, the same descriptions),
  // listed once per catalog version; a NOT VALID one may have violators, that is its point.
  for (const constraint of db.constraintsOfKind('foreignKey')) {
    const referencedTable = constraint.referencedTable;
    if (!constraint.valid || referencedTable === null) continue;
    const rows = db.rows(constraint.table);
    const referencedRows = db.rows(referencedTable);
    const last = incremental ? passes.get(constraint) : undefined;
    if (last !== undefined && sameInput(last.rows, rows) && sameInput(last.referencedRows, referencedRows)) continue;
    const present =
      last !== undefined && sameColumns(last.referencedRows, referencedRows, constraint.referencedColumns)
        ? last.present
        : referencedKeys(referencedRows, constraint.referencedColumns);
    if (last !== undefined && present === last.present && sameColumns(last.rows, rows, constraint.columns)) {
      passes.set(constraint, { rows, referencedRows, present });
      continue;
    }
    const found = checkForeignKey(rows, present, constraint, referencedTable);
    if (found !== null) {
      passes.delete(constraint);
      return found;
    }
    if (incremental) passes.set(constraint, { rows, referencedRows, present });
  }
  return null;
}
