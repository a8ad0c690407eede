import type { Database } from '../../../src/index.js';

/**
 * `loose_foreign_keys_deleted_records` (docs/semantics.md §b.2): LIST-partitioned by `partition`, whose column
 * default names the active partition. GitLab slides to a new partition daily and detaches old
 * ones once nothing in them is pending; a scenario spans minutes of logical time, so the model
 * keeps the first partition active for the whole run.
 */
export const DELETED_RECORDS = 'loose_foreign_keys_deleted_records';
export const ACTIVE_PARTITION = 1;
/** The sequence of its `id` (a bigserial): ids are drawn in the order deletions are recorded. */
export const DELETED_RECORDS_ID_SEQUENCE = `${DELETED_RECORDS}_id_seq`;
export const ACTIVE_PARTITION_TABLE = `${DELETED_RECORDS}_${ACTIVE_PARTITION}`;

export const RECORD_STATUS = { pending: 1, processed: 2 } as const;

/** Schema prefix of `fully_qualified_table_name` (`TG_TABLE_SCHEMA`, or `current_schema()` in the override function). */
export const TABLE_SCHEMA = 'public';

export function qualifiedTableName(table: string): string {
  return `${TABLE_SCHEMA}.${table}`;
}

export function createDeletedRecordsTable(db: Database): void {
  db.createTable({
    name: DELETED_RECORDS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'partition', type: 'bigint', notNull: true, default: ACTIVE_PARTITION },
      { name: 'primary_key_value', type: 'bigint', notNull: true },
      { name: 'status', type: 'smallint', notNull: true, default: RECORD_STATUS.pending },
      { name: 'created_at', type: 'timestamptz', notNull: true, default: { now: true } },
      { name: 'fully_qualified_table_name', type: 'text', notNull: true },
      { name: 'consume_after', type: 'timestamptz', default: { now: true } },
      { name: 'cleanup_attempts', type: 'smallint', default: 0 },
    ],
    primaryKey: ['partition', 'id'],
    partitionBy: { list: 'partition' },
  });
  db.createTable({
    name: ACTIVE_PARTITION_TABLE,
    partitionOf: { parent: DELETED_RECORDS, values: [ACTIVE_PARTITION] },
  });
}
