import { CLOCK_FUNCTION } from './clock.js';
import { formatSql } from '../engine/sqlText.js';
import type { SqlSession } from './sqlSession.js';

/**
 * Isolation between scenarios: before each one, the session's scratch schema is dropped and
 * created afresh (with the clock-reading `now()`, see clock.ts) and put first on the
 * search_path. On embedded PGlite the scratch schema is `public` itself, so names the model
 * writes into rows (`TG_TABLE_SCHEMA`, `public.ci_runners`) are those of a fresh database.
 * Statements still autocommit one by one, exactly as the engine's do. Wrapping a scenario in
 * one transaction and rolling it back would be cheaper to clean up but wrong: PostgreSQL
 * re-checks a foreign key on a key-preserving UPDATE of a row version written by the current
 * transaction (docs/postgres-observed.md §7), so inside one big transaction such UPDATEs would be checked
 * where the engine, autocommitting, rightly skips the check. A reset costs a few milliseconds.
 */
async function mustRun(session: SqlSession, sql: string): Promise<void> {
  const result = await session.run(sql);
  if (!result.ok) throw new Error(`oracle session setup failed: ${result.code} ${result.message} (${sql})`);
}

export function resetSchemaSql(schema: string): string {
  return `${formatSql('DROP SCHEMA IF EXISTS %I CASCADE; CREATE SCHEMA %I; SET search_path TO %I, pg_catalog;', schema, schema, schema)} ${CLOCK_FUNCTION}`;
}

export async function withScenarioSchema<T>(session: SqlSession, body: (schema: string) => Promise<T>): Promise<T> {
  const schema = session.scratchSchema;
  // A previous scenario may have ended inside a transaction block; outside one ROLLBACK only warns.
  await session.run('ROLLBACK');
  await mustRun(session, resetSchemaSql(schema));
  try {
    return await body(schema);
  } finally {
    await session.run('ROLLBACK');
  }
}
