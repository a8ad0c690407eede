import { col, eq } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import { liveProjectIds, runnerFromRow, runnerProjectRows } from '../records.js';
import { RUNNERS } from '../schema.js';

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
