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
import { mutated } from '../gitlab/mutations.js';

export const ORPHANED_COPY_MANAGERS_JOB = 'DeleteOrphanedPartitionedCiRunnerMachineRecords';

export const orphanedCopyManagersJob: BatchedJob = {
  name: ORPHANED_COPY_MANAGERS_JOB,
  kind: 'deleteOrphanedCopyManagers',
  table: MANAGERS_COPY,
  target: RUNNERS_COPY,
  requiredTables: [MANAGERS_COPY, RUNNERS_COPY],
  // GitLab's job runs the batching read and the DELETE each in autocommit.
  batchWork: function* (_world, migration, tx) {
    const batch = yield* tx.select(migration.table, {
      where: gt(col('id'), migration.cursor),
      orderBy: [{ column: 'id', direction: 'asc' }],
      limit: migration.batchSize,
    });
    if (batch.length === 0) return { summary: 'nothing left to check', cursor: null };
    const runnerMissing = not(
      exists({
        table: migration.target,
        where: and(
          // The mutant compares the runner's id with the manager's own id, a wrong join column.
          eq(
            col('id'),
            outer(migration.table, mutated('orphaned-copy-managers-join-on-manager-id') ? 'id' : 'runner_id'),
          ),
          eq(col('runner_type'), outer(migration.table, 'runner_type')),
        ),
      }),
    );
    const deleted = yield* tx.delete(
      migration.table,
      and(
        inList(
          col('id'),
          batch.map((row) => integerField(row, 'id')),
        ),
        runnerMissing,
      ),
    );
    return {
      summary: `${idRange(batch)}: deleted ${deleted.length} orphaned copy manager${deleted.length === 1 ? '' : 's'}`,
      cursor: integerField(batch[batch.length - 1]!, 'id'),
    };
  },
};
