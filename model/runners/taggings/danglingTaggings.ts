import { and, col, eq, exists, inList, not, outer } from '../../../src/index.js';
import type { Database, Row } from '../../../src/index.js';
import type { DeleteStatement } from '../../../src/engine/statements/delete.js';
import { RUNNER_TAGGINGS, TAGS } from './taggingsSchema.js';

/**
 * Seed 004's clean-up: DELETE FROM ci_runner_taggings WHERE NOT EXISTS (SELECT 1 FROM tags
 * WHERE tags.id = ci_runner_taggings.tag_id), optionally restricted to a batch of tagging ids.
 */
export function danglingTaggingsDelete(ids: readonly number[] | null): DeleteStatement {
  const dangling = not(exists({ table: TAGS, where: eq(col('id'), outer(RUNNER_TAGGINGS, 'tag_id')) }));
  const where = ids === null ? dangling : and(inList(col('id'), [...ids]), dangling);
  return { kind: 'delete', table: RUNNER_TAGGINGS, where, options: {} };
}

export function deleteDanglingTaggings(db: Database, ids: readonly number[] | null): Row[] {
  return db.execute(danglingTaggingsDelete(ids));
}
