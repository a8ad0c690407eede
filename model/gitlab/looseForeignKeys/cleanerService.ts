import { col, inList } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import { integerField } from '../rowFields.js';
import type { LooseForeignKeyDefinition } from './definitions.js';

/**
 * `LooseForeignKeys::CleanerService` (docs/semantics.md §b.3): one bounded query over a child table for a batch of
 * deleted parent ids. `async_delete` is
 *   DELETE FROM child WHERE id IN (SELECT id FROM child WHERE col IN (<ids>) LIMIT 1000)
 * and `async_nullify` the same shape as `UPDATE … SET col = NULL` with `LIMIT 500`. The queries
 * run outside any transaction, so a run cut short leaves partial cleanup for the next run.
 * Returns the child rows affected, as (id, parent id) pairs.
 */
export interface CleanedRow {
  readonly childId: number;
  readonly parentId: number;
}

export function cleanChildBatch(
  db: Database,
  definition: LooseForeignKeyDefinition,
  parentIds: readonly number[],
  limit: number,
): CleanedRow[] {
  const inDeletedParents = inList(col(definition.column), parentIds);
  const victims = db.select(definition.childTable, { where: inDeletedParents, limit });
  if (victims.length === 0) return [];
  const byId = inList(
    col('id'),
    victims.map((row) => integerField(row, 'id')),
  );
  const affected =
    definition.onDelete === 'async_delete'
      ? db.delete(definition.childTable, byId)
      : db.update(definition.childTable, { [definition.column]: null }, byId);
  const parentOf = new Map(victims.map((row) => [integerField(row, 'id'), integerField(row, definition.column)]));
  return affected.map((row) => {
    const childId = integerField(row, 'id');
    return { childId, parentId: parentOf.get(childId) ?? -1 };
  });
}
