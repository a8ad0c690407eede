/**
 * The row backfills of the runners world's rollouts (docs/semantics.md §a.2): the sharding key, the managers'
 * runner_type and key, the orphan clean-up, and organization_id, run by GitLab's generic
 * batched row backfill (model/gitlab/rowBackfillBatches.ts).
 */
import { and, col, eq, fromCol, inList, isNotNull, isNull, ne, outer, scalarSubquery } from '../../src/index.js';
import type { Expr } from '../../src/index.js';
import { DEFAULT_ORGANIZATION_ID } from './organizations.js';
import { integerField, nullableIntegerField } from '../gitlab/rowFields.js';
import { rowBackfillJob } from '../gitlab/rowBackfillBatches.js';
import type { RowBackfillDefinition } from '../gitlab/rowBackfillBatches.js';
import type { BatchedJob } from '../gitlab/migrationWorld.js';
import { RUNNER_PROBES_ROLLOUT } from './rolloutProbes.js';
import { MANAGERS, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS } from './schema.js';
import { danglingTaggingsDelete } from './taggings/danglingTaggings.js';
import { RUNNER_TAGGINGS } from './taggings/taggingsSchema.js';
import { mutated } from '../gitlab/mutations.js';

/**
 * `BackfillShardingKeyIdOnCiRunners` (17.5, docs/semantics.md §a.2): group runners take their
 * ci_runner_namespaces row's namespace, project runners the project of their lowest-id
 * ci_runner_projects row. Only runners with a join row are updated; the rest stay NULL — the
 * orphans. As GitLab's job, two `UPDATE … FROM` statements per sub-batch, group runners first, each
 * in autocommit; the project one sets the key from a correlated sub-query ordered by id. GitLab
 * restricts the targets with `id IN (<sub-batch relation>)`; the engine has no IN (sub-query), so
 * the sub-batch's conditions are the UPDATE's own, which EvalPlanQual re-checks on a row another
 * transaction changed meanwhile (PostgreSQL keeps the sub-query's snapshot answer instead).
 */
const backfillShardingKeyIdOnCiRunners: RowBackfillDefinition = {
  name: 'BackfillShardingKeyIdOnCiRunners',
  table: RUNNERS,
  probeOnChange: RUNNER_PROBES_ROLLOUT.shardingKeyBackfilled,
  runBatch: function* (tx, ids) {
    const subBatch = (runnerType: number): Expr =>
      and(inList(col('id'), [...ids]), eq(col('runner_type'), runnerType), isNull(col('sharding_key_id')));
    const groups = yield* tx.execute({
      kind: 'update',
      table: RUNNERS,
      set: { sharding_key_id: fromCol(RUNNER_NAMESPACES, 'namespace_id') },
      where: and(eq(col('id'), fromCol(RUNNER_NAMESPACES, 'runner_id')), subBatch(2)),
      options: {},
      from: { table: RUNNER_NAMESPACES },
    });
    const direction = mutated('sharding-backfill-highest-project') ? 'desc' : 'asc';
    const projects = yield* tx.execute({
      kind: 'update',
      table: RUNNERS,
      set: {
        sharding_key_id: scalarSubquery({
          table: RUNNER_PROJECTS,
          column: 'project_id',
          where: eq(col('runner_id'), outer(RUNNERS, 'id')),
          orderBy: [{ column: 'id', direction }],
          limit: 1,
        }),
      },
      where: and(eq(col('id'), fromCol(RUNNER_PROJECTS, 'runner_id')), subBatch(3)),
      options: {},
      from: { table: RUNNER_PROJECTS },
    });
    return groups.length + projects.length;
  },
};

/** `BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers`: managers without a key take their runner's type and key. */
const backfillRunnerTypeAndShardingKeyIdOnManagers: RowBackfillDefinition = {
  name: 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers',
  table: MANAGERS,
  runBatch: function* (tx, ids) {
    let changed = 0;
    for (const manager of yield* tx.select(MANAGERS, {
      where: and(inList(col('id'), [...ids]), isNull(col('sharding_key_id'))),
    })) {
      const [runner] = yield* tx.select(RUNNERS, { where: eq(col('id'), integerField(manager, 'runner_id')) });
      if (runner === undefined) continue;
      const shardingKeyId = nullableIntegerField(runner, 'sharding_key_id');
      if (shardingKeyId === null && manager['runner_type'] === runner['runner_type']) continue;
      const updated = yield* tx.update(
        MANAGERS,
        mutated('manager-backfill-skips-runner-type')
          ? { sharding_key_id: shardingKeyId }
          : { runner_type: runner['runner_type'] ?? null, sharding_key_id: shardingKeyId },
        eq(col('id'), integerField(manager, 'id')),
      );
      changed += updated.length;
    }
    return changed;
  },
};

/**
 * The orphan clean-up of seed 002 item 2.3 ("delete project and group runners belonging to
 * nonexistent …", #498019; the job's class name is not verified): deletes group and project
 * runners that the sharding-key backfill left without a key. FKs cascade to their managers.
 */
const deleteOrphanedGroupAndProjectRunners: RowBackfillDefinition = {
  name: 'DeleteOrphanedGroupAndProjectRunners',
  table: RUNNERS,
  runBatch: function* (tx, ids) {
    const typed = mutated('orphan-cleanup-ignores-type')
      ? inList(col('runner_type'), [1, 2, 3])
      : ne(col('runner_type'), 1);
    return (yield* tx.delete(RUNNERS, and(inList(col('id'), [...ids]), typed, isNull(col('sharding_key_id'))))).length;
  },
};

/**
 * The organization_id backfill (seed 002 items 14–16; class name not verified): runners with an
 * owner take the owner's organization, which is the default organization for all of them.
 */
const backfillOrganizationIdOnCiRunners: RowBackfillDefinition = {
  name: 'BackfillOrganizationIdOnCiRunners',
  table: RUNNERS,
  runBatch: function* (tx, ids) {
    const updated = yield* tx.update(
      RUNNERS,
      { organization_id: DEFAULT_ORGANIZATION_ID },
      and(
        inList(col('id'), [...ids]),
        mutated('org-backfill-skips-group-runners') ? eq(col('runner_type'), 3) : ne(col('runner_type'), 1),
        isNotNull(col('sharding_key_id')),
        isNull(col('organization_id')),
      ),
    );
    return updated.length;
  },
};

/**
 * Seed 004's clean-up of taggings whose tag is gone, as a batched background migration over
 * ci_runner_taggings ids (the `delete_orphaned_runner_taggings` step runs the same DELETE inline).
 */
const deleteOrphanedCiRunnerTaggings: RowBackfillDefinition = {
  name: 'DeleteOrphanedCiRunnerTaggings',
  table: RUNNER_TAGGINGS,
  runBatch: function* (tx, ids) {
    return (yield* tx.execute(danglingTaggingsDelete([...ids]))).length;
  },
};

/** The row backfills plans may queue, in the order error messages list them. */
export const ROW_BACKFILL_JOBS: readonly BatchedJob[] = [
  backfillShardingKeyIdOnCiRunners,
  backfillRunnerTypeAndShardingKeyIdOnManagers,
  deleteOrphanedGroupAndProjectRunners,
  backfillOrganizationIdOnCiRunners,
  deleteOrphanedCiRunnerTaggings,
].map(rowBackfillJob);
