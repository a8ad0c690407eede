import fc from 'fast-check';
import { and, col, eq } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { integerField, runnerFromRow } from '../records.js';
import { RUNNERS } from '../schema.js';
import { RUNNER_TAGGINGS, TAGS } from '../taggings/taggingsSchema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import type { HandlerResult } from './request.js';
import { notApplied, runRequest } from './request.js';
import { RUNNER_REFERENCE } from '../collections.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `PUT /runners/:id` with one more tag in `tag_list`: find or create the tag by its unique name
 * (`INSERT … ON CONFLICT (name) DO NOTHING`, then read it back), then add the tagging with the
 * runner's type and sharding key. An orphan is refused, as its tagging could not satisfy the
 * partition's `check_sharding_key_id_nullness`.
 */
export const TAG_NAMES = ['docker', 'linux', 'gpu'] as const;

function findOrCreateTag(db: Database, name: string): number {
  if (mutated('tag-create-without-on-conflict')) db.insert(TAGS, { name });
  else db.insert(TAGS, { name }, { onConflict: { target: ['name'], action: 'nothing' } });
  const [tag] = db.select(TAGS, { where: eq(col('name'), name) });
  if (tag === undefined) throw new Error(`tag ${name} vanished inside its own transaction`);
  return integerField(tag, 'id');
}

function tag(db: Database, runnerId: number, name: string): HandlerResult {
  const [row] = db.select(RUNNERS, { where: eq(col('id'), runnerId) });
  if (row === undefined) return { status: 422, note: 'runner not found' };
  const runner = runnerFromRow(row);
  if (runner.runnerType !== 1 && runner.shardingKeyId === null) return { status: 422, note: 'Runner is orphaned' };
  const tagId = findOrCreateTag(db, name);
  if (db.select(RUNNER_TAGGINGS, { where: and(eq(col('tag_id'), tagId), eq(col('runner_id'), runnerId)) }).length > 0)
    return { status: 200, note: `already tagged ${name}` };
  db.insert(RUNNER_TAGGINGS, {
    tag_id: tagId,
    runner_id: runnerId,
    runner_type: runner.runnerType,
    sharding_key_id: runner.shardingKeyId,
  });
  return { status: 200, note: `tag ${name} is tag ${tagId}` };
}

export const tagRunner: OperationKind<RunnersWorld> = {
  name: 'tagRunner',
  description:
    'PUT /runners/:id with a tag list (needs the "tagging" workload): finds or creates the tag and adds the tagging. runner: index newest first; tag: index into docker, linux, gpu.',
  args: fc.record({ runner: runnerIndexArbitrary, tag: fc.nat(TAG_NAMES.length - 1) }),
  references: RUNNER_REFERENCE,
  run(world: RunnersWorld, args: JsonObject) {
    if (!world.workers.workloads.has('tagging')) return notApplied('PUT /runners/:id', "not in this plan's workloads");
    const runner = pickRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('PUT /runners/:id', 'no runner yet');
    const name = TAG_NAMES[intArg(args, 'tag', 0, TAG_NAMES.length - 1)]!;
    return runRequest(world, {
      endpoint: 'PUT /runners/:id',
      description: `PUT /runners/${runner.id} tag_list += ${name}`,
      runnerId: runner.id,
      writes: [],
      handle: (db) => tag(db, runner.id, name),
    });
  },
};
