/**
 * What the engine knows about one kind of statement, in one place: the plain-data value that
 * describes it (its type parameter), how a session executes it, and how it reads as PostgreSQL
 * SQL. Every kind lives in a module of its own in this directory and is listed once in
 * `registry.ts`; `execute.ts` is the one path from a value to its execution.
 *
 * The value is data only (JSON-printable, except the TypeScript function of a CREATE TRIGGER),
 * so a statement can be recorded, rendered, replayed and, later, held by a suspended session
 * while its execution waits (see docs/statements.md).
 */
import type { CatalogView } from '../sql/catalogView.js';
import type { EngineState } from '../session.js';
import type { Resumable } from '../sessions/suspension.js';

/** Every statement value names its kind; the registry dispatches on it. */
export interface StatementValue {
  readonly kind: string;
}

/**
 * How the executor wraps a statement. `atomic` statements run in the statement envelope
 * (`EngineState.runStatement`): all or nothing, committed on their own outside a transaction
 * block, refused in an aborted block, AFTER triggers fired at their end. `transactionControl`
 * statements (BEGIN, COMMIT, savepoints) act on the transaction block itself and are not wrapped.
 * `ownTransactions` statements (CREATE / DROP INDEX CONCURRENTLY) refuse a transaction block and
 * run their steps as transactions of their own, so a failure can leave the committed ones behind.
 */
export type StatementEnvelope = 'atomic' | 'transactionControl' | 'ownTransactions';

export interface StatementDefinition<S extends StatementValue, R> {
  readonly kind: S['kind'];
  /** The envelope, or a function choosing it per value (CREATE INDEX with and without CONCURRENTLY). */
  readonly envelope: StatementEnvelope | ((statement: S) => StatementEnvelope);
  /**
   * True when the statement's result is rows (INSERT/UPDATE/DELETE with their RETURNING rows,
   * SELECT): the oracle compares their counts with PostgreSQL's.
   */
  readonly returnsRows: boolean;
  /** Runs the statement on a session; called only by `executeStatement`, inside the envelope. */
  readonly execute: (session: EngineState, statement: S) => R;
  /**
   * For kinds that can meet another session's row lock or uncommitted key (UPDATE, DELETE,
   * INSERT, SELECT … FOR …): the execution as a generator that yields where it must wait
   * (sessions/suspension.ts); `execute` is this run to the end.
   */
  readonly resume?: (session: EngineState, statement: S) => Resumable<R>;
  /**
   * The statement as PostgreSQL SQL, without a trailing semicolon (CREATE TRIGGER renders as its
   * function and the trigger). `catalog` is the database as it is right after the statement ran.
   * Throws `RenderError` when the statement has no SQL form.
   */
  readonly render: (statement: S, catalog: CatalogView) => string;
}

/** The envelope a statement runs in. */
export function envelopeOf<S extends StatementValue>(
  definition: StatementDefinition<S, unknown>,
  statement: S,
): StatementEnvelope {
  return typeof definition.envelope === 'function' ? definition.envelope(statement) : definition.envelope;
}

/** Declares a statement kind; the identity, so the value and result types are inferred once. */
export function defineStatement<S extends StatementValue, R>(
  definition: StatementDefinition<S, R>,
): StatementDefinition<S, R> {
  return definition;
}
