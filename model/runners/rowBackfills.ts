/**
 * The row backfills of the runners world's rollouts (docs/semantics.md §a.2): the sharding key, the managers'
 * runner_type and key, the orphan clean-up, and organization_id, run by GitLab's generic
 * batched row backfill (model/gitlab/rowBackfillBatches.ts).
 */
import { and, col, eq, inList, isNotNull, isNull, ne } from '../../src/index.js';
import { DEFAULT_ORGANIZATION_ID } from './organizations.js';
import { integerField, nullableIntegerField } from '../gitlab/rowFields.js';
import { rowBackfillJob } from '../gitlab/rowBackfillBatches.js';
import type { RowBackfillDefinition } from '../gitlab/rowBackfillBatches.js';
import type { BatchedJob } from '../gitlab/migrationWorld.js';
import { RUNNER_PROBES_ROLLOUT } from './rolloutProbes.js';
import { MANAGERS, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS } from './schema.js';
import { deleteDanglingTaggings } from './taggings/danglingTaggings.js';
import { RUNNER_TAGGINGS } from './taggings/taggingsSchema.js';
import { mutated } from '../gitlab/mutations.js';

/**
 * `BackfillShardingKeyIdOnCiRunners` (17.5): group runners take their ci_runner_namespaces
 * row's namespace, project runners the project of their lowest-id ci_runner_projects row. Only
 * runners with a join row are updated; the rest stay NULL — the orphans.
 */
const backfillShardingKeyIdOnCiRunners: RowBackfillDefinition = {
  name: 'BackfillShardingKeyIdOnCiRunners',
  table: RUNNERS,
  probeOnChange: RUNNER_PROBES_ROLLOUT.shardingKeyBackfilled,
  runBatch: (db, ids) => {
    const runners = db.select(RUNNERS, {
      where: and(inList(col('id'), [...ids]), inList(col('runner_type'), [2, 3]), isNull(col('sharding_key_id'))),
    });
    let changed = 0;
    for (const runner of runners) {
      const runnerId = integerField(runner, 'id');
      const joinTable = runner['runner_type'] === 2 ? RUNNER_NAMESPACES : RUNNER_PROJECTS;
      const ownerColumn = runner['runner_type'] === 2 ? 'namespace_id' : 'project_id';
      const direction = mutated('sharding-backfill-highest-project') ? 'desc' : 'asc';
      const [first] = db.select(joinTable, {
        where: eq(col('runner_id'), runnerId),
        orderBy: [{ column: 'id', direction }],
        limit: 1,
      });
      if (first === undefined) continue;
      changed += db.update(
        RUNNERS,
        { sharding_key_id: integerField(first, ownerColumn) },
        eq(col('id'), runnerId),
      ).length;
    }
    return changed;
  },
};

/** `BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers`: managers without a key take their runner's type and key. */
const backfillRunnerTypeAndShardingKeyIdOnManagers: RowBackfillDefinition = {
  name: 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers',
  table: MANAGERS,
  runBatch: (db, ids) => {
    let changed = 0;
    for (const manager of db.select(MANAGERS, {
      where: and(inList(col('id'), [...ids]), isNull(col('sharding_key_id'))),
    })) {
      const [runner] = db.select(RUNNERS, { where: eq(col('id'), integerField(manager, 'runner_id')) });
      if (runner === undefined) continue;
      const shardingKeyId = nullableIntegerField(runner, 'sharding_key_id');
      if (shardingKeyId === null && manager['runner_type'] === runner['runner_type']) continue;
      changed += db.update(
        MANAGERS,
        { runner_type: runner['runner_type'] ?? null, sharding_key_id: shardingKeyId },
        eq(col('id'), integerField(manager, 'id')),
      ).length;
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
  runBatch: (db, ids) => {
    const typed = mutated('orphan-cleanup-ignores-type')
      ? inList(col('runner_type'), [1, 2, 3])
      : ne(col('runner_type'), 1);
    return db.delete(RUNNERS, and(inList(col('id'), [...ids]), typed, isNull(col('sharding_key_id')))).length;
  },
};

/**
 * The organization_id backfill (seed 002 items 14–16; class name not verified): runners with an
 * owner take the owner's organization, which is the default organization for all of them.
 */
const backfillOrganizationIdOnCiRunners: RowBackfillDefinition = {
  name: 'BackfillOrganizationIdOnCiRunners',
  table: RUNNERS,
  runBatch: (db, ids) =>
    db.update(
      RUNNERS,
      { organization_id: DEFAULT_ORGANIZATION_ID },
      and(
        inList(col('id'), [...ids]),
        mutated('org-backfill-skips-group-runners') ? eq(col('runner_type'), 3) : ne(col('runner_type'), 1),
        isNotNull(col('sharding_key_id')),
        isNull(col('organization_id')),
      ),
    ).length,
};

/**
 * Seed 004's clean-up of taggings whose tag is gone, as a batched background migration over
 * ci_runner_taggings ids (the `delete_orphaned_runner_taggings` step runs the same DELETE inline).
 */
const deleteOrphanedCiRunnerTaggings: RowBackfillDefinition = {
  name: 'DeleteOrphanedCiRunnerTaggings',
  table: RUNNER_TAGGINGS,
  runBatch: (db, ids) => deleteDanglingTaggings(db, [...ids]).length,
};

/** The row backfills plans may queue, in the order error messages list them. */
export const ROW_BACKFILL_JOBS: readonly BatchedJob[] = [
  backfillShardingKeyIdOnCiRunners,
  backfillRunnerTypeAndShardingKeyIdOnManagers,
  deleteOrphanedGroupAndProjectRunners,
  backfillOrganizationIdOnCiRunners,
  deleteOrphanedCiRunnerTaggings,
].map(rowBackfillJob);
