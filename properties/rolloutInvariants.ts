import type { Invariant } from '../src/harness/domain.js';
import type { RunnersWorld } from '../model/runners/world.js';
import {
  JOIN_TABLE_TYPING,
  REVERT_REMOVES_FOREIGN_KEY,
  SHARDING_KEY_BACKFILLED,
  checkJoinTableTyping,
  checkRevertRemovesForeignKey,
  checkShardingKeyBackfilled,
} from './shardingKeyInvariants.js';
import {
  DELETION_TRACKING_FOLLOWS_SWAP,
  IDS_UNIQUE_ACROSS_PARTITIONS,
  SWAP_PRESERVES_ROWS,
  checkDeletionTrackingFollowsSwap,
  checkIdsUniqueAcrossPartitions,
  checkSwapPreservesRows,
} from './swapInvariants.js';

/** The Cells 1.0 rollout's invariants (sharding key, organization id, table swap), with stable ids. */
export const rolloutInvariants: readonly Invariant<RunnersWorld>[] = [
  {
    id: SWAP_PRESERVES_ROWS,
    sentence:
      'After replace_with_partitioned_table(T), T is the former copy with its rows, T_archived the legacy table; the sequence, defaults, sync trigger, partitions, _pkeys and FKs are as docs/semantics.md §f says (docs/semantics.md, invariant 17).',
    scope: 'always',
    check: checkSwapPreservesRows,
  },
  {
    id: IDS_UNIQUE_ACROSS_PARTITIONS,
    sentence: 'After the swap, no two partitions of T hold the same id (docs/semantics.md, invariant 18).',
    scope: 'always',
    check: checkIdsUniqueAcrossPartitions,
  },
  {
    id: JOIN_TABLE_TYPING,
    sentence:
      'ci_runner_projects links only project runners, ci_runner_namespaces only group runners, ci_cost_settings only instance runners (docs/semantics.md, invariant 20).',
    scope: 'always',
    check: checkJoinTableTyping,
  },
  {
    id: SHARDING_KEY_BACKFILLED,
    sentence:
      'Once the sharding-key backfills finished, every runner with an owner link has its key and every manager of a keyed runner matches it (docs/semantics.md §a.2).',
    scope: 'always',
    check: checkShardingKeyBackfilled,
  },
  {
    id: REVERT_REMOVES_FOREIGN_KEY,
    sentence:
      'After remove_foreign_key(T, name), no foreign key of that name remains on T or its partitions (docs/semantics.md §h.5).',
    scope: 'always',
    check: checkRevertRemovesForeignKey,
  },
  {
    id: DELETION_TRACKING_FOLLOWS_SWAP,
    sentence:
      "After a swap, deletions from T are recorded for loose foreign keys under T's name, never the archive's (docs/semantics.md §h.6, docs/semantics.md §b.1).",
    scope: 'always',
    check: checkDeletionTrackingFollowsSwap,
  },
];
