import { col, eq } from '../../../src/index.js';
import type { Database, Tx, Work } from '../../../src/index.js';
import { integerField, liveProjectIds, runnerFromRow, runnerProjectRows } from '../records.js';
import { PROJECTS, RUNNERS, RUNNER_PROJECTS } from '../schema.js';

/**
 * `Ci::Runner#owner` for a project runner (docs/semantics.md §e): the project named by `sharding_key_id` if it
 * still exists, else `fallback_owner_project`, the first assignment (by id) whose project
 * exists; null when there is none.
 */
export function ownerProjectId(db: Database, runnerId: number): number | null {
  const [row] = db.select(RUNNERS, { where: eq(col('id'), runnerId) });
  if (row === undefined) return null;
  const runner = runnerFromRow(row);
  const projects = new Set(liveProjectIds(db));
  if (runner.shardingKeyId !== null && projects.has(runner.shardingKeyId)) return runner.shardingKeyId;
  return runnerProjectRows(db, runnerId).find((assignment) => projects.has(assignment.projectId))?.projectId ?? null;
}

/** The runner's ci_runner_projects rows, lowest id first, read by one statement. */
export function* runnerAssignments(
  tx: Tx,
  runnerId: number,
): Work<{ readonly id: number; readonly projectId: number }[]> {
  const rows = yield* tx.select(RUNNER_PROJECTS, {
    where: eq(col('runner_id'), runnerId),
    orderBy: [{ column: 'id', direction: 'asc' }],
  });
  return rows.map((row) => ({ id: integerField(row, 'id'), projectId: integerField(row, 'project_id') }));
}

/** `ownerProjectId` as a request reads it, statement by statement: the runner, the projects, its assignments. */
export function* ownerProjectIdWork(tx: Tx, runnerId: number): Work<number | null> {
  const [row] = yield* tx.select(RUNNERS, { where: eq(col('id'), runnerId) });
  if (row === undefined) return null;
  const runner = runnerFromRow(row);
  const projects = new Set((yield* tx.select(PROJECTS)).map((project) => integerField(project, 'id')));
  if (runner.shardingKeyId !== null && projects.has(runner.shardingKeyId)) return runner.shardingKeyId;
  const assignments = yield* runnerAssignments(tx, runnerId);
  return assignments.find((assignment) => projects.has(assignment.projectId))?.projectId ?? null;
}
