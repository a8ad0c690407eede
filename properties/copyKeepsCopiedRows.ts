import type { Invariant, Violation } from '../src/harness/domain.js';
import type { SyncPair } from '../model/gitlab/syncTrigger.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { idsOf } from './rowsById.js';
import { unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * `copy-keeps-copied-rows` (docs/semantics.md §h.1): a tracking copy has no delete path its source lacks, so a
 * source row once present in the copy stays there while the source row exists. This is the
 * part of copy completeness a loose foreign key defined on the copy alone breaks; rows the
 * backfill never copied (orphans assigned later) are `copy-complete-after-backfill`'s concern.
 * DeleteOrphanedPartitionedCiRunnerMachineRecords is the one sanctioned delete path of a copy:
 * copies it walks are left out.
 */
export const COPY_KEEPS_COPIED_ROWS = 'copy-keeps-copied-rows';

const memoryKey = (copy: string): string => `copy:${copy}`;

export const copyKeepsCopiedRows: Invariant<RunnersWorld> = {
  id: COPY_KEEPS_COPIED_ROWS,
  sentence:
    'A source row once copied into its partitioned copy stays in the copy while the source row exists (docs/semantics.md §h.1).',
  scope: 'always',
  check: (world) => {
    const { db } = world;
    for (const pair of world.syncPairs) {
      if (!db.hasTable(pair.copy) || !db.hasTable(pair.source)) continue;
      if (
        world.bookkeeping.migrations.some(
          (migration) => migration.kind === 'deleteOrphanedCopyManagers' && migration.table === pair.copy,
        )
      )
        continue;
      // Skipped while both tables are as it last passed them (unchangedInputs.ts): the ids it
      // remembers would only be given the same ids again.
      const inputs = [db.rows(pair.copy), db.rows(pair.source)];
      const found = unlessUnchanged(world, memoryKey(pair.copy), inputs, () => keepsCopiedRows(world, pair));
      if (found !== null) return found;
    }
    return null;
  },
};

function keepsCopiedRows(world: RunnersWorld, pair: SyncPair): Violation | null {
  const { db } = world;
  const memory = world.looseForeignKeys.seenIds;
  const seen = memory.get(memoryKey(pair.copy)) ?? new Set<number>();
  memory.set(memoryKey(pair.copy), seen);
  // Id sets per rows array (rowsById.ts): a write to one of the two tables rebuilds only its own.
  const copied = idsOf(db.rows(pair.copy));
  const source = idsOf(db.rows(pair.source));
  for (const id of seen) {
    if (!source.has(id) || copied.has(id)) continue;
    return violation(
      COPY_KEEPS_COPIED_ROWS,
      `${pair.source} id=${id} was in ${pair.copy} and is gone from it, although ${pair.source} still has it`,
    );
  }
  for (const id of copied) seen.add(id);
  return null;
}
