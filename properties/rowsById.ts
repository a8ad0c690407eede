/**
 * Rows by id. `db.rows()` returns the same frozen array until the data changes, so the map is
 * built once per table per write, not once per invariant per step (several invariants read it).
 */
import type { Database } from '../src/database.js';
import type { Row } from '../src/engine/values.js';
import { RecentlyDerived } from './recentlyDerived.js';
import { incrementalChecks } from './unchangedInputs.js';

/**
 * Rows by id, per rows array. The last few arrays are kept (`RecentlyDerived`): the invariants that
 * read one table's rows by id in a check (the copy invariants read the source's) read the same array.
 */
const idMaps = new RecentlyDerived<readonly Row[], Map<number, Row>>(
  (rows) => new Map(rows.map((row) => [row.id as number, row])),
  8,
);

export function byId(rows: readonly Row[]): Map<number, Row> {
  return idMaps.of(rows);
}

/** The ids of a table's rows as a new set, in row order. */
const idSetOf = (rows: readonly Row[]): ReadonlySet<number> => new Set(rows.map((row) => row.id as number));

const idSets = new RecentlyDerived<readonly Row[], ReadonlySet<number>>(idSetOf, 8);

/** The ids of a table's rows, built once per rows array as `byId` is; readers must not change it. */
export function idsOf(rows: readonly Row[]): ReadonlySet<number> {
  return idSets.of(rows);
}

/** Per database, table → the rows `tableIds` last read and the id set it handed out for them. */
const lastTableIds = new WeakMap<
  Database,
  Map<string, { readonly rows: readonly Row[]; readonly ids: ReadonlySet<number> }>
>();

/** The column `tableIds` compares: an UPDATE keeps a row's place and, nearly always, its id. */
const ID_COLUMN: readonly string[] = ['id'];

/**
 * The ids of `table`'s rows (`idsOf(db.rows(table))`, same content and order), as the very set
 * handed out last time while the table holds the same ids in the same order: most writes update
 * rows in place, and checks that read only ids may then skip work keyed on the set's identity
 * (unchangedInputs.ts). Comparing two reads row by row costs far less than hashing every id again.
 */
export function tableIds(db: Database, table: string): ReadonlySet<number> {
  const rows = db.rows(table);
  // Reference runs (unchangedInputs.ts) build the set from the rows read.
  if (!incrementalChecks()) return idsOf(rows);
  let perTable = lastTableIds.get(db);
  if (perTable === undefined) {
    perTable = new Map();
    lastTableIds.set(db, perTable);
  }
  const last = perTable.get(table);
  if (last !== undefined && (last.rows === rows || sameColumns(last.rows, rows, ID_COLUMN))) {
    if (last.rows !== rows) perTable.set(table, { rows, ids: last.ids });
    return last.ids;
  }
  // Built here rather than through `idsOf`: this per-table entry is what keeps it from now on.
  const ids = idSetOf(rows);
  perTable.set(table, { rows, ids });
  return ids;
}

/**
 * Whether two reads of a table hold the same values in `columns`, row by row and in the same order:
 * a write that left those columns alone (most UPDATEs set other columns) leaves every answer read
 * from them as it was. A missing value and NULL are the same value, as SQL sees them.
 */
export function sameColumns(left: readonly Row[], right: readonly Row[], columns: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    const before = left[index]!;
    const after = right[index]!;
    if (before === after) continue;
    for (const column of columns) if ((before[column] ?? null) !== (after[column] ?? null)) return false;
  }
  return true;
}

/** Per database, table → columns (the caller's constant array) → the last read and its token. */
const lastColumnTokens = new WeakMap<
  Database,
  Map<string, Map<readonly string[], { readonly rows: readonly Row[]; readonly token: object }>>
>();

/**
 * An object standing for the values of `columns` in `table`'s rows, in row order: the same one
 * while a check that reads only those columns of the table would read the same values, so it may
 * be an input of `unlessUnchanged` where the rows array would change at every UPDATE of another
 * column. Reference runs (unchangedInputs.ts) get a new one at every call.
 */
export function tableColumns(db: Database, table: string, columns: readonly string[]): object {
  const rows = db.rows(table);
  if (!incrementalChecks()) return {};
  let perTable = lastColumnTokens.get(db);
  if (perTable === undefined) {
    perTable = new Map();
    lastColumnTokens.set(db, perTable);
  }
  let perColumns = perTable.get(table);
  if (perColumns === undefined) {
    perColumns = new Map();
    perTable.set(table, perColumns);
  }
  const last = perColumns.get(columns);
  if (last !== undefined && (last.rows === rows || sameColumns(last.rows, rows, columns))) {
    if (last.rows !== rows) perColumns.set(columns, { rows, token: last.token });
    return last.token;
  }
  const token = {};
  perColumns.set(columns, { rows, token });
  return token;
}
