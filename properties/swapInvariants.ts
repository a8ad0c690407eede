import type { Database, Row } from '../src/index.js';
import type { Violation } from '../src/harness/domain.js';
import { DELETED_RECORDS, qualifiedTableName } from '../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import { looseForeignKeyTriggerName } from '../model/gitlab/looseForeignKeys/trackRecordDeletions.js';
import type { TableSwapRecord } from '../model/gitlab/rolloutRecord.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { DELETION_BEFORE_TRACKING_SWITCH } from '../model/runners/knownRaces.js';
import { tableIds } from './rowsById.js';
import { checkKey, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * Invariants of `replace_with_partitioned_table` (docs/semantics.md §f, § invariants 17–18, docs/semantics.md §h.6), read from the
 * catalog and the heaps, with the swap record only saying which names were swapped when.
 */
export const SWAP_PRESERVES_ROWS = 'swap-preserves-rows';
export const IDS_UNIQUE_ACROSS_PARTITIONS = 'ids-unique-across-partitions';
export const DELETION_TRACKING_FOLLOWS_SWAP = 'deletion-tracking-follows-swap';

const rowKeys = (rows: readonly Row[]): string[] =>
  rows.map((row) => JSON.stringify(Object.entries(row).sort(([left], [right]) => (left < right ? -1 : 1)))).sort();

/** Whether two row lists hold the very same row objects, as many times each, in any order. */
function sameRowObjects(left: readonly Row[], right: readonly Row[]): boolean {
  const counts = new Map<Row, number>();
  for (const row of left) counts.set(row, (counts.get(row) ?? 0) + 1);
  for (const row of right) {
    const count = counts.get(row);
    if (count === undefined || count === 0) return false;
    counts.set(row, count - 1);
  }
  return true;
}

function sameRows(left: readonly Row[], right: readonly Row[]): boolean {
  if (left.length !== right.length) return false;
  // A swap renames tables and keeps their tuples, so the rows are usually the very same (frozen)
  // objects: equal without serialising them. Other rows are compared by content.
  if (sameRowObjects(left, right)) return true;
  const a = rowKeys(left);
  const b = rowKeys(right);
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

const hasTrigger = (db: Database, table: string, name: string): boolean => db.hasTrigger(table, name);
const hasConstraint = (db: Database, table: string, name: string): boolean => db.hasConstraint(table, name);

/** The first way the names after one swap disagree with docs/semantics.md §f, or null. */
function swapProblem(world: RunnersWorld, swap: TableSwapRecord): string | null {
  const { db } = world;
  const { table, archive, copy } = swap;
  if (db.hasTable(copy)) return `${copy} still exists after the swap`;
  if (!db.hasTable(table) || db.describe(table).partitionKey === null)
    return `${table} is not the partitioned former ${copy}`;
  if (!db.hasTable(archive) || db.describe(archive).partitionKey !== null)
    return `${archive} is not the former legacy ${table}`;
  if (world.currentStep === swap.step) {
    if (!sameRows(db.rows(table), swap.copyRows)) return `${table} does not hold the rows ${copy} held before the swap`;
    if (!sameRows(db.rows(archive), swap.legacyRows))
      return `${archive} does not hold the rows the legacy ${table} held before the swap`;
  }
  if (!hasConstraint(db, table, `${table}_pkey`) || !hasConstraint(db, archive, `${archive}_pkey`))
    return `the primary keys are not named ${table}_pkey and ${archive}_pkey`;
  const partitions = db.describe(table).partitions;
  for (const [from, to] of swap.partitionRenames) {
    if (!partitions.includes(to)) return `partition ${from} was not renamed to ${to}`;
    if (!hasConstraint(db, to, `${to}_pkey`)) return `partition ${to} has no ${to}_pkey`;
  }
  const owner = db.sequenceInfo(swap.sequence)?.ownedBy ?? null;
  if (owner !== `${table}.id`) return `${swap.sequence} is owned by ${String(owner)}, not ${table}.id`;
  // ensure_unique_id later drops the default and assigns ids in its trigger instead (docs/semantics.md §f).
  const assignsIds = hasTrigger(db, table, `assign_${table}_id_trigger`);
  const idDefault = db.columnDefault(table, 'id');
  if (!assignsIds && idDefault !== `nextval('${swap.sequence}')`)
    return `${table}.id defaults to ${String(idDefault)}, not nextval('${swap.sequence}')`;
  if (db.columnDefault(archive, 'id') !== null) return `${archive}.id still has a default`;
  if (!hasTrigger(db, table, swap.syncTriggerName) || hasTrigger(db, archive, swap.syncTriggerName))
    return `${swap.syncTriggerName} does not sync ${table} → ${archive}`;
  for (const key of swap.foreignKeysToLegacy) {
    if (!db.hasTable(key.table) || !hasConstraint(db, key.table, key.name)) continue;
    const target = db.constraint(key.table, key.name).referencedTable;
    if (target !== archive)
      return `foreign key ${key.name} on ${key.table} references ${String(target)}, not ${archive}`;
  }
  return null;
}

/**
 * What `swapProblem` reads at the swap's own step: the catalog and the rows of the table and the
 * archive (the swap record's own rows never change). Null when either name is gone, which the
 * catalog part alone reports.
 */
function swapStepInputs(db: Database, swap: TableSwapRecord): readonly unknown[] | null {
  if (!db.hasTable(swap.table) || !db.hasTable(swap.archive)) return null;
  return [db.catalogStamp(), db.rows(swap.table), db.rows(swap.archive)];
}

export function checkSwapPreservesRows(world: RunnersWorld): Violation | null {
  for (const swap of world.rollout.swaps) {
    // Past its own step, a swap is judged from the catalog alone: skipped while the catalog is
    // the one it last passed (unchangedInputs.ts, `Database.catalogStamp`). At its own step it also
    // compares both tables' rows with those recorded at the swap: skipped while the catalog and those
    // rows are the ones it last passed with. The two kinds of inputs differ in length, so a pass of
    // one kind never stands for the other.
    const inputs = world.currentStep === swap.step ? swapStepInputs(world.db, swap) : [world.db.catalogStamp()];
    const problem =
      inputs === null ? swapProblem(world, swap) : unlessUnchanged(world, swap, inputs, () => swapProblem(world, swap));
    if (problem !== null)
      return violation(
        SWAP_PRESERVES_ROWS,
        `after replace_with_partitioned_table ${swap.table} (step ${swap.step}): ${problem}`,
      );
  }
  return null;
}

/**
 * Skipped per swapped table while the catalog and each partition's rows are the ones it last passed
 * with (unchangedInputs.ts): it reads nothing else.
 */
export function checkIdsUniqueAcrossPartitions(world: RunnersWorld): Violation | null {
  const { db } = world;
  for (const swap of world.rollout.swaps) {
    if (!db.hasTable(swap.table)) continue;
    const partitions = db.describe(swap.table).partitions;
    const inputs: unknown[] = [db.catalogStamp()];
    for (const partition of partitions) inputs.push(tableIds(db, partition));
    const key = checkKey(IDS_UNIQUE_ACROSS_PARTITIONS, swap.table);
    const found = unlessUnchanged(world, key, inputs, () => idsUniqueAcross(world, swap.table, partitions));
    if (found !== null) return found;
  }
  return null;
}

function idsUniqueAcross(world: RunnersWorld, table: string, partitions: readonly string[]): Violation | null {
  const where = new Map<number, string>();
  for (const partition of partitions) {
    for (const row of world.db.rows(partition)) {
      const id = row['id'] as number;
      const other = where.get(id);
      if (other !== undefined)
        return violation(IDS_UNIQUE_ACROSS_PARTITIONS, `${table} id=${id} is in both ${other} and ${partition}`);
      where.set(id, partition);
    }
  }
  return null;
}

/**
 * docs/semantics.md §h.6: the LFK trigger follows the legacy table's identity onto the archive, where it records
 * deletions under the archive's name, which no loose-foreign-key definition names, so their
 * children are never cleaned. A record under `<table>_archived` is exactly such a deletion. One
 * recorded before the table's tracking switch carries the named cause of that window
 * (`deletion-before-tracking-switch`, which a plan may accept); one recorded after it does not,
 * and is reported first.
 */
export function checkDeletionTrackingFollowsSwap(world: RunnersWorld): Violation | null {
  const { db } = world;
  let explained: Violation | null = null;
  for (const swap of world.rollout.swaps) {
    if (!swap.legacyTriggers.includes(looseForeignKeyTriggerName(swap.table))) continue;
    const archiveName = qualifiedTableName(swap.archive);
    const switchedAt = world.rollout.trackingSwitchedAt.get(swap.table);
    for (const record of db.rows(DELETED_RECORDS)) {
      if (record['fully_qualified_table_name'] !== archiveName) continue;
      const beforeSwitch = switchedAt === undefined || (record['id'] as number) < switchedAt;
      if (beforeSwitch && explained !== null) continue;
      const stillThere =
        db.hasTable(swap.archive) && hasTrigger(db, swap.archive, looseForeignKeyTriggerName(swap.table));
      const where = stillThere ? `: ${looseForeignKeyTriggerName(swap.table)} is still on ${swap.archive}` : '';
      const when = switchedAt === undefined || beforeSwitch ? '' : ', after its tracking was switched';
      const found = violation(
        DELETION_TRACKING_FOLLOWS_SWAP,
        `the deletion of ${swap.table} id=${String(record['primary_key_value'])} was recorded as ${archiveName}, not ${qualifiedTableName(swap.table)}${when}${where}`,
      );
      if (!beforeSwitch) return found;
      explained = { ...found, cause: DELETION_BEFORE_TRACKING_SWITCH };
    }
  }
  return explained;
}
