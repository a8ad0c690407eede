import { errorResult } from './sqlSession.js';
import type { SqlResult, SqlSession } from './sqlSession.js';

/** The subset of `pg`'s client this module uses; `pg` is an optional dependency, loaded on demand. */
interface PgQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<PgQueryResult | PgQueryResult[]>;
  end(): Promise<void>;
}
interface PgModule {
  readonly Client: new (options: { connectionString: string }) => PgClient;
}

/** A session on a real server (DATABASE_URL), through the optional `pg` package. */
export async function openPgClient(connectionString: string): Promise<SqlSession> {
  let module: PgModule;
  try {
    const imported = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
    module = imported.default ?? imported;
  } catch {
    throw new Error('DATABASE_URL is set but the optional dependency "pg" is not installed (npm install pg)');
  }
  const client = new module.Client({ connectionString });
  await client.connect();
  const run = async (sql: string): Promise<SqlResult> => {
    try {
      const result = await client.query(sql);
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { ok: true, rows: last?.rows ?? [], affectedRows: last?.rowCount ?? 0 };
    } catch (error) {
      return errorResult(error);
    }
  };
  const version = await run("SELECT current_setting('server_version') AS v");
  return {
    description: `PostgreSQL ${version.ok ? String(version.rows[0]?.v ?? '?') : '?'} (${connectionString.replace(/\/\/[^@]*@/, '//…@')})`,
    scratchSchema: 'pgdrill_oracle',
    run,
    async close(): Promise<void> {
      await client.end();
    },
  };
}

/** The session the oracle uses: a real server when DATABASE_URL is set, embedded PGlite otherwise. */
export async function openOracleSession(environment: NodeJS.ProcessEnv = process.env): Promise<SqlSession> {
  const url = environment.DATABASE_URL;
  if (url !== undefined && url !== '') return openPgClient(url);
  const { openPglite } = await import('./pgliteSession.js');
  return openPglite();
}
