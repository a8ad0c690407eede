import { col, gt } from '../../../src/index.js';
import { integerField } from '../records.js';
import { deleteDanglingTaggings } from '../taggings/danglingTaggings.js';
import { RUNNER_TAGGINGS } from '../taggings/taggingsSchema.js';
import { defineStep } from '../../gitlab/steps/defineStep.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * The data migration of seed 004's plan, between the NOT VALID FK and its validation: a
 * post-deployment migration deleting taggings whose tag is gone (the seed suggested skipping it
 * because production had no such rows at the time). By default one DELETE; with `batchSize` it
 * walks the taggings' ids in batches, each its own statement, and `maxBatches` stops it early,
 * so a plan can express a clean-up that only got part of the way before the next step.
 */
export const DANGLING_TAGGINGS_PROBE = 'dangling-taggings-cleaned-up';

const MAX_BATCH = 10_000;

export const deleteOrphanedRunnerTaggings = defineStep({
  name: 'delete_orphaned_runner_taggings',
  description:
    'A post-deployment data migration deleting ci_runner_taggings rows whose tag no longer exists. One DELETE by default; with "batchSize", batches over tagging ids in ascending order, at most "maxBatches" of them.',
  parameters: {
    fields: {
      batchSize: {
        kind: 'integer',
        minimum: 1,
        maximum: MAX_BATCH,
        description: 'Taggings per batch (each_batch of_size:). Omitted: one DELETE over the whole table.',
      },
      maxBatches: {
        kind: 'integer',
        minimum: 1,
        maximum: MAX_BATCH,
        description:
          'Stop after this many batches, leaving the rest for later (needs "batchSize"). Omitted: every batch.',
      },
    },
  },
  parse: (reader) => {
    const batchSize = reader.optionalInteger('batchSize');
    const maxBatches = reader.optionalInteger('maxBatches');
    if (maxBatches !== null && batchSize === null) reader.fail('field "maxBatches" needs "batchSize"');
    return { batchSize, maxBatches };
  },
  run: (world, { batchSize, maxBatches }) => {
    const { db } = world;
    // The planted mistake of `npm run mutants`: the migration ships without its DELETE.
    const cleans = !mutated('delete-orphaned-taggings-noop');
    let deleted = 0;
    let batches = 0;
    if (batchSize === null) {
      deleted = cleans ? deleteDanglingTaggings(db, null).length : 0;
      batches = 1;
    } else {
      const limit = maxBatches ?? Math.ceil(db.rows(RUNNER_TAGGINGS).length / batchSize) + 1;
      for (let cursor = 0; batches < limit; batches++) {
        const batch = db.select(RUNNER_TAGGINGS, {
          where: gt(col('id'), cursor),
          orderBy: [{ column: 'id', direction: 'asc' }],
          limit: batchSize,
        });
        if (batch.length === 0) break;
        const ids = batch.map((row) => integerField(row, 'id'));
        cursor = ids[ids.length - 1]!;
        if (cleans) deleted += deleteDanglingTaggings(db, ids).length;
      }
    }
    if (deleted > 0) world.probes.hit(DANGLING_TAGGINGS_PROBE);
    const scope = batchSize === null ? '' : ` in ${batches} batch${batches === 1 ? '' : 'es'} of ${batchSize}`;
    return {
      summary: `delete_orphaned_runner_taggings: deleted ${deleted} tagging${deleted === 1 ? '' : 's'} without a tag${scope}`,
      applied: true,
    };
  },
});
