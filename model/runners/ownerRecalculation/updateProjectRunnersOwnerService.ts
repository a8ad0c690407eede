import { Tx, and, col, eq, exists, gt, inList, outer, runSerially, scalarSubquery } from '../../../src/index.js';
import type { Database, Expr, Work } from '../../../src/index.js';
import { integerField } from '../records.js';
import { MANAGERS, RUNNERS, RUNNER_PROJECTS } from '../schema.js';
import { RUNNER_TAGGINGS } from '../taggings/taggingsSchema.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `Ci::Runners::UpdateProjectRunnersOwnerService` (docs/semantics.md §e.2), statement for statement, as
 * coroutines of statements (src/coroutines/transactionApi.ts) in GitLab's transaction boundaries:
 * the pre-clean's batches are separate autocommit statements, each runner batch one transaction.
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
export function* preCleanRunnerProjects(tx: Tx, projectId: number, batchSize: number): Work<number> {
  let deleted = 0;
  for (;;) {
    const batch = yield* tx.select(RUNNER_PROJECTS, {
      where: eq(col('project_id'), projectId),
      orderBy: [{ column: 'id', direction: 'asc' }],
      limit: batchSize,
    });
    if (batch.length === 0 || mutated('owner-service-skips-preclean')) return deleted;
    const ids = batch.map((row) => integerField(row, 'id'));
    deleted += (yield* tx.delete(RUNNER_PROJECTS, inList(col('id'), ids))).length;
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
export function* runRunnerBatch(
  tx: Tx,
  projectId: number,
  cursor: number,
  batchSize: number,
): Work<RunnerBatchResult | null> {
  const ownedByProject = mutated('owner-service-ignores-runner-type')
    ? eq(col('sharding_key_id'), projectId)
    : and(eq(col('runner_type'), PROJECT_RUNNER), eq(col('sharding_key_id'), projectId));
  // `select(:id).each_batch`: the batch's ids are read in autocommit, before the batch's transaction.
  const batch = yield* tx.select(RUNNERS, {
    where: and(ownedByProject, gt(col('id'), cursor)),
    orderBy: [{ column: 'id', direction: 'asc' }],
    limit: mutated('owner-batch-limit-off-by-one') ? batchSize - 1 : batchSize,
  });
  if (batch.length === 0) return null;
  const ids = batch.map((row) => integerField(row, 'id'));
  const withFallback = and(inList(col('id'), ids), hasRunnerProject);
  return yield* tx.transaction(() => reownBatch(tx, ids, withFallback, ownedByProject, batchSize));
}

/** The whole service: the pre-clean, then every batch. */
function* ownerServiceWork(tx: Tx, projectId: number, batchSize: number): Work<void> {
  yield* preCleanRunnerProjects(tx, projectId, batchSize);
  let cursor = 0;
  for (
    let result = yield* runRunnerBatch(tx, projectId, cursor, batchSize);
    result !== null;
    result = yield* runRunnerBatch(tx, projectId, cursor, batchSize)
  ) {
    cursor = result.ids[result.ids.length - 1]!;
  }
}

/** The whole service in one go, serially inside the caller's open transaction (for the idempotence check). */
export function executeOwnerService(db: Database, projectId: number, batchSize: number): void {
  runSerially(db, ownerServiceWork(new Tx(db, 1), projectId, batchSize));
}

/** The batch's transaction (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* reownBatch(
  tx: Tx,
  ids: readonly number[],
  withFallback: Expr,
  ownedByProject: Expr,
  batchSize: number,
): Work<RunnerBatchResult> {
  const fallbackIds = (yield* tx.select(RUNNERS, { where: withFallback, limit: batchSize })).map((row) =>
    integerField(row, 'id'),
  );
  const reowned = (yield* tx.update(
    RUNNERS,
    { sharding_key_id: lowestRunnerProject(RUNNERS, 'id') },
    withFallback,
  )).map((row) => integerField(row, 'id'));
  if (fallbackIds.length > 0) {
    const dependants = and(eq(col('runner_type'), PROJECT_RUNNER), inList(col('runner_id'), fallbackIds));
    if (!mutated('owner-service-forgets-managers'))
      yield* tx.update(MANAGERS, { sharding_key_id: lowestRunnerProject(MANAGERS, 'runner_id') }, dependants);
    if (tx.catalog.hasTable(RUNNER_TAGGINGS))
      yield* tx.update(
        RUNNER_TAGGINGS,
        { sharding_key_id: lowestRunnerProject(RUNNER_TAGGINGS, 'runner_id') },
        dependants,
      );
  }
  const deletable = mutated('owner-service-deletes-reowned')
    ? and(inList(col('id'), ids), eq(col('runner_type'), PROJECT_RUNNER))
    : and(inList(col('id'), ids), ownedByProject);
  const deleted = (yield* tx.delete(RUNNERS, deletable)).map((row) => integerField(row, 'id'));
  return { ids, reowned, deleted };
}
