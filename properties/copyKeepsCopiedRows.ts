import type { Invariant, Violation } from '../src/harness/domain.js';
import type { SyncPair } from '../model/gitlab/syncTrigger.js';
import type { RunnersWorld } from '../model/runners/world.js';
import type { Row } from '../src/index.js';
import { byId, tableIds } from './rowsById.js';
import { checkKey, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * `copy-keeps-copied-rows` (docs/semantics.md §h.1): a tracking copy has no delete path its source lacks, so a
 * source row once present in the copy stays there while the source row exists. This is the
 * part of copy completeness a loose foreign key defined on the copy alone breaks; rows the
 * backfill never copied (orphans assigned later) are `copy-complete-after-backfill`'s concern.
 * DeleteOrphanedPartitionedCiRunnerMachineRecords is the one sanctioned delete path of a copy, and
 * only for a row whose parent, by the (runner_id, runner_type) its source row carries, is missing
 * from the copy it checks (its target): such a row is forgotten, any other gone row still fails.
 */
export const COPY_KEEPS_COPIED_ROWS = 'copy-keeps-copied-rows';

const memoryKey = (copy: string): string => checkKey('copy', copy);

export const copyKeepsCopiedRows: Invariant<RunnersWorld> = {
  id: COPY_KEEPS_COPIED_ROWS,
  sentence:
    'A source row once copied into its partitioned copy stays in the copy while the source row exists (docs/semantics.md §h.1).',
  scope: 'always',
  check: (world) => {
    const { db } = world;
    for (const pair of world.syncPairs) {
      if (!db.hasTable(pair.copy) || !db.hasTable(pair.source)) continue;
      const orphanParents =
        world.bookkeeping.migrations.find(
          (migration) => migration.kind === 'deleteOrphanedCopyManagers' && migration.table === pair.copy,
        )?.target ?? null;
      // Skipped while the tables are as it last passed them (unchangedInputs.ts): the ids it
      // remembers would only be given the same ids again. It reads only ids (an UPDATE keeps them,
      // `tableIds`), but for the source's runner columns while the orphan clean-up runs.
      const inputs: unknown[] = [
        tableIds(db, pair.copy),
        orphanParents === null ? tableIds(db, pair.source) : db.rows(pair.source),
      ];
      if (orphanParents !== null && db.hasTable(orphanParents)) inputs.push(db.rows(orphanParents));
      const found = unlessUnchanged(world, memoryKey(pair.copy), inputs, () =>
        keepsCopiedRows(world, pair, orphanParents),
      );
      if (found !== null) return found;
    }
    return null;
  },
};

/** Whether the orphan clean-up may have deleted the copy of `source`: its runner is missing from `parents`. */
function parentMissing(world: RunnersWorld, parents: string, source: Row): boolean {
  if (!world.db.hasTable(parents)) return true;
  const parent = byId(world.db.rows(parents)).get(source['runner_id'] as number);
  return parent === undefined || parent['runner_type'] !== source['runner_type'];
}

function keepsCopiedRows(world: RunnersWorld, pair: SyncPair, orphanParents: string | null): Violation | null {
  const { db } = world;
  const memory = world.looseForeignKeys.seenIds;
  const seen = memory.get(memoryKey(pair.copy)) ?? new Set<number>();
  memory.set(memoryKey(pair.copy), seen);
  // Id sets per table (rowsById.ts): a write to one of the two tables rebuilds only its own, and
  // only when it changed the table's ids.
  const copied = tableIds(db, pair.copy);
  const source = tableIds(db, pair.source);
  for (const id of seen) {
    if (!source.has(id) || copied.has(id)) continue;
    if (orphanParents !== null && parentMissing(world, orphanParents, byId(db.rows(pair.source)).get(id)!)) {
      seen.delete(id);
      continue;
    }
    return violation(
      COPY_KEEPS_COPIED_ROWS,
      `${pair.source} id=${id} was in ${pair.copy} and is gone from it, although ${pair.source} still has it`,
    );
  }
  for (const id of copied) seen.add(id);
  return null;
}
