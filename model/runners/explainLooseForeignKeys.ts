import type { Violation } from '../../src/harness/domain.js';
import type { Row } from '../../src/index.js';
import {
  DELETED_RECORDS,
  RECORD_STATUS,
  TABLE_SCHEMA,
  qualifiedTableName,
} from '../gitlab/looseForeignKeys/deletedRecordsTable.js';
import { looseForeignKeyTriggerName } from '../gitlab/looseForeignKeys/trackRecordDeletions.js';
import type { RunnersWorld } from './world.js';
import { describeDefinition, sameDefinition } from '../gitlab/looseForeignKeys/definitions.js';
import { definitionsInForce } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';

/**
 * Why a loose-foreign-key invariant broke (docs/semantics.md §b), told from what the database holds
 * (the deleted records' status and attempts, the tables' LFK triggers) and from what the cleanup
 * runs did (which batch marked a record processed, which parent ids its cleaner was given, which
 * child rows it cleaned), never from the invariant's name alone.
 */
export function explainLooseForeignKeys(world: RunnersWorld, violation: Violation): string {
  if (violation.invariant === 'lfk-records-each-delete-once') {
    const recorded = /^(\S+) id=(\d+) was deleted and has 0 /.exec(violation.message);
    if (recorded !== null) {
      const misnamed = misnamedRecordStory(world, recorded[1]!, Number(recorded[2]));
      if (misnamed !== null) return misnamed;
    }
    const table = /^(\S+) id=/.exec(violation.message)?.[1] ?? null;
    if (table !== null && world.db.hasTable(table)) return recordingStory(world, table);
  }
  const dangling = /^(\S+) id=(\d+) still has (\w+)=(\d+), a deleted (\S+) row/.exec(violation.message);
  if (dangling !== null) {
    const [, childTable, childId, column, parentId, parentTable] = dangling;
    return danglingChildStory(world, {
      childTable: childTable!,
      childId: Number(childId),
      column: column!,
      parentId: Number(parentId),
      parentTable: parentTable!,
    });
  }
  const pending = /deletion of (?:public\.)?(\S+) id=(\d+) is still pending/.exec(violation.message);
  if (pending !== null) {
    const [record] = recordsOf(world, pending[1]!, Number(pending[2]));
    if (record !== undefined) return pendingStory(world, record);
  }
  return `${limitsText(world)}; the worker drained without cleaning every child of a deleted parent and marking its record processed`;
}

/**
 * A deletion that has no record under its table's qualified name but one under another name for
 * the same table (without the schema, or a partition's name): the trigger recorded it, misnamed,
 * so neither the definitions nor this check find it. Null when no such record exists.
 */
function misnamedRecordStory(world: RunnersWorld, table: string, id: number): string | null {
  const expected = qualifiedTableName(table);
  const names = new Set([table, ...(world.db.hasTable(table) ? world.db.describe(table).partitions : [])]);
  const misnamed = world.db.rows(DELETED_RECORDS).find((record) => {
    const name = record['fully_qualified_table_name'];
    if (record['primary_key_value'] !== id || typeof name !== 'string' || name === expected) return false;
    return names.has(name.startsWith(`${TABLE_SCHEMA}.`) ? name.slice(TABLE_SCHEMA.length + 1) : name);
  });
  if (misnamed === undefined) return null;
  const name = String(misnamed['fully_qualified_table_name']);
  const why = name.includes('.')
    ? "the partition's own name instead of its table's"
    : 'the table name without its schema (TG_TABLE_NAME without TG_TABLE_SCHEMA)';
  return `the deletion of ${table} id=${id} was recorded (deleted record ${String(misnamed['id'])}) under fully_qualified_table_name '${name}', not '${expected}', the name the loose foreign key definitions and this check look for: the trigger function wrote ${why}, so the record is never matched`;
}

/** Which of a logical table's tables record deletions, and which record nothing. */
function recordingStory(world: RunnersWorld, table: string): string {
  const tables = [table, ...world.db.describe(table).partitions];
  const tracked = tables.filter((name) =>
    world.db
      .describe(name)
      .triggers.some(
        (trigger) =>
          trigger.name === looseForeignKeyTriggerName(name) || trigger.name === looseForeignKeyTriggerName(table),
      ),
  );
  const untracked = tables.filter((name) => !tracked.includes(name));
  return `deletions from ${table} are recorded by the LFK triggers on ${tracked.join(', ') || 'no table'}${untracked.length > 0 ? `, while ${untracked.join(', ')} record${untracked.length === 1 ? 's' : ''} nothing, so a row deleted there (directly or by a cascade) is never recorded` : ', so one deletion was recorded by more or fewer of them than once'}`;
}

interface DanglingChild {
  readonly childTable: string;
  readonly childId: number;
  readonly column: string;
  readonly parentId: number;
  readonly parentTable: string;
}

/** The deleted-records rows of one deleted parent row, in id order. */
function recordsOf(world: RunnersWorld, parentTable: string, parentId: number): Row[] {
  const name = qualifiedTableName(parentTable);
  return world.db
    .rows(DELETED_RECORDS)
    .filter((record) => record['fully_qualified_table_name'] === name && record['primary_key_value'] === parentId)
    .sort((left, right) => (left['id'] as number) - (right['id'] as number));
}

function limitsText(world: RunnersWorld): string {
  const limits = world.looseForeignKeys.limits;
  return `LooseForeignKeys::CleanupWorker runs with limits of ${limits.deleteQueryLimit} deletions and ${limits.updateQueryLimit} nullifications per query and ${limits.modificationLimit} modifications per run`;
}

/**
 * A child row still referencing a deleted parent after the worker drained: its parent's record is
 * still pending (the runs kept stopping at their limits), or it was marked processed by a batch that
 * did not clean this child (another table's batch, a cleaner given other ids, a row the cleaner's
 * queries did not reach or that was written after them).
 */
function danglingChildStory(world: RunnersWorld, child: DanglingChild): string {
  const row = `${child.childTable} id=${child.childId} (${child.column}=${child.parentId})`;
  const expected = { childTable: child.childTable, column: child.column, parentTable: child.parentTable };
  const inForce = definitionsInForce(world).some((definition) => sameDefinition(definition, expected));
  if (!inForce)
    return `the loose foreign key configuration deployed has no definition of ${child.childTable}.${child.column} → ${child.parentTable} (it defines ${definitionsInForce(world).map(describeDefinition).join(', ') || 'none'}), so the worker never cleans ${child.childTable} by ${child.column}, and ${row} still names the deleted ${child.parentTable} row`;
  const records = recordsOf(world, child.parentTable, child.parentId);
  const pendingRecord = records.find((record) => record['status'] === RECORD_STATUS.pending);
  if (pendingRecord !== undefined) return `${row} was not cleaned: ${pendingStory(world, pendingRecord)}`;
  const record = records[0];
  if (record === undefined)
    return `${row} references ${child.parentTable} id=${child.parentId}, whose deletion has no loose_foreign_keys_deleted_records row left`;
  const recordId = record['id'] as number;
  const processed = world.looseForeignKeys.processedRecords.get(recordId);
  const subject = `the deletion record ${recordId} of ${child.parentTable} id=${child.parentId}`;
  if (processed === undefined)
    return `${subject} is processed, yet no cleanup run of the worker marked it processed: another statement set its status, and ${row} was never cleaned`;
  const marked = `${subject} was marked processed at step ${processed.step} by the cleanup of`;
  if (processed.batchTable !== child.parentTable)
    return `${marked} the ${processed.batchTable} batch, which runs only the definitions whose parent is ${processed.batchTable}: load_batch_for_table handed a record of ${child.parentTable} to another table's batch, so ${row} was never cleaned`;
  if (!processed.cleanedParentIds.includes(child.parentId))
    return `${marked} the ${child.parentTable} batch after its cleaner queries were given the parent ids (${processed.cleanedParentIds.join(', ')}), which do not include the record's primary_key_value ${child.parentId}, so ${row} was never cleaned`;
  const cleanedForParent = [...(world.looseForeignKeys.cleanupActions.get(child.childTable)?.values() ?? [])].filter(
    (action) => action.parentId === child.parentId && action.definition.column === child.column,
  ).length;
  const removed = `${marked} the ${child.parentTable} batch, whose cleaner removed ${cleanedForParent} ${child.childTable} row(s) with ${child.column}=${child.parentId} but not ${row}`;
  if (!processed.exhausted)
    return `${removed}: the run marked the batch processed although its cleaner's last query still found child rows to clean, so the rows past that query were left (${limitsText(world)})`;
  return `${removed}: the cleaner's last query found no such row left, so ${row} was written after that run or by a transaction not yet committed when it ran, and no later deletion record brings the worker back to it`;
}

/** A record the worker left pending: its attempts and whether it was rescheduled, against the limits. */
function pendingStory(world: RunnersWorld, record: Row): string {
  const attempts = record['cleanup_attempts'] as number;
  // A record is created with consume_after = created_at; only a reschedule moves it later.
  const rescheduled =
    Number(record['consume_after']) > Number(record['created_at']) ? ', rescheduled at least once' : '';
  return `the deletion record ${String(record['id'])} of ${String(record['fully_qualified_table_name'])} id=${String(record['primary_key_value'])} is still pending after the worker drained (cleanup_attempts ${attempts}${rescheduled}): ${limitsText(world)}, and a batch is marked processed only by a run that stays under its modification limit, which no run reached for it`;
}
