import { assert } from '../../src/engine/assert.js';
import type { Database, RowInput } from '../../src/index.js';
import { col, eq } from '../../src/index.js';
import { TAG_NAMES } from './operations/tagRunner.js';
import { integerField } from './records.js';
import { RUNNER_TAGGINGS, TAGS } from './taggings/taggingsSchema.js';
import { MANAGERS, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS, runnerToken } from './schema.js';
import { MAX_LEGACY_RUNNERS } from './settings.js';
import type { SchemaEra } from './schemaEra.js';
import { NAMESPACE_COUNT, PROJECT_COUNT } from './world.js';

/**
 * A large legacy population for scale campaigns (the `legacyRunners` setting): GitLab.com has
 * millions of runners, and a plan's steps (backfills, validations, invariant scans) must be
 * exercised against more than a handful. The population is deterministic and built with
 * multi-row INSERTs before the scenario's own legacy operations, so each scenario still varies
 * the rows the story is about. One runner in ten of the group and project runners is an
 * orphan (no join row, no sharding key), and every runner has one manager.
 */
const BATCH_ROWS = 1_000;
const ORPHAN_PERIOD = 10;

/** A bulk legacy runner as a runner process knows it: what the world records of each (its origin and token). */
export interface LegacyRunner {
  readonly id: number;
  readonly token: string;
}

/** Inserts `count` bulk legacy runners into `db` and returns them in id order. */
export function populateLegacyRunners(db: Database, count: number): LegacyRunner[] {
  assert(
    Number.isSafeInteger(count) && count >= 0 && count <= MAX_LEGACY_RUNNERS,
    `legacy population ${count} out of range`,
  );
  const legacy: LegacyRunner[] = [];
  // Most worlds have no legacy population: they need not describe ci_runners.
  if (count === 0) return legacy;
  const hasShardingKey = db.describe(RUNNERS).columns.some((column) => column.name === 'sharding_key_id');
  for (let start = 0; start < count; start += BATCH_ROWS) {
    const runners: RowInput[] = [];
    const managers: RowInput[] = [];
    const projects: RowInput[] = [];
    const namespaces: RowInput[] = [];
    for (let offset = 0; offset < Math.min(BATCH_ROWS, count - start); offset++) {
      const ordinal = start + offset;
      const runnerType = ((ordinal % 3) + 1) as 1 | 2 | 3;
      const orphan = runnerType !== 1 && ordinal % ORPHAN_PERIOD === ORPHAN_PERIOD - 1;
      const id = db.nextval(`${RUNNERS}_id_seq`);
      const owner =
        runnerType === 2 ? (ordinal % NAMESPACE_COUNT) + 1 : runnerType === 3 ? (ordinal % PROJECT_COUNT) + 1 : null;
      const shardingKey = orphan ? null : owner;
      runners.push({
        id,
        runner_type: runnerType,
        ...(hasShardingKey ? { sharding_key_id: shardingKey } : {}),
        token: runnerToken(runnerType, id),
        contacted_at: null,
      });
      managers.push({
        runner_id: id,
        // ci_runner_machines.runner_type came with the sharding key (legacyCreateManager.ts).
        ...(hasShardingKey ? { runner_type: runnerType } : {}),
        ...(hasShardingKey ? { sharding_key_id: shardingKey } : {}),
        system_xid: `legacy-${id}`,
      });
      if (!orphan && runnerType === 2) namespaces.push({ runner_id: id, namespace_id: owner });
      if (!orphan && runnerType === 3) projects.push({ runner_id: id, project_id: owner });
      legacy.push({ id, token: runnerToken(runnerType, id) });
    }
    db.insert(RUNNERS, runners);
    if (namespaces.length > 0) db.insert(RUNNER_NAMESPACES, namespaces);
    if (projects.length > 0) db.insert(RUNNER_PROJECTS, projects);
    db.insert(MANAGERS, managers);
  }
  return legacy;
}

/**
 * Tags the first `count` bulk legacy runners that can carry a tagging (instance runners and
 * runners with a sharding key), cycling through the tag names, so that one tag has several
 * taggings and deleting it gives the loose-foreign-key worker more children than its limits.
 */
export function tagLegacyRunners(db: Database, era: SchemaEra, count: number): void {
  assert(Number.isSafeInteger(count) && count >= 0, `legacy taggings ${count} out of range`);
  // Before the sharding-key rollout, taggings carrying sharding keys belong to a later schema.
  if (count === 0 || era === 'pre-sharding-key') return;
  const tagIds = TAG_NAMES.map((name) => {
    db.insert(TAGS, { name }, { onConflict: { target: ['name'], action: 'nothing' } });
    return integerField(db.select(TAGS, { where: eq(col('name'), name) })[0]!, 'id');
  });
  const taggable = db
    .rows(RUNNERS)
    .filter((runner) => runner['runner_type'] === 1 || (runner['sharding_key_id'] ?? null) !== null)
    .slice(0, count);
  const taggings: RowInput[] = taggable.map((runner, index) => ({
    tag_id: tagIds[index % tagIds.length]!,
    runner_id: runner['id'] ?? null,
    runner_type: runner['runner_type'] ?? null,
    sharding_key_id: runner['runner_type'] === 1 ? null : (runner['sharding_key_id'] ?? null),
  }));
  if (taggings.length > 0) db.insert(RUNNER_TAGGINGS, taggings);
}
