import type { Row } from '../../src/index.js';
import type { SyncPair } from './syncTrigger.js';

/**
 * What the rollout helpers did, kept for the invariants and explanations that need history the
 * database cannot show (which table a name denoted before a swap, which key a revert meant to
 * remove).
 */
export interface TableSwapRecord {
  /** The name that changes meaning: `ci_runners`. */
  readonly table: string;
  /** `<table>_archived`: the former legacy table. */
  readonly archive: string;
  /** The partitioned copy's former name: `ci_runners_e59bb2812d`. */
  readonly copy: string;
  readonly step: number;
  /** Rows of the copy and of the legacy table just before the swap, to compare with the new names. */
  readonly copyRows: readonly Row[];
  readonly legacyRows: readonly Row[];
  /** Former partition name → new name (substring replacement). */
  readonly partitionRenames: readonly (readonly [string, string])[];
  /** Foreign keys (table, name) that referenced the legacy table, which must now reference the archive. */
  readonly foreignKeysToLegacy: readonly { readonly table: string; readonly name: string }[];
  /** Triggers on the legacy table other than its sync trigger, which stay with it on the archive. */
  readonly legacyTriggers: readonly string[];
  readonly sequence: string;
  readonly syncTriggerName: string;
}

export interface RemovedForeignKey {
  readonly table: string;
  readonly name: string;
  readonly step: number;
}

export class RolloutRecord {
  readonly swaps: TableSwapRecord[] = [];
  readonly removedForeignKeys: RemovedForeignKey[] = [];
  /** Sync triggers from a swapped table back into its archive; kept apart from `world.syncPairs`, whose copies must be subsets. */
  readonly reverseSyncPairs: SyncPair[] = [];
  /**
   * Swapped table → the next `loose_foreign_keys_deleted_records` id when its deletion tracking was
   * switched to the partitioned table: a record under the archive's name with a lower id was drawn
   * before the switch, in the window GitLab's separate migrations leave; one at or above it was not.
   */
  readonly trackingSwitchedAt = new Map<string, number>();
  /** Table → the scenario step of its first deletion-tracking switch (explanations compare it with the swap's). */
  readonly trackingSwitchSteps = new Map<string, number>();

  swapOf(table: string): TableSwapRecord | undefined {
    return this.swaps.find((swap) => swap.table === table);
  }
}
