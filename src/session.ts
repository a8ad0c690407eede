/**
 * A further session on a `Database` (`db.openSession()`): its own transaction block, journal and
 * snapshots over the shared catalog and heaps (docs/concurrency.md). Its statements are values run
 * through the same executor boundary as the database's own; `execute` runs one to completion, and
 * a statement that would have to wait for another session's lock is run by a `Scheduler` instead.
 */
import type { DatabaseState } from './engine/databaseState.js';
import type { DeleteOptions } from './engine/deleteStatement.js';
import type { Expr } from './engine/expression.js';
import type { InsertOptions } from './engine/insertStatement.js';
import type { RowInput } from './engine/rowBuilding.js';
import { EngineState } from './engine/session.js';
import type { IsolationLevel } from './engine/session.js';
import type { SessionHandle } from './engine/sessionHandle.js';
import { executeStatement } from './engine/statements/execute.js';
import type { Statement, StatementResult } from './engine/statements/registry.js';
import type { SelectOptions } from './engine/statements/select.js';
import './engine/triggerRuntime.js';
import type { Assignments, UpdateOptions } from './engine/updateStatement.js';
import type { Row } from './engine/values.js';

export class Session implements SessionHandle {
  /** The engine state behind this session; the scheduler drives statements on it. */
  readonly state: EngineState;

  constructor(shared: DatabaseState) {
    this.state = new EngineState(this, shared);
  }

  execute<S extends Statement>(statement: S): StatementResult<S> {
    return executeStatement(this.state, statement);
  }

  raise(level: 'WARNING' | 'NOTICE', message: string): void {
    this.state.notices.push(`${level}: ${message}`);
  }

  get notices(): readonly string[] {
    return this.state.notices;
  }

  get transactionStatus(): 'idle' | 'active' | 'aborted' {
    return this.state.transactionStatus;
  }

  begin(isolation?: IsolationLevel): void {
    this.execute(isolation === undefined ? { kind: 'begin' } : { kind: 'begin', isolation });
  }

  commit(): 'COMMIT' | 'ROLLBACK' {
    return this.execute({ kind: 'commit' });
  }

  rollback(): void {
    this.execute({ kind: 'rollback' });
  }

  insert(table: string, rows: RowInput | readonly RowInput[], options: InsertOptions = {}): Row[] {
    const inputs = Array.isArray(rows) ? (rows as readonly RowInput[]) : [rows as RowInput];
    return this.execute({ kind: 'insert', table, rows: inputs, options });
  }

  update(table: string, set: Assignments, where: Expr | null = null, options: UpdateOptions = {}): Row[] {
    return this.execute({ kind: 'update', table, set, where, options });
  }

  delete(table: string, where: Expr | null = null, options: DeleteOptions = {}): Row[] {
    return this.execute({ kind: 'delete', table, where, options });
  }

  select(table: string, options: SelectOptions = {}): Row[] {
    return this.execute({ kind: 'select', table, options });
  }

  nextval(sequence: string): number {
    return this.execute({ kind: 'nextval', sequence });
  }
}
