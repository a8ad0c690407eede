import { and, col, eq, exists, gt, inList, outer, scalarSubquery } from '../../../src/index.js';
import type { Database, Expr } from '../../../src/index.js';
import { integerField } from '../records.js';
import { MANAGERS, RUNNERS, RUNNER_PROJECTS } from '../schema.js';
import { RUNNER_TAGGINGS } from '../taggings/taggingsSchema.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `Ci::Runners::UpdateProjectRunnersOwnerService` (docs/semantics.md §e.2), statement for statement. The caller
 * owns the transactions: GitLab runs the pre-clean's batches as separate statements and each
 * runner batch in one transaction.
 */
const PROJECT_RUNNER = 3;

/** `(SELECT project_id FROM ci_runner_projects WHERE runner_id = <table>.<column> ORDER BY id ASC LIMIT 1)`. */
function lowestRunnerProject(table: string, column: string): Expr {
  const direction = mutated('owner-service-highest-project') ? 'desc' : 'asc';
  return scalarSubquery({
    table: RUNNER_PROJECTS,
    column: 'project_id',
    where: eq(col('runner_id'), outer(table, column)),
    orderBy: [{ column: 'id', direction }],
    limit: 1,
  });
}

/** `EXISTS (SELECT 1 FROM ci_runner_projects WHERE runner_id = ci_runners.id LIMIT 1)`. */
const hasRunnerProject: Expr = exists({
  table: RUNNER_PROJECTS,
  where: eq(col('runner_id'), outer(RUNNERS, 'id')),
  limit: 1,
});

/** Step 1: `Ci::RunnerProject.belonging_to_project(P).each_batch { delete_all }`; returns rows deleted. */
export function preCleanRunnerProjects(db: Database, projectId: number, batchSize: number): number {
  let deleted = 0;
  for (;;) {
    const batch = db.select(RUNNER_PROJECTS, {
      where: eq(col('project_id'), projectId),
      orderBy: [{ column: 'id', direction: 'asc' }],
      limit: batchSize,
    });
    if (batch.length === 0 || mutated('owner-service-skips-preclean')) return deleted;
    deleted += db.delete(
      RUNNER_PROJECTS,
      inList(
        col('id'),
        batch.map((row) => integerField(row, 'id')),
      ),
    ).length;
  }
}

export interface RunnerBatchResult {
  readonly ids: readonly number[];
  readonly reowned: readonly number[];
  readonly deleted: readonly number[];
}

/**
 * Steps 2–3 for the batch after `cursor`: returns null when no project runner owned by P is
 * left above the cursor. Re-owns runners that still have an assignment (the lowest-id one wins),
 * carries the new key to their managers and taggings, and deletes the rest (FK cascades remove
 * their dependants).
 */
export function runRunnerBatch(
  db: Database,
  projectId: number,
  cursor: number,
  batchSize: number,
): RunnerBatchResult | null {
  const ownedByProject = and(eq(col('runner_type'), PROJECT_RUNNER), eq(col('sharding_key_id'), projectId));
  const batch = db.select(RUNNERS, {
    where: and(ownedByProject, gt(col('id'), cursor)),
    orderBy: [{ column: 'id', direction: 'asc' }],
    limit: batchSize,
  });
  if (batch.length === 0) return null;
  const ids = batch.map((row) => integerField(row, 'id'));
  const withFallback = and(inList(col('id'), ids), hasRunnerProject);
  const fallbackIds = db
    .select(RUNNERS, { where: withFallback, limit: batchSize })
    .map((row) => integerField(row, 'id'));
  const reowned = db
    .update(RUNNERS, { sharding_key_id: lowestRunnerProject(RUNNERS, 'id') }, withFallback)
    .map((row) => integerField(row, 'id'));
  if (fallbackIds.length > 0) {
    const dependants = and(eq(col('runner_type'), PROJECT_RUNNER), inList(col('runner_id'), fallbackIds));
    db.update(MANAGERS, { sharding_key_id: lowestRunnerProject(MANAGERS, 'runner_id') }, dependants);
    if (db.hasTable(RUNNER_TAGGINGS))
      db.update(RUNNER_TAGGINGS, { sharding_key_id: lowestRunnerProject(RUNNER_TAGGINGS, 'runner_id') }, dependants);
  }
  const deletable = mutated('owner-service-deletes-reowned')
    ? and(inList(col('id'), ids), eq(col('runner_type'), PROJECT_RUNNER))
    : and(inList(col('id'), ids), ownedByProject);
  const deleted = db.delete(RUNNERS, deletable).map((row) => integerField(row, 'id'));
  return { ids, reowned, deleted };
}

/** The whole service in one go (for the idempotence check): the pre-clean, then every batch. */
export function executeOwnerService(db: Database, projectId: number, batchSize: number): void {
  preCleanRunnerProjects(db, projectId, batchSize);
  let cursor = 0;
  for (
    let result = runRunnerBatch(db, projectId, cursor, batchSize);
    result !== null;
    result = runRunnerBatch(db, projectId, cursor, batchSize)
  ) {
    cursor = result.ids[result.ids.length - 1]!;
  }
}
