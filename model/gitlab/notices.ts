import type { SessionHandle } from '../../src/index.js';

/** PL/pgSQL's `RAISE WARNING` in a trigger function; it survives a rollback, as PostgreSQL's notices do. */
export function raiseWarning(db: SessionHandle, message: string): void {
  db.raise('WARNING', message);
}
