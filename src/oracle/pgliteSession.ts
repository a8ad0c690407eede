import { PGlite } from '@electric-sql/pglite';
import { errorResult } from './sqlSession.js';
import type { SqlResult, SqlSession } from './sqlSession.js';

/** An embedded PostgreSQL (PGlite, PostgreSQL 18 in WebAssembly): start-up takes 2–3 s, so create one per process. */
export async function openPglite(): Promise<SqlSession> {
  return pgliteSession(await PGlite.create());
}

/** A session on a PGlite instance the caller started (e.g. from a saved data directory); `close` closes it. */
export async function pgliteSession(db: PGlite): Promise<SqlSession> {
  const version = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
  return {
    description: `PostgreSQL ${version} (PGlite)`,
    scratchSchema: 'public',
    async run(sql: string): Promise<SqlResult> {
      try {
        const results = await db.exec(sql);
        const last = results[results.length - 1];
        return {
          ok: true,
          rows: (last?.rows ?? []) as Record<string, unknown>[],
          affectedRows: last?.affectedRows ?? 0,
        };
      } catch (error) {
        return errorResult(error);
      }
    },
    async runAll(statements: readonly string[]): Promise<boolean> {
      try {
        // A line break before each separator, so a statement ending in a -- comment still ends.
        await db.exec(statements.map((sql) => `${sql}\n;`).join('\n'));
        return true;
      } catch (error) {
        errorResult(error);
        return false;
      }
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}
