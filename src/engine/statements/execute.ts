/**
 * The executor boundary: the one place a statement value meets a session. Everything that runs
 * a statement (the facade's typed methods, trigger functions through their session handle, the
 * oracle's replays) comes through `executeStatement`, so this is where a scheduler of concurrent
 * sessions will decide whether a statement runs now or its session waits (docs/statements.md).
 */
import type { CatalogView } from '../sql/catalogView.js';
import type { EngineState } from '../session.js';
import { definitionOf } from './registry.js';
import type { Statement, StatementResult } from './registry.js';

export function executeStatement<S extends Statement>(session: EngineState, statement: S): StatementResult<S> {
  const definition = definitionOf(statement);
  if (definition.envelope === 'transactionControl') return definition.execute(session, statement);
  return session.runStatement(() => definition.execute(session, statement));
}

/** The statement as PostgreSQL SQL; see `StatementDefinition.render`. */
export function renderStatement(statement: Statement, catalog: CatalogView): string {
  return definitionOf(statement).render(statement, catalog);
}

/** Whether the statement's result is rows (INSERT, UPDATE, DELETE, SELECT). */
export function returnsRows(statement: Statement): boolean {
  return definitionOf(statement).returnsRows;
}
