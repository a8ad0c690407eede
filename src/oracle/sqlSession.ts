/**
 * A connection to a real PostgreSQL: embedded PGlite by default, or a server through the `pg`
 * client when DATABASE_URL is set. Statements go through the simple query protocol, so one
 * string may hold several statements (run as one implicit transaction outside a block).
 */
export type SqlResult =
  | { readonly ok: true; readonly rows: readonly Record<string, unknown>[]; readonly affectedRows: number }
  | { readonly ok: false; readonly code: string; readonly constraint: string | null; readonly message: string };

export interface SqlSession {
  /** e.g. `PostgreSQL 18.6 (PGlite)`. */
  readonly description: string;
  /**
   * The schema each scenario runs in, dropped and recreated before every scenario: `public` on
   * embedded PGlite (the instance is ours), `pgdrill_oracle` on a real server (never a user's).
   */
  readonly scratchSchema: string;
  run(sql: string): Promise<SqlResult>;
  /**
   * Runs statements in one round trip as one implicit transaction (the simple query protocol):
   * true when every one succeeded, false when one failed, in which case none of them took effect.
   * Optional: a session without it runs every statement through `run`.
   */
  runAll?(statements: readonly string[]): Promise<boolean>;
  close(): Promise<void>;
}

interface DriverError {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly message?: unknown;
}

/** Errors from PGlite and pg carry the server's fields; anything without a SQLSTATE is not PostgreSQL's answer. */
export function errorResult(error: unknown): SqlResult {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as DriverError;
  if (typeof fields.code !== 'string') throw error;
  return {
    ok: false,
    code: fields.code,
    constraint: typeof fields.constraint === 'string' ? fields.constraint : null,
    message: typeof fields.message === 'string' ? fields.message : String(error),
  };
}
