/**
 * `DeleteOrphanedPartitionedCiRunnerMachineRecords` (docs/semantics.md §a.2): a batched background migration over
 * the managers' copy that deletes copy managers whose (runner_id, runner_type) is missing from
 * the runners' copy, so that the FK between the copies can be validated.
 */
import { and, col, eq, exists, gt, inList, not, outer } from '../../src/index.js';
import type { BatchedJob } from '../gitlab/migrationWorld.js';
import { idRange } from '../gitlab/batchedMigrations.js';
import { integerField } from '../gitlab/rowFields.js';
import { MANAGERS_COPY, RUNNERS_COPY } from './partitionedCopies.js';

export const ORPHANED_COPY_MANAGERS_JOB = 'DeleteOrphanedPartitionedCiRunnerMachineRecords';

export const orphanedCopyManagersJob: BatchedJob = {
  name: ORPHANED_COPY_MANAGERS_JOB,
  kind: 'deleteOrphanedCopyManagers',
  table: MANAGERS_COPY,
  target: RUNNERS_COPY,
  requiredTables: [MANAGERS_COPY, RUNNERS_COPY],
  runBatch: (world, migration) => {
    const { db } = world;
    const result = db.transaction(() => {
      const batch = db.select(migration.table, {
        where: gt(col('id'), migration.cursor),
        orderBy: [{ column: 'id', direction: 'asc' }],
        limit: migration.batchSize,
      });
      if (batch.length === 0) return null;
      const runnerMissing = not(
        exists({
          table: migration.target,
          where: and(
            eq(col('id'), outer(migration.table, 'runner_id')),
            eq(col('runner_type'), outer(migration.table, 'runner_type')),
          ),
        }),
      );
      const deleted = db.delete(
        migration.table,
        and(
          inList(
            col('id'),
            batch.map((row) => integerField(row, 'id')),
          ),
          runnerMissing,
        ),
      );
      return { batch, deleted: deleted.length };
    });
    if (result === null) return { summary: 'nothing left to check', cursor: null };
    return {
      summary: `${idRange(result.batch)}: deleted ${result.deleted} orphaned copy manager${result.deleted === 1 ? '' : 's'}`,
      cursor: integerField(result.batch[result.batch.length - 1]!, 'id'),
    };
  },
};
