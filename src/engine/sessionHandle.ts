/**
 * What code running inside a session may do with it. Trigger functions receive it as `db`: they
 * run further statements in the session (and transaction) that fired them, and raise notices;
 * NEW and OLD arrive in the trigger context itself. The facade (`Database`) implements it, so
 * the engine hands triggers the facade without knowing it.
 */
import type { DeleteOptions } from './deleteStatement.js';
import type { Expr } from './expression.js';
import type { InsertOptions } from './insertStatement.js';
import type { RowInput } from './rowBuilding.js';
import type { Statement, StatementResult } from './statements/registry.js';
import type { SelectOptions } from './statements/select.js';
import type { Assignments, UpdateOptions } from './updateStatement.js';
import type { Row } from './values.js';

export interface SessionHandle {
  /** Runs any statement in this session; from a trigger it runs nested in the firing statement. */
  execute<S extends Statement>(statement: S): StatementResult<S>;
  /**
   * PL/pgSQL's `RAISE WARNING` / `RAISE NOTICE`: the message reaches the client at once and,
   * like PostgreSQL's notices, is not taken back by a rollback.
   */
  raise(level: 'WARNING' | 'NOTICE', message: string): void;
  // Conveniences over `execute` for the statements trigger functions issue.
  insert(table: string, rows: RowInput | readonly RowInput[], options?: InsertOptions): Row[];
  update(table: string, set: Assignments, where?: Expr | null, options?: UpdateOptions): Row[];
  delete(table: string, where?: Expr | null, options?: DeleteOptions): Row[];
  select(table: string, options?: SelectOptions): Row[];
  nextval(sequence: string): number;
}
