import {
  looseForeignKeyTriggerName,
  trackRecordDeletions,
  trackRecordDeletionsOverrideTableName,
} from '../looseForeignKeys/trackRecordDeletions.js';
import { DELETED_RECORDS_ID_SEQUENCE } from '../looseForeignKeys/deletedRecordsTable.js';
import { archiveName } from '../tableSwap.js';
import { defineStep } from './defineStep.js';
import { mutated } from '../mutations.js';

/**
 * `SwitchRecordChangeTrackingToPartitionedCiRunnersTable2` (17.10, docs/semantics.md §b.1): after the swap the
 * LFK trigger `<table>_loose_fk_trigger` is still on `<table>_archived` and records that name.
 * This migration drops it there and tracks the partitioned table and each partition under the
 * logical name `<table>` (`track_record_deletions_override_table_name`).
 */
export const switchRecordChangeTracking = defineStep({
  name: 'switch_record_change_tracking_to_partitioned_table',
  description:
    'SwitchRecordChangeTrackingToPartitionedCiRunnersTable2 (17.10): drops the loose-FK trigger the swap left on <table>_archived, and tracks deletions of the partitioned table and each partition under the logical name <table>.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The swapped (now partitioned) table.' },
    },
    required: ['table'],
  },
  parse: (reader) => ({ table: reader.identifier('table') }),
  run: (world, { table }) => {
    const { db } = world;
    const archive = archiveName(table);
    const nextRecord = db.sequenceInfo(DELETED_RECORDS_ID_SEQUENCE)?.nextValue;
    if (nextRecord !== undefined && !world.rollout.trackingSwitchedAt.has(table))
      world.rollout.trackingSwitchedAt.set(table, nextRecord);
    if (!world.rollout.trackingSwitchSteps.has(table)) world.rollout.trackingSwitchSteps.set(table, world.currentStep);
    // The trigger kept the name it was created with on the legacy table: ci_runners_loose_fk_trigger.
    if (db.hasTable(archive) && !mutated('tracking-switch-keeps-archive-trigger'))
      db.dropTrigger(archive, looseForeignKeyTriggerName(table), { ifExists: true });
    const identifiers = mutated('tracking-switch-skips-partitions')
      ? [table]
      : [table, ...db.describe(table).partitions];
    db.transaction((tx) => {
      for (const identifier of identifiers) {
        // Asked of the relation alone: each tracking trigger changes the catalog, so a description would not last.
        if (tx.hasTrigger(identifier, looseForeignKeyTriggerName(identifier))) continue;
        // The mutant tracks each partition as a table of its own, recording the partition's name.
        const tracking =
          mutated('tracking-switch-records-partition-names') && identifier !== table
            ? trackRecordDeletions(tx, identifier)
            : trackRecordDeletionsOverrideTableName(tx, identifier, table);
        world.addDeletionTracking(tracking);
      }
    });
    return {
      summary: `switch_record_change_tracking_to_partitioned_table ${table}: untracked ${archive}; ${identifiers.join(', ')} record deletions as ${table}`,
      applied: true,
    };
  },
});
