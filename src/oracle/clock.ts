import { formatSql } from '../engine/sqlText.js';

/**
 * The engine's `now()` reads a logical clock that the model advances; PostgreSQL's reads the
 * wall clock. So that defaults and trigger bodies calling `now()` agree, the oracle's session
 * puts its scratch schema before pg_catalog on the search_path and defines `now()` there to
 * read the setting `pgdrill.clock`, which is set before any statement whose clock differs.
 * Settings are transactional, so after a rollback the value is set again.
 */
export const CLOCK_FUNCTION = `CREATE FUNCTION now() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT to_timestamp(coalesce(nullif(current_setting('pgdrill.clock', true), ''), '0')::bigint) $$`;

export function setClockSql(clock: number): string {
  return formatSql("SELECT set_config('pgdrill.clock', %L, false)", String(clock));
}

/** Statements after which the last clock setting may have been rolled back. */
export function mayRevertSettings(sql: string): boolean {
  return /^(ROLLBACK|COMMIT)/.test(sql);
}
