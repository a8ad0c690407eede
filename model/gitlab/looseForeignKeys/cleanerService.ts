import { col, inList } from '../../../src/index.js';
import type { Expr, Row, Tx, Work } from '../../../src/index.js';
import { integerField } from '../rowFields.js';
import type { LooseForeignKeyDefinition } from './definitions.js';
import { mutated } from '../mutations.js';

/**
 * `LooseForeignKeys::CleanerService` (docs/semantics.md §b.3): one bounded query over a child table for a batch of
 * deleted parent ids. `async_delete` is
 *   DELETE FROM child WHERE id IN (SELECT id FROM child WHERE col IN (<ids>) LIMIT 1000)
 * and `async_nullify` the same shape as `UPDATE … SET col = NULL` with `LIMIT 500`; the first pass
 * (`with_skip_locked: true`) adds `FOR UPDATE SKIP LOCKED` to the sub-query, so child rows another
 * transaction holds are left to the plain pass. The queries run outside any transaction, so a run
 * cut short leaves partial cleanup for the next run. The engine has no `IN (sub-query)`: the
 * sub-query is its own SELECT and the DELETE or UPDATE names the ids it returned, both in one
 * transaction, so the rows the sub-query locked stay locked until the write, as within PostgreSQL's
 * one statement. Returns the child rows affected, as (id, parent id) pairs.
 */
export interface CleanedRow {
  readonly childId: number;
  readonly parentId: number;
}

export function* cleanChildBatch(
  tx: Tx,
  definition: LooseForeignKeyDefinition,
  parentIds: readonly number[],
  limit: number,
  skipLocked: boolean,
): Work<CleanedRow[]> {
  const inDeletedParents = inList(col(definition.column), parentIds);
  return yield* tx.transaction(() => cleanChildren(tx, definition, inDeletedParents, limit, skipLocked));
}

/** The batch's transaction (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* cleanChildren(
  tx: Tx,
  definition: LooseForeignKeyDefinition,
  inDeletedParents: Expr,
  limit: number,
  skipLocked: boolean,
): Work<CleanedRow[]> {
  const victims = yield* tx.select(definition.childTable, {
    where: inDeletedParents,
    ...(mutated('lfk-cleaner-ignores-limit') ? {} : { limit }),
    ...(skipLocked ? { locking: { strength: 'Update' as const, wait: 'skipLocked' as const } } : {}),
  });
  if (victims.length === 0) return [];
  const byId = inList(
    col('id'),
    victims.map((row) => integerField(row, 'id')),
  );
  const affected =
    definition.onDelete === 'async_delete' && !mutated('lfk-cleaner-nullifies')
      ? yield* tx.delete(definition.childTable, byId)
      : yield* tx.update(definition.childTable, { [definition.column]: null }, byId);
  return cleanedRows(definition, victims, affected);
}

function cleanedRows(
  definition: LooseForeignKeyDefinition,
  victims: readonly Row[],
  affected: readonly Row[],
): CleanedRow[] {
  const parentOf = new Map(victims.map((row) => [integerField(row, 'id'), integerField(row, definition.column)]));
  return affected.map((row) => {
    const childId = integerField(row, 'id');
    return { childId, parentId: parentOf.get(childId) ?? -1 };
  });
}
