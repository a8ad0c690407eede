import { createHash } from 'node:crypto';

/**
 * GitLab's hashed object names. They are deterministic functions of table names, which is why
 * the trigger and function names survive the later table swap (docs/semantics.md §a.1): they are derived from
 * the source table's name, never from the copy's.
 */
function sha256Prefix(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** `tmp_table_name` / `make_partitioned_table_name`: `ci_runners` → `ci_runners_e59bb2812d`. */
export function partitionedCopyName(source: string): string {
  return `${source}_${sha256Prefix(source)}`;
}

/** `object_name(table, type)`: `table_sync_trigger_61879721b5` for `ci_runners`. */
export function hashedObjectName(source: string, type: 'table_sync_trigger' | 'table_sync_function'): string {
  return `${type}_${sha256Prefix(`${source}_${type}`)}`;
}

/** `concurrent_foreign_key_name(table, columns)`: `fk_` plus ten hex digits of `<table>_<cols joined by _>_fk`. */
export function concurrentForeignKeyName(table: string, columns: readonly string[]): string {
  return `fk_${sha256Prefix(`${table}_${columns.join('_')}_fk`)}`;
}

/**
 * Rails' own `foreign_key_name`: `fk_rails_` plus ten hex digits of `<table>_<column>_fk`, where a
 * composite column list is Ruby's inspect of a symbol array. This reproduces both
 * `fk_rails_666b61f04f` (ci_runner_machines.runner_id) and `fk_rails_3f92913d27`
 * (ci_runner_machines_687967fa8a [:runner_id, :runner_type]).
 */
export function railsForeignKeyName(table: string, columns: readonly string[]): string {
  const column = columns.length === 1 ? columns[0]! : `[${columns.map((name) => `:${name}`).join(', ')}]`;
  return `fk_rails_${sha256Prefix(`${table}_${column}_fk`)}`;
}
