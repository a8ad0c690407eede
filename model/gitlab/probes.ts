/**
 * Coverage probes of GitLab's migration helpers, whatever the world: situations a plan's runs
 * must reach for a verdict to mean something (a NOT VALID key with violators, a trigger left on
 * an archived table, …). Plans name them by these strings; worlds declare their own besides.
 */
import type { Database, Row } from '../../src/index.js';
import { isSatisfiedAsCheck } from '../../src/engine/expression.js';
import type { MigrationWorld } from './migrationWorld.js';

export const GITLAB_PROBES = {
  /** A NOT VALID foreign key had rows it would reject if validated now. */
  notValidFkWithViolators: 'not-valid-fk-with-violators',
  /** A NOT VALID CHECK was added while rows violating it existed (docs/semantics.md §c.3). */
  notValidCheckWithViolators: 'not-valid-check-with-violators',
  /** A traffic write reached a table whose partition backfill was still running. */
  backfillOverlapsTraffic: 'backfill-overlaps-traffic',
  /** A trigger other than the sync trigger was on the legacy table when it was swapped, so it stays on the archive (docs/semantics.md §h.6). */
  triggerLeftOnArchive: 'trigger-left-on-archive',
  /** `ensure_unique_id` replaced an id the client supplied. */
  clientIdIgnored: 'client-id-ignored',
  /** remove_foreign_key ran on a partitioned table whose partitions carry keys of that name added separately (docs/semantics.md §h.5). */
  revertLeftPartitionKeys: 'revert-left-partition-keys',
} as const;

/**
 * A row's key as a Set member, or null when a column is NULL (MATCH SIMPLE: such a key is never
 * checked). A one-column key (nearly all) is its value itself: values are numbers, strings and
 * booleans, which a Set tells apart as their JSON would; a composite key is its values as JSON.
 */
const keyOf = (row: Row, columns: readonly string[]): unknown => {
  if (columns.length === 1) return row[columns[0]!] ?? null;
  const values = columns.map((column) => row[column] ?? null);
  return values.some((value) => value === null) ? null : JSON.stringify(values);
};

/**
 * The referenced keys present in a rows array for one column list, for the last few (rows, columns)
 * pairs: a rows array is frozen and handed out again only while its table is unchanged
 * (`Database.rows`), and a description's column list is frozen with it, so a pair always gives the
 * same set. The referenced table is seldom the one a step or a drain just wrote.
 */
const PRESENT_SLOTS = 4;
const presentRows: (readonly Row[] | null)[] = new Array<readonly Row[] | null>(PRESENT_SLOTS).fill(null);
const presentColumns: (readonly string[] | null)[] = new Array<readonly string[] | null>(PRESENT_SLOTS).fill(null);
const presentSets: (ReadonlySet<unknown> | null)[] = new Array<ReadonlySet<unknown> | null>(PRESENT_SLOTS).fill(null);
let nextPresentSlot = 0;

function presentKeys(rows: readonly Row[], columns: readonly string[]): ReadonlySet<unknown> {
  for (let slot = 0; slot < PRESENT_SLOTS; slot++)
    if (presentRows[slot] === rows && presentColumns[slot] === columns) return presentSets[slot]!;
  const present = new Set<unknown>();
  for (const row of rows) present.add(keyOf(row, columns));
  // Only frozen inputs are remembered: an array that could change would make the set stale.
  if (Object.isFrozen(rows) && Object.isFrozen(columns)) {
    presentRows[nextPresentSlot] = rows;
    presentColumns[nextPresentSlot] = columns;
    presentSets[nextPresentSlot] = present;
    nextPresentSlot = (nextPresentSlot + 1) % PRESENT_SLOTS;
  }
  return present;
}

/** Whether some NOT VALID foreign key has rows it would reject if validated now. */
export function hasNotValidForeignKeyWithViolators(db: Database): boolean {
  // The catalog's foreign keys only (`constraints()` order), listed once per catalog version.
  for (const constraint of db.constraintsOfKind('foreignKey')) {
    if (constraint.valid || constraint.referencedTable === null) continue;
    const rows = db.rows(constraint.table);
    if (rows.length === 0) continue;
    const present = presentKeys(db.rows(constraint.referencedTable), constraint.referencedColumns);
    for (const row of rows) {
      const key = keyOf(row, constraint.columns);
      if (key !== null && !present.has(key)) return true;
    }
  }
  return false;
}

export function probeNotValidForeignKeys(world: MigrationWorld): void {
  if (hasNotValidForeignKeyWithViolators(world.db)) world.probes.hit(GITLAB_PROBES.notValidFkWithViolators);
}

/** Whether some NOT VALID CHECK has rows it would reject if validated now. */
export function probeNotValidChecks(world: MigrationWorld): void {
  for (const constraint of world.db.constraintsOfKind('check')) {
    if (constraint.valid || constraint.checkExpr === null) continue;
    const expr = constraint.checkExpr;
    if (world.db.rows(constraint.table).some((row) => !isSatisfiedAsCheck(expr, { row }))) {
      world.probes.hit(GITLAB_PROBES.notValidCheckWithViolators);
      return;
    }
  }
}

/** A traffic write to a table whose partition backfill is still running races the backfill. */
export function probeTrafficWrite(world: MigrationWorld, source: string): void {
  if (
    world.bookkeeping.migrations.some(
      (migration) =>
        migration.kind === 'partitionBackfill' && migration.status === 'active' && migration.table === source,
    )
  ) {
    world.probes.hit(GITLAB_PROBES.backfillOverlapsTraffic);
  }
}
