import type { Database } from '../../src/index.js';
import { GITLAB_PROBES } from './probes.js';
import type { MigrationWorld } from './migrationWorld.js';

/**
 * Reverts of foreign keys (docs/semantics.md §h.5): `remove_foreign_key` on a partitioned table drops the parent's
 * key and the partition keys that were attached to it, but keys added to each partition
 * separately are independent constraints and stay. This records what a plan meant to remove.
 */
export function foreignKeysNamedOnPartitions(db: Database, table: string, name: string): string[] {
  return db
    .describe(table)
    .partitions.filter((partition) =>
      db
        .describe(partition)
        .constraints.some((constraint) => constraint.kind === 'foreignKey' && constraint.name === name),
    );
}

/** Called just before the key is dropped: whether separately added partition keys will survive the revert. */
export function probeSeparatePartitionKeys(world: MigrationWorld, table: string, name: string): void {
  const { db } = world;
  if (!db.hasTable(table)) return;
  const separate = db
    .describe(table)
    .partitions.filter((partition) =>
      db
        .describe(partition)
        .constraints.some(
          (constraint) =>
            constraint.kind === 'foreignKey' && constraint.name === name && constraint.inheritedFrom === null,
        ),
    );
  if (separate.length > 0) world.probes.hit(GITLAB_PROBES.revertLeftPartitionKeys);
}

/** Called once the revert committed: the plan now believes no key of that name constrains `table`. */
export function recordForeignKeyRemoval(world: MigrationWorld, table: string, name: string): void {
  world.rollout.removedForeignKeys.push({ table, name, step: world.currentStep });
}
