/**
 * The executor boundary: the one place a statement value meets a session. Everything that runs
 * a statement (the facade's typed methods, trigger functions through their session handle, the
 * oracle's replays) comes through `executeStatement`, so this is where a scheduler of concurrent
 * sessions will decide whether a statement runs now or its session waits (docs/statements.md).
 */
import type { CatalogView } from '../sql/catalogView.js';
import type { EngineState } from '../session.js';
import type { Resumable } from '../sessions/suspension.js';
import { envelopeOf } from './definition.js';
import type { StatementDefinition } from './definition.js';
import { definitionOf } from './registry.js';
import type { Statement, StatementResult } from './registry.js';

export function executeStatement<S extends Statement>(session: EngineState, statement: S): StatementResult<S> {
  const definition = definitionOf(statement);
  if (envelopeOf(definition, statement) !== 'atomic') return definition.execute(session, statement);
  // A trigger's statement while several sessions are open may wait: it goes through the replay log.
  if (session.versioning && !session.atTopLevel)
    return session.nested(statement, () => resumableExecution(definition, session, statement), true, statement);
  return session.runStatement(() => definition.execute(session, statement));
}

/**
 * Starts a top-level statement as a resumable execution (the scheduler's path): it yields a
 * `LockWait` wherever it must wait for another session, and returns its result at the end.
 */
export function startStatement<S extends Statement>(session: EngineState, statement: S): Resumable<StatementResult<S>> {
  const definition = definitionOf(statement);
  if (definition.envelope === 'transactionControl')
    return definition.resume?.(session, statement) ?? immediately(() => definition.execute(session, statement));
  // Statements of their own transactions run their steps unscheduled (CONCURRENTLY's waits are not modelled).
  if (envelopeOf(definition, statement) !== 'atomic') return immediately(() => definition.execute(session, statement));
  return session.runStatementResumable(() => resumableExecution(definition, session, statement), statement);
}

function resumableExecution<S extends Statement>(
  definition: StatementDefinition<S, StatementResult<S>>,
  session: EngineState,
  statement: S,
): Resumable<StatementResult<S>> {
  return definition.resume?.(session, statement) ?? immediately(() => definition.execute(session, statement));
}

// biome-ignore lint/correctness/useYield: a statement that never waits, in the shape of one that may.
function* immediately<T>(body: () => T): Resumable<T> {
  return body();
}

/** The statement as PostgreSQL SQL; see `StatementDefinition.render`. */
export function renderStatement(statement: Statement, catalog: CatalogView): string {
  return definitionOf(statement).render(statement, catalog);
}

/** Whether the statement's result is rows (INSERT, UPDATE, DELETE, SELECT). */
export function returnsRows(statement: Statement): boolean {
  return definitionOf(statement).returnsRows;
}
