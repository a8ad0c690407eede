import { col, gt } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';
import { integerField } from '../runners/records.js';
import { RUNNER_PROBES_ROLLOUT } from '../runners/rolloutProbes.js';
import { ROW_BACKFILL_JOBS } from '../runners/rowBackfills.js';
import type { RowBackfillJob } from '../runners/rowBackfills.js';
import type { BatchedMigration, RunnersWorld } from '../runners/world.js';

/** Queues a row backfill (GitLab's `queue_batched_background_migration`) with the world's batch size. */
export function registerRowBackfill(world: RunnersWorld, job: RowBackfillJob): BatchedMigration {
  const migration: BatchedMigration = { name: job.name, table: job.table, kind: 'rowBackfill', target: job.table, cursor: 0, status: 'active', batchSize: world.batchSize, failedAttempts: 0, lastError: null };
  world.backgroundMigrations.push(migration);
  return migration;
}

/** One batch: the next `batchSize` ids above the cursor, changed in one transaction; returns a summary. */
export function runRowBackfillBatch(world: RunnersWorld, migration: BatchedMigration): string {
  const job = ROW_BACKFILL_JOBS.get(migration.name);
  assert(job !== undefined, `${migration.name} is not a row backfill job`);
  const { db } = world;
  const result = db.transaction(() => {
    const batch = db.select(job.table, { where: gt(col('id'), migration.cursor), orderBy: [{ column: 'id', direction: 'asc' }], limit: migration.batchSize });
    if (batch.length === 0) return null;
    const ids = batch.map((row) => integerField(row, 'id'));
    return { ids, changed: job.runBatch(db, ids) };
  });
  if (result === null) return 'nothing left to do';
  migration.cursor = result.ids[result.ids.length - 1]!;
  if (result.changed > 0 && job.name === 'BackfillShardingKeyIdOnCiRunners') world.probes.hit(RUNNER_PROBES_ROLLOUT.shardingKeyBackfilled);
  const range = result.ids.length === 1 ? `id ${result.ids[0]}` : `ids ${result.ids[0]}..${migration.cursor}`;
  return `${range}: changed ${result.changed} row${result.changed === 1 ? '' : 's'}`;
}
