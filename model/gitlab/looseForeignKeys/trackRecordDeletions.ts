import type { Database, Row, StatementTriggerContext } from '../../../src/index.js';
import { assert } from '../../../src/engine/assert.js';
import { formatSql } from '../../../src/engine/sqlText.js';
import { mutated } from '../mutations.js';
import { DELETED_RECORDS, TABLE_SCHEMA, qualifiedTableName } from './deletedRecordsTable.js';

/**
 * GitLab's LFK helpers (docs/semantics.md §b.1): `track_record_deletions(t)` attaches the statement-level
 * `insert_into_loose_foreign_keys_deleted_records()` as `AFTER DELETE … REFERENCING OLD TABLE`,
 * recording `TG_TABLE_SCHEMA.TG_TABLE_NAME` and `old_table.id`; the override variant records a
 * fixed logical name (`TG_ARGV[0]`), so a partitioned table and its partitions record one name.
 * Being statement triggers, they fire once per statement on the table the statement (or the FK
 * cascade's statement) targets, with every row it removed, and never for row movement.
 */
export const RECORD_FUNCTION = 'insert_into_loose_foreign_keys_deleted_records';
export const OVERRIDE_RECORD_FUNCTION = 'insert_into_loose_foreign_keys_deleted_records_override_table';

/** What one LFK trigger records: its table, and the logical name it writes (null: the table's own name). */
export interface DeletionTracking {
  readonly table: string;
  readonly triggerName: string;
  readonly logicalName: string | null;
}

export function looseForeignKeyTriggerName(table: string): string {
  return `${table}_loose_fk_trigger`;
}

function recordedId(row: Row): number {
  const id = row['id'];
  assert(
    typeof id === 'number',
    'a tracked table has a bigint id column (composite keys are not supported, docs/semantics.md §b.1)',
  );
  return id;
}

function insertRecords(context: StatementTriggerContext, recordedName: string): void {
  if (context.oldTable.length === 0) return;
  context.db.insert(
    DELETED_RECORDS,
    context.oldTable.map((row) => ({ fully_qualified_table_name: recordedName, primary_key_value: recordedId(row) })),
  );
}

const classicBody = [
  'BEGIN',
  formatSql('  INSERT INTO %I (fully_qualified_table_name, primary_key_value)', DELETED_RECORDS),
  "  SELECT TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, old_table.id FROM old_table;",
  '  RETURN NULL;',
  'END',
].join('\n');

const overrideBody = [
  'BEGIN',
  formatSql('  INSERT INTO %I (fully_qualified_table_name, primary_key_value)', DELETED_RECORDS),
  "  SELECT current_schema() || '.' || TG_ARGV[0], old_table.id FROM old_table;",
  '  RETURN NULL;',
  'END',
].join('\n');

/** `track_record_deletions(table)`. */
export function trackRecordDeletions(db: Database, table: string): DeletionTracking {
  const triggerName = looseForeignKeyTriggerName(table);
  db.createTrigger({
    name: triggerName,
    table,
    level: 'statement',
    timing: 'after',
    events: ['delete'],
    referencing: { oldTable: 'old_table' },
    functionName: RECORD_FUNCTION,
    functionBody: classicBody,
    // TG_TABLE_NAME is the table the trigger sits on, read when it fires (a renamed table records its new name).
    fn: (context) =>
      insertRecords(
        context,
        mutated('lfk-tracking-records-table-without-schema')
          ? context.tableName
          : `${TABLE_SCHEMA}.${context.tableName}`,
      ),
  });
  return { table, triggerName, logicalName: null };
}

/** `track_record_deletions_override_table_name(identifier, parent)`: records `parent`'s name. */
export function trackRecordDeletionsOverrideTableName(
  db: Database,
  identifier: string,
  logicalName: string,
): DeletionTracking {
  const triggerName = looseForeignKeyTriggerName(identifier);
  db.createTrigger({
    name: triggerName,
    table: identifier,
    level: 'statement',
    timing: 'after',
    events: ['delete'],
    referencing: { oldTable: 'old_table' },
    args: [logicalName],
    functionName: OVERRIDE_RECORD_FUNCTION,
    functionBody: overrideBody,
    fn: (context) => insertRecords(context, qualifiedTableName(context.args[0] ?? identifier)),
  });
  return { table: identifier, triggerName, logicalName };
}

/** `untrack_record_deletions(table)`. */
export function untrackRecordDeletions(db: Database, table: string): void {
  db.dropTrigger(table, looseForeignKeyTriggerName(table), { ifExists: true });
}
