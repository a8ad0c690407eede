/**
 * Collects a database's top-level statements as SQL. Rendering happens inside the listener, right
 * after the statement, because the column types and defaults it needs are those of that moment.
 */
import type { Database } from '../database.js';
import type { Statement } from '../engine/statements/registry.js';
import { renderStatement } from '../engine/statements/execute.js';
import { RenderError } from '../engine/sql/renderError.js';
import type { StatementEvent, StatementOutcome } from '../statementEvent.js';
import { catalogViewOf } from './catalogView.js';

/** A top-level statement the engine ran, rendered as SQL the moment it ran (against that catalog). */
export interface RecordedStatement {
  readonly statement: Statement;
  readonly outcome: StatementOutcome;
  /** The SQL, or null when the statement cannot be rendered (`renderError` says why). */
  readonly sql: string | null;
  readonly renderError: string | null;
  /** The engine's logical clock when it ran, which the oracle's `now()` must read too. */
  readonly clock: number;
  /** A caller-supplied label (e.g. the scenario step that ran it). */
  readonly tag: number;
}

export class StatementRecorder {
  readonly statements: RecordedStatement[] = [];
  /** What `tag` the next statements get; the scenario runner sets it to the current step. */
  tag = 0;

  readonly listener = (event: StatementEvent): void => {
    let sql: string | null = null;
    let renderError: string | null = null;
    try {
      sql = renderStatement(event.statement, catalogViewOf(event.database));
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      renderError = error.message;
    }
    this.statements.push({
      statement: event.statement,
      outcome: event.outcome,
      sql,
      renderError,
      clock: event.clock,
      tag: this.tag,
    });
  };

  attach(db: Database): void {
    db.onStatement = this.listener;
  }
}
