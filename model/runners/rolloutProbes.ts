/**
 * Coverage probes of the Cells 1.0 rollout steps and operations, kept apart from `RUNNER_PROBES`
 * (model/runners/probes.ts) so the two lists grow without touching each other; plans name them alike.
 */
export const RUNNER_PROBES_ROLLOUT = {
  /** A runner_type change moved a runner's copy row to another partition. */
  copyRunnerMovedPartition: 'copy-runner-moved-partition',
  /** A runner_type change deleted copy managers through a per-partition FK's ON DELETE CASCADE (docs/semantics.md, invariant 16). */
  copyManagersCascadedAway: 'copy-managers-cascaded-away',
  /** The sharding-key backfill passed a runner that had a join row but no key. */
  shardingKeyBackfilled: 'sharding-key-backfilled',
} as const;
