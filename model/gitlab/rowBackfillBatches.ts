/**
 * Batched background migrations that fill or clean columns of a table in place (docs/semantics.md §a.2): each
 * walks its table's ids in batches and runs one UPDATE or DELETE per batch, in the batch's
 * transaction. Traffic interleaves between batches, so a row the cursor has passed is never
 * looked at again — the reason the code that populates a column must be deployed first.
 */
import { col, gt } from '../../src/index.js';
import type { Database } from '../../src/index.js';
import type { BatchedJob } from './migrationWorld.js';
import { integerField } from './rowFields.js';

export interface RowBackfillDefinition {
  /** GitLab's job class. */
  readonly name: string;
  readonly table: string;
  /** Changes the rows of the batch that need it; returns how many it changed. */
  readonly runBatch: (db: Database, ids: readonly number[]) => number;
  /** A coverage probe hit whenever a batch changed a row. */
  readonly probeOnChange?: string;
}

/** The batched job of a row backfill: the next `batchSize` ids above the cursor, changed in one transaction. */
export function rowBackfillJob(definition: RowBackfillDefinition): BatchedJob {
  return {
    name: definition.name,
    kind: 'rowBackfill',
    table: definition.table,
    target: definition.table,
    requiredTables: [],
    runBatch: (world, migration) => {
      const { db } = world;
      const result = db.transaction(() => {
        const batch = db.select(definition.table, {
          where: gt(col('id'), migration.cursor),
          orderBy: [{ column: 'id', direction: 'asc' }],
          limit: migration.batchSize,
        });
        if (batch.length === 0) return null;
        const ids = batch.map((row) => integerField(row, 'id'));
        return { ids, changed: definition.runBatch(db, ids) };
      });
      if (result === null) return { summary: 'nothing left to do', cursor: null };
      const cursor = result.ids[result.ids.length - 1]!;
      if (result.changed > 0 && definition.probeOnChange !== undefined) world.probes.hit(definition.probeOnChange);
      const range = result.ids.length === 1 ? `id ${result.ids[0]}` : `ids ${result.ids[0]}..${cursor}`;
      return { summary: `${range}: changed ${result.changed} row${result.changed === 1 ? '' : 's'}`, cursor };
    },
  };
}
