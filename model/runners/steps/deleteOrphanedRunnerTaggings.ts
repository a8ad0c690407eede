import { col, eq, exists, not, outer } from '../../../src/index.js';
import { RUNNER_TAGGINGS, TAGS } from '../taggings/taggingsSchema.js';
import { defineStep } from '../../gitlab/steps/defineStep.js';

/**
 * The data migration of seed 004's plan, between the NOT VALID FK and its validation: a
 * post-deployment migration deleting taggings whose tag is gone,
 *   DELETE FROM ci_runner_taggings WHERE NOT EXISTS (SELECT 1 FROM tags WHERE tags.id = ci_runner_taggings.tag_id)
 * (the seed suggested skipping it because production had no such rows at the time).
 */
export const DANGLING_TAGGINGS_PROBE = 'dangling-taggings-cleaned-up';

export const deleteOrphanedRunnerTaggings = defineStep({
  name: 'delete_orphaned_runner_taggings',
  fields: [],
  parse: () => ({}),
  run: (world) => {
    const deleted = world.db.delete(RUNNER_TAGGINGS, not(exists({ table: TAGS, where: eq(col('id'), outer(RUNNER_TAGGINGS, 'tag_id')) })));
    if (deleted.length > 0) world.probes.hit(DANGLING_TAGGINGS_PROBE);
    return { summary: `delete_orphaned_runner_taggings: deleted ${deleted.length} tagging${deleted.length === 1 ? '' : 's'} without a tag`, applied: true };
  },
});
