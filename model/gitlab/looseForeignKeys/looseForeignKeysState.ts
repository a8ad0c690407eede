import type { Database } from '../../../src/index.js';
import { createDeletedRecordsTable } from './deletedRecordsTable.js';
import type { LooseForeignKeyDefinition } from './definitions.js';
import { trackRecordDeletions } from './trackRecordDeletions.js';
import type { LooseForeignKeyBookkeeping } from '../bookkeeping.js';
import type { MigrationWorld } from '../migrationWorld.js';

/** The cleanup worker's limits (GitLab: 1000 parent records per batch, 1000 deletions or 500 nullifications per query). */
export interface LooseForeignKeyLimits {
  /** Pending parent records loaded per table and batch (`BATCH_SIZE`). */
  readonly recordBatchSize: number;
  /** Child rows one DELETE may remove (`LIMIT 1000` in CleanerService). */
  readonly deleteQueryLimit: number;
  /** Child rows one nullifying UPDATE may change (`LIMIT 500`). */
  readonly updateQueryLimit: number;
  /** Modifications per run after which the ModificationTracker is over its limit. */
  readonly modificationLimit: number;
}

/** What a world's schema had before any plan: GitLab's YAML definitions and the tables whose deletions were tracked. */
export interface LooseForeignKeysSetup {
  readonly definitions: readonly LooseForeignKeyDefinition[];
  readonly trackedTables: readonly string[];
}

/** A child row the cleanup worker deleted or nullified, kept so explanations can say why a row vanished. */
export interface CleanupAction {
  readonly definition: LooseForeignKeyDefinition;
  readonly parentId: number;
  readonly step: number;
}

/**
 * How a cleanup run marked a deleted record processed: the batch of which parent table loaded it,
 * and the parent ids that batch's cleaner queries were given. Kept so an explanation can tell a
 * record processed by its own table's cleaning from one processed by another's (docs/semantics.md §b.3).
 */
export interface ProcessedRecord {
  readonly step: number;
  readonly batchTable: string;
  readonly cleanedParentIds: readonly number[];
  /** Whether the last query of each of the batch's cleaners found no child row of those parents left. */
  readonly exhausted: boolean;
}

/**
 * Creates `loose_foreign_keys_deleted_records` and tracks the world's legacy parents, as its
 * schema had them before the plan; returns the world's first LFK bookkeeping.
 */
export function installLooseForeignKeys(db: Database, setup: LooseForeignKeysSetup): LooseForeignKeyBookkeeping {
  createDeletedRecordsTable(db);
  return {
    definitions: [...setup.definitions],
    trackings: setup.trackedTables.map((table) => trackRecordDeletions(db, table)),
  };
}

export function definitionsInForce(world: MigrationWorld): LooseForeignKeyDefinition[] {
  return world.bookkeeping.looseForeignKeys.definitions.filter((definition) =>
    world.db.hasTable(definition.childTable),
  );
}

/** Parent tables the worker cycles through: those with a definition whose child table exists. */
export function trackedParents(world: MigrationWorld): string[] {
  return [...new Set(definitionsInForce(world).map((definition) => definition.parentTable))];
}

/**
 * The loose-foreign-key worker of one world: its limits, and what it did (history that
 * explanations and invariants read, kept out of the bookkeeping because it grows with the rows).
 */
export class LooseForeignKeysState {
  /** Child table → child row id → the cleanup that removed or nullified it. */
  readonly cleanupActions = new Map<string, Map<number, CleanupAction>>();
  /**
   * Ids invariants have seen, keyed by what they watch: a tracked logical table
   * (`lfk-records-each-delete-once`) or `copy:<copy>` (`copy-keeps-copied-rows`). Invariants
   * judge a row from the first check that saw it, so they need this memory across steps.
   */
  readonly seenIds = new Map<string, Set<number>>();
  /** Deleted record id → how a cleanup run marked it processed (its last marking). */
  readonly processedRecords = new Map<number, ProcessedRecord>();

  constructor(readonly limits: LooseForeignKeyLimits) {}

  recordProcessed(recordIds: readonly number[], processed: ProcessedRecord): void {
    for (const id of recordIds) this.processedRecords.set(id, processed);
  }

  recordCleanup(childTable: string, childId: number, action: CleanupAction): void {
    let actions = this.cleanupActions.get(childTable);
    if (actions === undefined) {
      actions = new Map();
      this.cleanupActions.set(childTable, actions);
    }
    actions.set(childId, action);
  }
}
