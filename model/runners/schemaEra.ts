import type { Database } from '../../src/index.js';
import { MANAGERS, RUNNERS } from './schema.js';

/**
 * The schema a world starts from. `17.5` is the schema before the partitioned copies existed
 * (docs/semantics.md §g), with `sharding_key_id` already on ci_runners and ci_runner_machines. `pre-sharding-key`
 * is the schema before the Cells 1.0 sharding-key rollout (seed 002, items 2–2.1), so a plan can
 * add the column, deploy the code that fills it and backfill it.
 */
export const SCHEMA_ERAS = ['17.5', 'pre-sharding-key'] as const;
export type SchemaEra = (typeof SCHEMA_ERAS)[number];
export const DEFAULT_SCHEMA_ERA: SchemaEra = '17.5';

export function isSchemaEra(name: string): name is SchemaEra {
  return (SCHEMA_ERAS as readonly string[]).includes(name);
}

/** The tables that gained `sharding_key_id` in the rollout. */
export const SHARDING_KEY_TABLES = [RUNNERS, MANAGERS] as const;

/** Turns the 17.5 schema into the era's: before the rollout, neither table has the column. */
export function applySchemaEra(db: Database, era: SchemaEra): void {
  if (era === '17.5') return;
  for (const table of SHARDING_KEY_TABLES) db.dropColumn(table, 'sharding_key_id');
}

/** Whether `table` has `column` now: code that predates a column never names it in its statements. */
export function hasColumn(db: Database, table: string, column: string): boolean {
  return db.describe(table).columns.some((candidate) => candidate.name === column);
}
