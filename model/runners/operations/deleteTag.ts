import fc from 'fast-check';
import { col, eq } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import { TAGS } from '../taggings/taggingsSchema.js';
import { intArg } from './args.js';
import { runRequest } from './request.js';
import { TAG_NAMES } from './tagRunner.js';

/**
 * Deleting a tag (`Ci::Tag#destroy`, e.g. by the unused-tags clean-up). `tags_loose_fk_trigger`
 * records it; its taggings go by the FK cascade once `ci_runner_taggings` has a key to `tags`,
 * and until then only the loose foreign key's worker removes them, eventually.
 */
export const deleteTag: OperationKind<RunnersWorld> = {
  name: 'deleteTag',
  description:
    'Ci::Tag#destroy (needs the "tagging" workload): its taggings go by FK cascade, or by the loose-FK worker while there is no FK. tag: index into docker, linux, gpu.',
  args: fc.record({ tag: fc.nat(TAG_NAMES.length - 1) }),
  run(world: RunnersWorld, args: JsonObject) {
    if (!world.workers.workloads.has('tagging'))
      return { summary: "Ci::Tag#destroy: not in this plan's workloads", applied: false };
    const name = TAG_NAMES[intArg(args, 'tag', 0, TAG_NAMES.length - 1)]!;
    if (world.db.select(TAGS, { where: eq(col('name'), name) }).length === 0)
      return { summary: `Ci::Tag#destroy ${name}: no such tag`, applied: false };
    return runRequest(world, {
      endpoint: 'Ci::Tag#destroy',
      description: `Ci::Tag#destroy ${name}`,
      runnerId: null,
      writes: [],
      handle: (db) => {
        const deleted = db.delete(TAGS, eq(col('name'), name));
        return deleted.length === 0
          ? { status: 422, note: 'tag not found' }
          : { status: 200, note: `tag ${String(deleted[0]?.['id'])}` };
      },
    });
  },
};
