import { and, col, eq, inList } from '../../../src/index.js';
import type { Tx, Work } from '../../../src/index.js';
import { integerField } from '../rowFields.js';
import { DELETED_RECORDS, RECORD_STATUS, qualifiedTableName } from './deletedRecordsTable.js';
import { mutated } from '../mutations.js';

/**
 * `LooseForeignKeys::DeletedRecord` (docs/semantics.md §b.2): loading a table's pending records in consume order
 * `(partition, consume_after, id)`, marking them processed, rescheduling and counting attempts.
 * As in GitLab's model, `load_batch_for_table` does not filter on `consume_after`: rescheduling
 * only moves records behind the others, so they stop starving the batch.
 */
export interface DeletedRecord {
  readonly id: number;
  readonly partition: number;
  readonly primaryKeyValue: number;
  readonly cleanupAttempts: number;
}

/** GitLab reschedules a record after this many over-limit runs (`CLEANUP_ATTEMPTS_BEFORE_RESCHEDULE`). */
export const CLEANUP_ATTEMPTS_BEFORE_RESCHEDULE = 3;
/** `CONSUME_AFTER_RESCHEDULE = 5.minutes`, in the clock's units (one unit per request: seconds). */
export const CONSUME_AFTER_RESCHEDULE = 300;

export function* loadBatchForTable(tx: Tx, parentTable: string, batchSize: number): Work<DeletedRecord[]> {
  const rows = yield* tx.select(DELETED_RECORDS, {
    where: mutated('lfk-load-batch-any-table')
      ? eq(col('status'), RECORD_STATUS.pending)
      : and(
          eq(col('fully_qualified_table_name'), qualifiedTableName(parentTable)),
          eq(col('status'), RECORD_STATUS.pending),
        ),
    orderBy: [
      { column: 'partition', direction: 'asc' },
      { column: 'consume_after', direction: 'asc' },
      { column: 'id', direction: 'asc' },
    ],
    limit: batchSize,
  });
  return rows.map((row) => ({
    id: integerField(row, 'id'),
    partition: integerField(row, 'partition'),
    primaryKeyValue: integerField(row, 'primary_key_value'),
    cleanupAttempts: integerField(row, 'cleanup_attempts'),
  }));
}

/** `update_by_partition`: one UPDATE per partition, by primary key, of records still pending. */
function* updateByPartition(
  tx: Tx,
  records: readonly DeletedRecord[],
  set: Readonly<Record<string, number>>,
): Work<void> {
  const partitions = [...new Set(records.map((record) => record.partition))];
  for (const partition of partitions) {
    const ids = records.filter((record) => record.partition === partition).map((record) => record.id);
    yield* tx.update(
      DELETED_RECORDS,
      set,
      and(eq(col('status'), RECORD_STATUS.pending), eq(col('partition'), partition), inList(col('id'), ids)),
    );
  }
}

export function markRecordsProcessed(tx: Tx, records: readonly DeletedRecord[]): Work<void> {
  return updateByPartition(tx, records, { status: RECORD_STATUS.processed });
}

export function reschedule(tx: Tx, records: readonly DeletedRecord[]): Work<void> {
  return updateByPartition(tx, records, { consume_after: tx.now + CONSUME_AFTER_RESCHEDULE, cleanup_attempts: 0 });
}

/**
 * `SET cleanup_attempts = cleanup_attempts + 1`. The engine's expressions have no arithmetic,
 * so records are grouped by their loaded count and each group is set to count + 1; the loaded
 * counts are current because nothing else writes the records between loading and this update.
 */
export function* incrementAttempts(tx: Tx, records: readonly DeletedRecord[]): Work<void> {
  const counts = [...new Set(records.map((record) => record.cleanupAttempts))];
  for (const count of counts)
    yield* updateByPartition(
      tx,
      records.filter((record) => record.cleanupAttempts === count),
      { cleanup_attempts: count + 1 },
    );
}
