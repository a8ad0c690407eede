import type { Database, Row } from '../../src/index.js';
import { MANAGERS_COPY, RUNNERS_COPY } from './partitionedCopies.js';
import type { RunnersWorld } from './world.js';

/**
 * The coverage probes the runners world declares besides those of GitLab's helpers
 * (`GITLAB_PROBES`, model/gitlab/probes.ts); plans list the ones their runs must reach.
 */
export const RUNNER_PROBES = {
  verifyRunnerMissingFromCopy: 'verify-runner-missing-from-copy',
  orphanLaterAssignedProject: 'orphan-later-assigned-project',
  verifyOrphanRunner: 'verify-orphan-runner',
  copyManagerWithoutCopyRunner: 'copy-manager-without-copy-runner',
  assignToSawConcurrentOwner: 'assign-to-saw-concurrent-owner',
} as const;

export type RunnerProbe = (typeof RUNNER_PROBES)[keyof typeof RUNNER_PROBES];

const keyOf = (row: Row, columns: readonly string[]): string | null => {
  const values = columns.map((column) => row[column] ?? null);
  // MATCH SIMPLE: a key with any NULL is never checked.
  return values.some((value) => value === null) ? null : JSON.stringify(values);
};

/** Ids of copy managers whose (runner_id, runner_type) is missing from the runner copy. */
export function copyManagersWithoutCopyRunner(db: Database): number[] {
  if (!db.hasTable(RUNNERS_COPY) || !db.hasTable(MANAGERS_COPY)) return [];
  const runners = new Set(db.rows(RUNNERS_COPY).map((row) => keyOf(row, ['id', 'runner_type'])));
  return db
    .rows(MANAGERS_COPY)
    .filter((row) => !runners.has(keyOf(row, ['runner_id', 'runner_type'])))
    .map((row) => Number(row['id']));
}

export function probeCopyManagers(world: RunnersWorld): void {
  if (copyManagersWithoutCopyRunner(world.db).length > 0) world.probes.hit(RUNNER_PROBES.copyManagerWithoutCopyRunner);
}
