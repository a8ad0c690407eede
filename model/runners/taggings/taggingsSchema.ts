import { col, isNotNull, isNull } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import { RUNNER_TYPES } from '../partitionedCopies.js';
import { RUNNERS } from '../schema.js';

/**
 * `tags` and `ci_runner_taggings` (docs/semantics.md §g). Taggings are LIST-partitioned by runner_type with
 * suffix-named partitions (`'%{table_name}_%{partition_name}'`), each with the inline
 * `check_sharding_key_id_nullness`. GitLab's runner FK `fk_rails_84f15fe4c6` points at the runner
 * copy's partitions; before the copy exists the model points it at the legacy `ci_runners`, with
 * the same ON DELETE CASCADE, so deleting a runner removes its taggings in the same statement.
 * There is deliberately no FK to `tags`: it was dropped in 18.1 and re-adding it (seed 004) is
 * what the taggings plans do, while only the LFK keeps taggings clean meanwhile.
 */
export const TAGS = 'tags';
export const RUNNER_TAGGINGS = 'ci_runner_taggings';
export const TAGGINGS_RUNNER_FK = 'fk_rails_84f15fe4c6';

export function taggingsPartitionName(runnerTypeName: string): string {
  return `${RUNNER_TAGGINGS}_${runnerTypeName}`;
}

export function createTaggingsSchema(db: Database): void {
  db.createTable({
    name: TAGS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'name', type: 'text', notNull: true },
      { name: 'taggings_count', type: 'integer', default: 0 },
    ],
    primaryKey: ['id'],
  });
  db.createIndex({ name: 'index_tags_on_name', table: TAGS, columns: ['name'], unique: true });
  db.createTable({
    name: RUNNER_TAGGINGS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'tag_id', type: 'bigint', notNull: true },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'runner_type', type: 'smallint', notNull: true },
    ],
    primaryKey: ['id', 'runner_type'],
    partitionBy: { list: 'runner_type' },
    constraints: [
      {
        kind: 'foreignKey',
        name: TAGGINGS_RUNNER_FK,
        columns: ['runner_id'],
        references: { table: RUNNERS, columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
  for (const { value, name } of RUNNER_TYPES) {
    const partition = taggingsPartitionName(name);
    db.createTable({ name: partition, partitionOf: { parent: RUNNER_TAGGINGS, values: [value] } });
    db.addConstraint(partition, {
      kind: 'check',
      name: 'check_sharding_key_id_nullness',
      expr: value === 1 ? isNull(col('sharding_key_id')) : isNotNull(col('sharding_key_id')),
    });
  }
  db.createIndex({
    name: 'index_ci_runner_taggings_on_tag_id_and_runner_id_and_runner_type',
    table: RUNNER_TAGGINGS,
    columns: ['tag_id', 'runner_id', 'runner_type'],
    unique: true,
  });
}
