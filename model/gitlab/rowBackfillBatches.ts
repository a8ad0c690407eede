/**
 * Batched background migrations that fill or clean columns of a table in place (docs/semantics.md §a.2): each
 * walks its table's ids in batches and runs one UPDATE or DELETE per batch. Traffic interleaves
 * between batches, so a row the cursor has passed is never looked at again — the reason the code
 * that populates a column must be deployed first.
 *
 * A batch is a coroutine of statements (src/coroutines/transactionApi.ts) with no transaction of its
 * own: GitLab's `BatchedMigrationJob#perform` runs each sub-batch statement in autocommit. The serial
 * harness runs it inside one transaction, so a failing batch leaves nothing behind, as before.
 */
import { col, gt } from '../../src/index.js';
import type { Tx, Work } from '../../src/index.js';
import type { BatchedJob, BatchedMigration } from './migrationWorld.js';
import { integerField } from './rowFields.js';

export interface RowBackfillDefinition {
  /** GitLab's job class. */
  readonly name: string;
  readonly table: string;
  /** Changes the rows of the batch that need it, statement by statement; returns how many it changed. */
  readonly runBatch: (tx: Tx, ids: readonly number[]) => Work<number>;
  /** A coverage probe hit whenever a batch changed a row. */
  readonly probeOnChange?: string;
}

/** One batch: the batching strategy's read of the next `batchSize` ids above the cursor, then the job's statements. */
function* rowBackfillBatchWork(
  definition: RowBackfillDefinition,
  migration: BatchedMigration,
  tx: Tx,
): Work<{ readonly ids: number[]; readonly changed: number } | null> {
  const batch = yield* tx.select(definition.table, {
    where: gt(col('id'), migration.cursor),
    orderBy: [{ column: 'id', direction: 'asc' }],
    limit: migration.batchSize,
  });
  if (batch.length === 0) return null;
  const ids = batch.map((row) => integerField(row, 'id'));
  return { ids, changed: yield* definition.runBatch(tx, ids) };
}

/** The batched job of a row backfill: the next `batchSize` ids above the cursor. */
export function rowBackfillJob(definition: RowBackfillDefinition): BatchedJob {
  return {
    name: definition.name,
    kind: 'rowBackfill',
    table: definition.table,
    target: definition.table,
    requiredTables: [],
    batchWork: function* (world, migration, tx) {
      const result = yield* rowBackfillBatchWork(definition, migration, tx);
      if (result === null) return { summary: 'nothing left to do', cursor: null };
      const cursor = result.ids[result.ids.length - 1]!;
      if (result.changed > 0 && definition.probeOnChange !== undefined) world.probes.hit(definition.probeOnChange);
      const range = result.ids.length === 1 ? `id ${result.ids[0]}` : `ids ${result.ids[0]}..${cursor}`;
      return { summary: `${range}: changed ${result.changed} row${result.changed === 1 ? '' : 's'}`, cursor };
    },
  };
}
