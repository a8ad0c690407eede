import type { Database, Row } from '../../src/index.js';
import { MANAGERS_COPY, RUNNERS_COPY } from './partitionedCopies.js';
import type { RunnersWorld } from './world.js';

/** The coverage probes this world declares; plans list the ones their runs must reach. */
export const RUNNER_PROBES = {
  verifyRunnerMissingFromCopy: 'verify-runner-missing-from-copy',
  notValidFkWithViolators: 'not-valid-fk-with-violators',
  orphanLaterAssignedProject: 'orphan-later-assigned-project',
  verifyOrphanRunner: 'verify-orphan-runner',
  backfillOverlapsTraffic: 'backfill-overlaps-traffic',
  copyManagerWithoutCopyRunner: 'copy-manager-without-copy-runner',
} as const;

export type RunnerProbe = (typeof RUNNER_PROBES)[keyof typeof RUNNER_PROBES];

const keyOf = (row: Row, columns: readonly string[]): string | null => {
  const values = columns.map((column) => row[column] ?? null);
  // MATCH SIMPLE: a key with any NULL is never checked.
  return values.some((value) => value === null) ? null : JSON.stringify(values);
};

/** Whether some NOT VALID foreign key has rows it would reject if validated now. */
export function hasNotValidForeignKeyWithViolators(db: Database): boolean {
  for (const constraint of db.constraints()) {
    const table = constraint.table;
    {
      if (constraint.kind !== 'foreignKey' || constraint.valid || constraint.referencedTable === null) continue;
      const rows = db.rows(table);
      if (rows.length === 0) continue;
      const present = new Set(db.rows(constraint.referencedTable).map((row) => keyOf(row, constraint.referencedColumns)));
      if (rows.some((row) => { const key = keyOf(row, constraint.columns); return key !== null && !present.has(key); })) return true;
    }
  }
  return false;
}

/** Ids of copy managers whose (runner_id, runner_type) is missing from the runner copy. */
export function copyManagersWithoutCopyRunner(db: Database): number[] {
  if (!db.hasTable(RUNNERS_COPY) || !db.hasTable(MANAGERS_COPY)) return [];
  const runners = new Set(db.rows(RUNNERS_COPY).map((row) => keyOf(row, ['id', 'runner_type'])));
  return db
    .rows(MANAGERS_COPY)
    .filter((row) => !runners.has(keyOf(row, ['runner_id', 'runner_type'])))
    .map((row) => Number(row['id']));
}

export function probeNotValidForeignKeys(world: RunnersWorld): void {
  if (hasNotValidForeignKeyWithViolators(world.db)) world.probes.hit(RUNNER_PROBES.notValidFkWithViolators);
}

export function probeCopyManagers(world: RunnersWorld): void {
  if (copyManagersWithoutCopyRunner(world.db).length > 0) world.probes.hit(RUNNER_PROBES.copyManagerWithoutCopyRunner);
}

/** A traffic write to a table whose partition backfill is still running races the backfill. */
export function probeTrafficWrite(world: RunnersWorld, source: string): void {
  if (world.backgroundMigrations.some((migration) => migration.kind === 'partitionBackfill' && migration.status === 'active' && migration.table === source)) {
    world.probes.hit(RUNNER_PROBES.backfillOverlapsTraffic);
  }
}
