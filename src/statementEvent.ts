/**
 * What a `Database` reports after each top-level statement: the statement value, how it ended
 * and the logical clock it ran at. The oracle records these and renders them as SQL; statements
 * that trigger functions run are not reported, because PostgreSQL runs them itself inside the
 * rendered trigger function.
 */
import type { Database } from './database.js';
import type { Statement } from './engine/statements/registry.js';
import type { Row } from './engine/values.js';

/** How a statement ended: rows for DML and SELECT, a PostgreSQL error, or an internal engine failure. */
export type StatementOutcome =
  | { readonly status: 'ok'; readonly rows: readonly Row[] | null }
  | { readonly status: 'error'; readonly code: string; readonly constraint: string | null; readonly message: string }
  | { readonly status: 'internal'; readonly message: string };

export interface StatementEvent {
  readonly statement: Statement;
  readonly outcome: StatementOutcome;
  /** The database's logical clock when the statement ran (what `now()` defaults read). */
  readonly clock: number;
  /** The database that ran it, whose catalog the renderer reads (types, defaults) right away. */
  readonly database: Database;
}

export type StatementListener = (event: StatementEvent) => void;
