import type { Database } from '../../../src/index.js';
import { createDeletedRecordsTable } from './deletedRecordsTable.js';
import type { LooseForeignKeyDefinition } from './definitions.js';
import { trackRecordDeletions } from './trackRecordDeletions.js';
import type { DeletionTracking } from './trackRecordDeletions.js';

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
 * The loose-foreign-key machinery of one world: the definitions in force (GitLab's YAML plus any
 * a plan adds), the deletion-tracking triggers installed, the worker's limits, and what the
 * worker did. Creating it creates `loose_foreign_keys_deleted_records` and tracks the world's
 * legacy parents, as its schema had them before the plan.
 */
export class LooseForeignKeysState {
  readonly definitions: LooseForeignKeyDefinition[];
  readonly trackings: DeletionTracking[] = [];
  /** Child table → child row id → the cleanup that removed or nullified it. */
  readonly cleanupActions = new Map<string, Map<number, CleanupAction>>();
  /**
   * Ids invariants have seen, keyed by what they watch: a tracked logical table
   * (`lfk-records-each-delete-once`) or `copy:<copy>` (`copy-keeps-copied-rows`). Invariants
   * judge a row from the first check that saw it, so they need this memory across steps.
   */
  readonly seenIds = new Map<string, Set<number>>();

  constructor(db: Database, readonly limits: LooseForeignKeyLimits, setup: LooseForeignKeysSetup) {
    this.definitions = [...setup.definitions];
    createDeletedRecordsTable(db);
    for (const table of setup.trackedTables) this.trackings.push(trackRecordDeletions(db, table));
  }

  /** Parent tables the worker cycles through: those with a definition whose child table exists. */
  trackedParents(db: Database): string[] {
    return [...new Set(this.definitionsInForce(db).map((definition) => definition.parentTable))];
  }

  definitionsInForce(db: Database): LooseForeignKeyDefinition[] {
    return this.definitions.filter((definition) => db.hasTable(definition.childTable));
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
