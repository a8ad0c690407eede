import type { Database } from '../../src/index.js';
import type { PartitionedCopySpec } from './partitionedCopySpec.js';
import type { TableSwapRecord } from './rolloutRecord.js';
import { installSyncTrigger, syncObjectNames } from './syncTrigger.js';
import type { SyncPair } from './syncTrigger.js';
import { mutated } from './mutations.js';

/**
 * `replace_with_partitioned_table(table)` (docs/semantics.md §f): in one transaction, drops the sync trigger,
 * moves the id sequence to the copy, swaps the names (tables, `_pkey` constraints, partitions by
 * substring replacement) and installs the reverse sync trigger from the new `table` into
 * `<table>_archived` under the same names. FKs and other triggers follow the legacy table's
 * identity, so they stay on the archive: the helper neither re-points nor recreates them.
 */
export const archiveName = (table: string): string => `${table}_archived`;
export const idSequenceName = (table: string): string => `${table}_id_seq`;

function hasConstraint(db: Database, table: string, name: string): boolean {
  return db.hasConstraint(table, name);
}

/** ALTER TABLE … RENAME TO, and its `<name>_pkey` with it, as `ReplaceTable#perform` does. */
function renameWithPrimaryKey(db: Database, from: string, to: string): void {
  db.renameTable(from, to);
  if (hasConstraint(db, to, `${from}_pkey`)) db.renameConstraint(to, `${from}_pkey`, `${to}_pkey`);
}

/**
 * The reverse sync function's columns: GitLab generates them from the archive's columns, which
 * equal the copy's there (the copy was created with every legacy column). The model's copies
 * leave some legacy columns out (docs/semantics.md §g lists relevant columns only), so it keeps the shared ones.
 */
function reverseSyncColumns(db: Database, table: string, archive: string): string[] {
  const present = new Set(db.describe(table).columns.map((column) => column.name));
  return db
    .describe(archive)
    .columns.map((column) => column.name)
    .filter((name) => present.has(name));
}

/** Performs the swap; a PgError rolls every part of it back. Returns what was swapped, for the invariants. */
export function replaceWithPartitionedTable(
  db: Database,
  spec: PartitionedCopySpec,
  step: number,
): { readonly record: TableSwapRecord; readonly reverse: SyncPair } {
  const table = spec.source;
  const archive = archiveName(table);
  const sequence = idSequenceName(table);
  const names = syncObjectNames(table);
  const copyRows = db.rows(spec.copy);
  const legacyRows = db.rows(table);
  // The foreign keys alone, in `constraints()` order: describing every constraint of the catalog
  // (most are NOT NULL ones) after the plan's DDL would cost more than the swap's own statements.
  const foreignKeysToLegacy = db
    .constraintsOfKind('foreignKey')
    .filter((constraint) => constraint.kind === 'foreignKey' && constraint.referencedTable === table)
    .map(({ table: child, name }) => ({ table: child, name }));
  const legacyTriggers = db
    .describe(table)
    .triggers.filter((trigger) => trigger.name !== names.triggerName)
    .map((trigger) => trigger.name);
  const legacyPartitions = db.describe(table).partitions;
  const partitionRenames = db
    .describe(spec.copy)
    .partitions.map((partition) => [partition, partition.replace(spec.copy, table)] as const);
  const reverse = db.transaction((tx): SyncPair => {
    // drop_sync_trigger: the trigger and its function (the engine keeps the function with the trigger).
    tx.dropTrigger(table, names.triggerName);
    tx.setColumnDefault(table, 'id', undefined);
    if (!mutated('swap-skips-id-default')) tx.setColumnDefault(spec.copy, 'id', { nextval: sequence });
    if (!mutated('swap-keeps-sequence-owner')) tx.setSequenceOwner(sequence, { table: spec.copy, column: 'id' });
    renameWithPrimaryKey(tx, table, archive);
    for (const partition of legacyPartitions) renameWithPrimaryKey(tx, partition, partition.replace(table, archive));
    renameWithPrimaryKey(tx, spec.copy, table);
    if (!mutated('swap-skips-partition-renames'))
      for (const [from, to] of partitionRenames) renameWithPrimaryKey(tx, from, to);
    const pair: SyncPair = { source: table, copy: archive, columns: reverseSyncColumns(tx, table, archive), ...names };
    if (!mutated('swap-skips-reverse-sync')) installSyncTrigger(tx, pair);
    return pair;
  });
  return {
    record: {
      table,
      archive,
      copy: spec.copy,
      step,
      copyRows,
      legacyRows,
      partitionRenames,
      foreignKeysToLegacy,
      legacyTriggers,
      sequence,
      syncTriggerName: names.triggerName,
    },
    reverse,
  };
}
