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

/**
 * The last answer of `someCopyManagerWithoutCopyRunner`, by the identity of the two rows arrays it
 * read. `db.rows` hands back the same frozen array (of frozen rows) while a table is unchanged and a
 * new one after any write, and the answer depends on the two arrays' contents alone, so the same
 * pair of arrays gives the same answer. Every request probes, and most leave both copies as they were.
 */
let lastRunners: readonly Row[] | null = null;
let lastManagers: readonly Row[] | null = null;
let lastAnswer = false;

/**
 * Whether `copyManagersWithoutCopyRunner` would list any manager, without building its list or a JSON
 * text per row: the runner copy's keys by id, then runner_type. The copies' key columns are integers
 * (bigint, smallint), for which Map and Set equality is JSON text equality; a row with a NULL key
 * column gets the null key as `keyOf` gives it (a manager with one is missing unless a runner has one).
 */
function someCopyManagerWithoutCopyRunner(db: Database): boolean {
  if (!db.hasTable(RUNNERS_COPY) || !db.hasTable(MANAGERS_COPY)) return false;
  const runnerRows = db.rows(RUNNERS_COPY);
  const managerRows = db.rows(MANAGERS_COPY);
  if (runnerRows === lastRunners && managerRows === lastManagers) return lastAnswer;
  const runnerTypes = new Map<unknown, Set<unknown>>();
  let nullRunnerKey = false;
  for (const row of runnerRows) {
    const id = row['id'] ?? null;
    const type = row['runner_type'] ?? null;
    if (id === null || type === null) nullRunnerKey = true;
    else {
      const types = runnerTypes.get(id);
      if (types === undefined) runnerTypes.set(id, new Set([type]));
      else types.add(type);
    }
  }
  let answer = false;
  for (const row of managerRows) {
    const id = row['runner_id'] ?? null;
    const type = row['runner_type'] ?? null;
    const present = id === null || type === null ? nullRunnerKey : runnerTypes.get(id)?.has(type) === true;
    if (!present) {
      answer = true;
      break;
    }
  }
  lastRunners = runnerRows;
  lastManagers = managerRows;
  lastAnswer = answer;
  return answer;
}

export function probeCopyManagers(world: RunnersWorld): void {
  if (someCopyManagerWithoutCopyRunner(world.db)) world.probes.hit(RUNNER_PROBES.copyManagerWithoutCopyRunner);
}
