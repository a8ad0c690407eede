import type { Violation } from '../src/harness/domain.js';
import { COST_SETTINGS } from '../model/runners/costSettings.js';
import { RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS, MANAGERS } from '../model/runners/schema.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { byId, tableColumns } from './rowsById.js';
import { unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';

/**
 * The sharding-key rollout (docs/semantics.md §a.2, docs/semantics.md, invariant 20): backfills leave no owned runner or manager
 * without its key, join tables only link runners of their type, and a reverted FK is gone.
 */
export const SHARDING_KEY_BACKFILLED = 'sharding-key-backfilled';
export const JOIN_TABLE_TYPING = 'join-table-typing';
export const REVERT_REMOVES_FOREIGN_KEY = 'revert-removes-foreign-key';

const finished = (world: RunnersWorld, job: string): boolean =>
  world.bookkeeping.migrations.some((migration) => migration.name === job && migration.status === 'finished');

/** The columns the sharding-key and join-table checks read of each table (`tableColumns`). */
const RUNNER_KEY_COLUMNS: readonly string[] = ['id', 'runner_type', 'sharding_key_id'];
const RUNNER_TYPE_COLUMNS: readonly string[] = ['id', 'runner_type'];
const LINK_COLUMNS: readonly string[] = ['runner_id'];
const MANAGER_KEY_COLUMNS: readonly string[] = ['runner_id', 'runner_type', 'sharding_key_id'];

/**
 * Once BackfillShardingKeyIdOnCiRunners has finished, every group runner with a namespace link
 * and every project runner with a project link has a sharding key; once the managers' backfill
 * has finished, every manager of a keyed runner has its runner's type and key.
 */
export function checkShardingKeyBackfilled(world: RunnersWorld): Violation | null {
  const { db } = world;
  // Until one of the two backfills has finished there is nothing to check.
  if (
    !finished(world, 'BackfillShardingKeyIdOnCiRunners') &&
    !finished(world, 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers')
  )
    return null;
  // Skipped while nothing it reads changed since it last held (unchangedInputs.ts): the columns
  // below, so an UPDATE of others (a heartbeat) leaves its inputs as they were.
  const inputs = [
    world.bookkeeping.migrations,
    tableColumns(db, RUNNERS, RUNNER_KEY_COLUMNS),
    tableColumns(db, RUNNER_NAMESPACES, LINK_COLUMNS),
    tableColumns(db, RUNNER_PROJECTS, LINK_COLUMNS),
    tableColumns(db, MANAGERS, MANAGER_KEY_COLUMNS),
  ];
  return unlessUnchanged(world, SHARDING_KEY_BACKFILLED, inputs, () => shardingKeyBackfilled(world));
}

function shardingKeyBackfilled(world: RunnersWorld): Violation | null {
  const { db } = world;
  if (finished(world, 'BackfillShardingKeyIdOnCiRunners')) {
    const linked = new Set(
      [...db.rows(RUNNER_NAMESPACES), ...db.rows(RUNNER_PROJECTS)].map((row) => row['runner_id'] as number),
    );
    const unkeyed = db
      .rows(RUNNERS)
      .find(
        (runner) =>
          runner['runner_type'] !== 1 &&
          linked.has(runner['id'] as number) &&
          (runner['sharding_key_id'] ?? null) === null,
      );
    if (unkeyed !== undefined)
      return violation(
        SHARDING_KEY_BACKFILLED,
        `runner ${String(unkeyed['id'])} (runner_type ${String(unkeyed['runner_type'])}) has an owner link but no sharding_key_id although BackfillShardingKeyIdOnCiRunners finished`,
      );
  }
  if (finished(world, 'BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers')) {
    const runners = new Map(db.rows(RUNNERS).map((runner) => [runner['id'] as number, runner]));
    for (const manager of db.rows(MANAGERS)) {
      const runner = runners.get(manager['runner_id'] as number);
      if (runner === undefined || (runner['sharding_key_id'] ?? null) === null) continue;
      if (
        manager['sharding_key_id'] !== runner['sharding_key_id'] ||
        manager['runner_type'] !== runner['runner_type']
      ) {
        return violation(
          SHARDING_KEY_BACKFILLED,
          `manager ${String(manager['id'])} has runner_type ${String(manager['runner_type'])} and sharding_key_id ${String(manager['sharding_key_id'] ?? null)} but runner ${String(runner['id'])} has ${String(runner['runner_type'])} and ${String(runner['sharding_key_id'])} although the managers' backfill finished`,
        );
      }
    }
  }
  return null;
}

const JOIN_TABLES: readonly { readonly table: string; readonly runnerType: number; readonly kind: string }[] = [
  { table: RUNNER_PROJECTS, runnerType: 3, kind: 'project' },
  { table: RUNNER_NAMESPACES, runnerType: 2, kind: 'group' },
  { table: COST_SETTINGS, runnerType: 1, kind: 'instance' },
];

/** ci_runner_projects links only project runners, ci_runner_namespaces only group runners, ci_cost_settings only instance runners. */
export function checkJoinTableTyping(world: RunnersWorld): Violation | null {
  const { db } = world;
  // It reads the runners' types and the links' runner ids only (`tableColumns`).
  const inputs = [
    tableColumns(db, RUNNERS, RUNNER_TYPE_COLUMNS),
    ...JOIN_TABLES.map(({ table }) => tableColumns(db, table, LINK_COLUMNS)),
  ];
  return unlessUnchanged(world, JOIN_TABLE_TYPING, inputs, () => joinTableTyping(world));
}

function joinTableTyping(world: RunnersWorld): Violation | null {
  const { db } = world;
  // Runners by id, built once per rows array and shared with the other invariants (rowsById.ts).
  const runners = byId(db.rows(RUNNERS));
  for (const { table, runnerType, kind } of JOIN_TABLES) {
    for (const row of db.rows(table)) {
      const type = runners.get(row['runner_id'] as number)?.['runner_type'];
      if (type !== undefined && type !== runnerType)
        return violation(
          JOIN_TABLE_TYPING,
          `${table} id=${String(row['id'])} links runner ${String(row['runner_id'])} of runner_type ${String(type)}, but only ${kind} runners belong there`,
        );
    }
  }
  return null;
}

/** docs/semantics.md §h.5: after `remove_foreign_key(table, name)`, no key of that name is left on the table or its partitions. */
export function checkRevertRemovesForeignKey(world: RunnersWorld): Violation | null {
  const { db } = world;
  for (const removal of world.rollout.removedForeignKeys) {
    if (!db.hasTable(removal.table)) continue;
    for (const table of [removal.table, ...db.describe(removal.table).partitions]) {
      if (
        db
          .describe(table)
          .constraints.some((constraint) => constraint.kind === 'foreignKey' && constraint.name === removal.name)
      ) {
        return violation(
          REVERT_REMOVES_FOREIGN_KEY,
          `remove_foreign_key ${removal.name} on ${removal.table} (step ${removal.step}) left ${removal.name} on ${table}`,
        );
      }
    }
  }
  return null;
}
