import type { Database } from '../src/index.js';

/**
 * PL/pgSQL's `RAISE WARNING`: the message goes to the client at once and survives a rollback,
 * as PostgreSQL's notices do. The engine records its own notices in `db.notices` but offers
 * trigger functions no statement to raise one, so this appends to that same list.
 */
export function raiseWarning(db: Database, message: string): void {
  (db.notices as string[]).push(`WARNING: ${message}`);
}
