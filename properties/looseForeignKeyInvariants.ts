import type { Database } from '../src/database.js';
import type { Invariant, Violation } from '../src/harness/domain.js';
import type { Row } from '../src/engine/values.js';
import {
  DELETED_RECORDS,
  RECORD_STATUS,
  qualifiedTableName,
} from '../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import { describeDefinition } from '../model/gitlab/looseForeignKeys/definitions.js';
import type { LooseForeignKeyDefinition } from '../model/gitlab/looseForeignKeys/definitions.js';
import { GITLAB_LOOSE_FOREIGN_KEYS } from '../model/runners/looseForeignKeys.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { sameColumns, tableIds } from './rowsById.js';
import { checkKey, incrementalChecks, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';
import { definitionsInForce, trackedParents } from '../model/gitlab/looseForeignKeys/looseForeignKeysState.js';

/**
 * Loose foreign keys (docs/semantics.md §b, § invariants 15–16), read through full scans of the tables and the
 * deleted-records table, never through the triggers' own bookkeeping.
 */
export const LFK_RECORDS_EACH_DELETE_ONCE = 'lfk-records-each-delete-once';
export const LFK_EVENTUALLY_CLEAN = 'lfk-eventually-clean';

/**
 * Logical table → the tables whose LFK trigger records under that name, for triggers still
 * installed: a table swap renames tables under the registry, and the trigger follows the renamed
 * table (docs/semantics.md §b.1). Reading the catalog costs a lookup per table, so the answer is cached per
 * catalog state, which `db.catalogStamp()` identifies: it returns the same object until the next
 * DDL, and every new tracking creates a trigger, which is DDL (were that to change, this would
 * only recompute every time).
 */
let trackedCache: { readonly catalog: object; readonly byName: Map<string, string[]> } | null = null;

/**
 * The answer for the catalog stamp last asked about only: a run asks after every step, with a stamp
 * that changes at every catalog change and is never handed out again, and a stamp is one database's
 * (a world's), so a hit is that world at that catalog. A WeakMap keyed on stamps paid an insertion
 * per catalog change for no other hit.
 */
function trackedTablesByLogicalName(world: RunnersWorld): Map<string, string[]> {
  const { db } = world;
  const catalog = db.catalogStamp();
  if (trackedCache !== null && trackedCache.catalog === catalog) return trackedCache.byName;
  const byName = new Map<string, string[]>();
  for (const tracking of world.bookkeeping.looseForeignKeys.trackings) {
    if (!db.hasTable(tracking.table) || !db.hasTrigger(tracking.table, tracking.triggerName)) continue;
    const logical = tracking.logicalName ?? tracking.table;
    byName.set(logical, [...(byName.get(logical) ?? []), tracking.table]);
  }
  trackedCache = { catalog, byName };
  return byName;
}

/**
 * `fully_qualified_table_name` → primary_key_value → number of records, whatever their status; per
 * rows array of the deleted-records table (the same array while it is unchanged), so it is counted
 * once per write of that table, not once per check. Readers must not change the maps.
 */
const countsOf = new WeakMap<readonly Row[], Map<string, Map<number, number>>>();

/** Per database: the deleted-records rows last counted, and their counts. */
const lastCounted = new WeakMap<
  Database,
  { readonly records: readonly Row[]; readonly counts: Map<string, Map<number, number>> }
>();

/**
 * The columns whose values make the per-key counts: the worker's status updates change a record in
 * place and leave them, so the counts stay as they were.
 */
const RECORD_KEY_COLUMNS: readonly string[] = ['fully_qualified_table_name', 'primary_key_value'];

/**
 * The counts of the deleted-records table as it is. The same map comes back while its records
 * name the same keys in the same order (`sameColumns` over `RECORD_KEY_COLUMNS`), so checks may key skipped work on it.
 */
export function recordCounts(db: Database): Map<string, Map<number, number>> {
  const records = db.rows(DELETED_RECORDS);
  const cached = countsOf.get(records);
  if (cached !== undefined) return cached;
  // Reference runs (unchangedInputs.ts) count every read afresh.
  const last = incrementalChecks() ? lastCounted.get(db) : undefined;
  if (last !== undefined && sameColumns(last.records, records, RECORD_KEY_COLUMNS)) {
    countsOf.set(records, last.counts);
    lastCounted.set(db, { records, counts: last.counts });
    return last.counts;
  }
  const counts = new Map<string, Map<number, number>>();
  for (const record of records) {
    const table = record['fully_qualified_table_name'] as string;
    const perId = counts.get(table) ?? new Map<number, number>();
    counts.set(table, perId);
    const id = record['primary_key_value'] as number;
    perId.set(id, (perId.get(id) ?? 0) + 1);
  }
  countsOf.set(records, counts);
  lastCounted.set(db, { records, counts });
  return counts;
}

/**
 * `qualifiedTableName(table)`, the same string object every time: the check looks records up by it
 * after every step, and a name built afresh is hashed afresh by every look-up. The model's few
 * table names keep the map small.
 */
const qualifiedNames = new Map<string, string>();

function qualifiedName(table: string): string {
  let name = qualifiedNames.get(table);
  if (name === undefined) {
    name = qualifiedTableName(table);
    qualifiedNames.set(table, name);
  }
  return name;
}

/** No records of a table: shared, never written. */
const NO_RECORDS: ReadonlyMap<number, number> = new Map();

function checkRecordsEachDeleteOnce(world: RunnersWorld): Violation | null {
  const tracked = trackedTablesByLogicalName(world);
  // Skipped while nothing it reads changed since it last held (unchangedInputs.ts): it reads the
  // tracked tables' ids and the records' keys only, so a write that changes neither (an UPDATE, a
  // record's status) leaves the same inputs; and its memory of ids seen would only be given the
  // same ids again.
  const inputs: unknown[] = [world.bookkeeping.looseForeignKeys.trackings, tracked, recordCounts(world.db)];
  for (const tables of tracked.values()) for (const table of tables) inputs.push(tableIds(world.db, table));
  return unlessUnchanged(world, LFK_RECORDS_EACH_DELETE_ONCE, inputs, () => recordsEachDeleteOnce(world, tracked));
}

/** Whether `id` is in any of the sets (the live ids of a logical table's tables). */
function isLive(liveIds: readonly ReadonlySet<number>[], id: number): boolean {
  for (const ids of liveIds) if (ids.has(id)) return true;
  return false;
}

function recordsEachDeleteOnce(world: RunnersWorld, tracked: Map<string, string[]>): Violation | null {
  const counts = recordCounts(world.db);
  // A table whose tracking is gone (a swap took its trigger to the archive) records nothing
  // until the tracking is switched back: rows deleted meanwhile are deletion-tracking-follows-swap's
  // concern, and the rows seen are judged afresh from the check that finds the table tracked again.
  for (const tracking of world.bookkeeping.looseForeignKeys.trackings) {
    const logical = tracking.logicalName ?? tracking.table;
    if (!tracked.has(logical)) world.looseForeignKeys.seenIds.delete(logical);
  }
  for (const [logical, tables] of tracked) {
    const liveIds = tables.map((table) => tableIds(world.db, table));
    const recorded = counts.get(qualifiedName(logical)) ?? NO_RECORDS;
    let seen = world.looseForeignKeys.seenIds.get(logical);
    if (seen === undefined) {
      seen = new Set<number>();
      world.looseForeignKeys.seenIds.set(logical, seen);
    }
    // Skipped per logical table while what it reads of that table is as it last passed
    // (unchangedInputs.ts): its ids seen (a set only this check adds to, and replaced when the
    // tracking goes), its records' counts and its tables' ids. The pass added those live ids to
    // the ids seen, so a second run over the same inputs would judge the same ids and add none.
    const inputs: unknown[] = [seen, recorded];
    for (const ids of liveIds) inputs.push(ids);
    const found = unlessUnchanged(world, checkKey(LFK_RECORDS_EACH_DELETE_ONCE, logical), inputs, () =>
      logicalRecordsEachDeleteOnce(logical, liveIds, recorded, seen),
    );
    if (found !== null) return found;
  }
  return null;
}

/** One logical table's part of `recordsEachDeleteOnce`; adds its live ids to `seen` when it holds. */
function logicalRecordsEachDeleteOnce(
  logical: string,
  liveIds: readonly ReadonlySet<number>[],
  recorded: ReadonlyMap<number, number>,
  seen: Set<number>,
): Violation | null {
  for (const id of seen) {
    if (isLive(liveIds, id)) continue;
    const count = recorded.get(id) ?? 0;
    if (count !== 1)
      return violation(
        LFK_RECORDS_EACH_DELETE_ONCE,
        `${logical} id=${id} was deleted and has ${count} loose_foreign_keys_deleted_records rows, not exactly one`,
      );
  }
  for (const [id, count] of recorded) {
    if (count > 1)
      return violation(
        LFK_RECORDS_EACH_DELETE_ONCE,
        `${logical} id=${id} has ${count} loose_foreign_keys_deleted_records rows, not exactly one`,
      );
    if (isLive(liveIds, id))
      return violation(
        LFK_RECORDS_EACH_DELETE_ONCE,
        `${logical} id=${id} still exists, yet a deletion of it was recorded`,
      );
  }
  // In table order, each table's ids in row order: the order a set of all live ids would add them in.
  // This part runs only when one of its inputs changed (`recordsEachDeleteOnce`), so the ids are
  // added without remembering which sets were added already.
  for (const ids of liveIds) for (const id of ids) seen.add(id);
  return null;
}

/**
 * The loose foreign keys a drained worker is held to: GitLab's own (docs/semantics.md §b.3), as the
 * reference lists them rather than as the world's configuration installed them, which a design
 * mistake can get wrong or leave out, and those the plan's steps added between other tables; each
 * whose child table exists. An installed definition between a child and a parent the reference
 * links by another column is the configuration's mistake, not a relationship to hold rows to.
 */
function expectedDefinitions(world: RunnersWorld): LooseForeignKeyDefinition[] {
  const reference = GITLAB_LOOSE_FOREIGN_KEYS.filter((definition) => world.db.hasTable(definition.childTable));
  const added = definitionsInForce(world).filter(
    (definition) =>
      !reference.some(
        (known) => known.childTable === definition.childTable && known.parentTable === definition.parentTable,
      ),
  );
  return [...reference, ...added];
}

/**
 * After the worker has run to a fixed point: for every expected definition, no child row still
 * references a deleted parent id, and every record of a parent that has definitions is processed.
 */
function checkEventuallyClean(world: RunnersWorld): Violation | null {
  const { db } = world;
  const counts = recordCounts(world.db);
  for (const definition of expectedDefinitions(world)) {
    const deleted = counts.get(qualifiedTableName(definition.parentTable)) ?? new Map<number, number>();
    const dangling = db.rows(definition.childTable).find((row) => deleted.has(row[definition.column] as number));
    if (dangling !== undefined) {
      return violation(
        LFK_EVENTUALLY_CLEAN,
        `${definition.childTable} id=${String(dangling['id'])} still has ${definition.column}=${String(dangling[definition.column])}, a deleted ${definition.parentTable} row (${describeDefinition(definition)})`,
      );
    }
  }
  const parents = new Set(trackedParents(world).map(qualifiedTableName));
  const pending = db
    .rows(DELETED_RECORDS)
    .find(
      (record) =>
        record['status'] === RECORD_STATUS.pending && parents.has(record['fully_qualified_table_name'] as string),
    );
  if (pending !== undefined)
    return violation(
      LFK_EVENTUALLY_CLEAN,
      `the deletion of ${String(pending['fully_qualified_table_name'])} id=${String(pending['primary_key_value'])} is still pending after the worker drained`,
    );
  return null;
}

export const looseForeignKeyInvariants: readonly Invariant<RunnersWorld>[] = [
  {
    id: LFK_RECORDS_EACH_DELETE_ONCE,
    sentence:
      'Every deleted row of a tracked table is recorded exactly once, through its parent, a partition or a cascade; row movement records nothing (docs/semantics.md, invariant 15).',
    scope: 'always',
    check: checkRecordsEachDeleteOnce,
  },
  {
    id: LFK_EVENTUALLY_CLEAN,
    sentence:
      'Once the LFK worker has drained, no child references a deleted parent and every record is processed (docs/semantics.md, invariant 16).',
    scope: 'quiescence',
    check: checkEventuallyClean,
  },
];
