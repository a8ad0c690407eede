import { isSatisfiedAsCheck } from '../../src/engine/expression.js';
import type { RunnersWorld } from './world.js';

/**
 * Coverage probes of the Cells 1.0 rollout steps and operations, kept apart from `RUNNER_PROBES`
 * (model/runners/probes.ts) so the two lists grow without touching each other; plans name them alike.
 */
export const RUNNER_PROBES_ROLLOUT = {
  /** A trigger other than the sync trigger was on the legacy table when it was swapped, so it stays on the archive (§h.6). */
  triggerLeftOnArchive: 'trigger-left-on-archive',
  /** `ensure_unique_id` replaced an id the client supplied. */
  clientIdIgnored: 'client-id-ignored',
  /** A runner_type change moved a runner's copy row to another partition. */
  copyRunnerMovedPartition: 'copy-runner-moved-partition',
  /** A runner_type change deleted copy managers through a per-partition FK's ON DELETE CASCADE (§ invariant 16). */
  copyManagersCascadedAway: 'copy-managers-cascaded-away',
  /** The sharding-key backfill passed a runner that had a join row but no key. */
  shardingKeyBackfilled: 'sharding-key-backfilled',
  /** A NOT VALID CHECK was added while rows violating it existed (§c.3). */
  notValidCheckWithViolators: 'not-valid-check-with-violators',
  /** remove_foreign_key ran on a partitioned table whose partitions carry keys of that name added separately (§h.5). */
  revertLeftPartitionKeys: 'revert-left-partition-keys',
} as const;


/** Whether some NOT VALID CHECK has rows it would reject if validated now. */
export function probeNotValidChecks(world: RunnersWorld): void {
  for (const constraint of world.db.constraints()) {
    if (constraint.kind !== 'check' || constraint.valid || constraint.checkExpr === null) continue;
    const expr = constraint.checkExpr;
    if (world.db.rows(constraint.table).some((row) => !isSatisfiedAsCheck(expr, { row }))) {
      world.probes.hit(RUNNER_PROBES_ROLLOUT.notValidCheckWithViolators);
      return;
    }
  }
}
