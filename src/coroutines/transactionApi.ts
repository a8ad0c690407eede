/**
 * Application code as coroutines of statements: the transaction API that request handlers,
 * workers and migration steps are written against, so that one body runs either straight through
 * on a database (`runSerially`, serialRunner.ts) or one statement at a time in a scheduled engine
 * session, parked while its statement waits for a lock (`SessionRunner`, sessionRunner.ts).
 *
 * ## The contract (for everyone who converts a body)
 *
 * - A body is a generator function returning `Work<T>`. It sends every statement through the
 *   `Tx` it is given, with `yield*`: `const rows = yield* tx.select(table, { where })`,
 *   `yield* tx.update(…)`, `yield* tx.insert(…)`, `yield* tx.execute(anyStatementValue)`. The
 *   value of the `yield*` is the statement's result, typed as `StatementResult` types it.
 * - A statement that fails throws its `PgError` at the `yield*`, exactly as a Ruby `rescue` would
 *   see it: a body may catch it (`try { yield* … } catch (error) { if (!isPgError(error)) throw error; … }`),
 *   for instance to rescue `RecordNotUnique` (23505). An error the body does not catch ends the body.
 * - Between two `yield*` a body is plain JavaScript and runs in no time: no other session moves.
 *   It must not read rows any other way (no `db.rows`, no `db.select` on the world's database):
 *   what it reads must be a statement, or concurrent runs would see rows no snapshot shows.
 *   Catalog facts (does a table exist, its columns, its constraints) come from `tx.catalog`,
 *   which is shared by every session. `tx.now` is the world's logical clock.
 * - Transactions are Rails': `yield* tx.transaction(() => body(tx, …))` opens `BEGIN … COMMIT`
 *   when none is open and joins the open one otherwise (ActiveRecord's `transaction do`);
 *   `{ requiresNew: true }` makes a nested one a savepoint (`transaction(requires_new: true)`).
 *   An error escaping the block rolls it back (ROLLBACK, or ROLLBACK TO SAVEPOINT) and is
 *   rethrown. Outside any block, every statement commits on its own (autocommit), which is how a
 *   Rails request talks to PostgreSQL: `SELECT`, then `UPDATE`, each its own transaction.
 * - Runners decide only how statements reach the database. `runSerially` starts the body with
 *   `depth` 1 inside a transaction the caller opened (the whole request atomic, as the serial
 *   harness has always run it), so a plain `transaction` joins it and `requiresNew` is a
 *   savepoint; a session runner starts it with `depth` 0, so statements outside a block autocommit.
 * - `yield* tx.sleep(ms)` is Ruby's `sleep` between statements, in virtual milliseconds: the serial
 *   runner passes over it (no other session exists to run meanwhile), a session runner parks the
 *   session for that long on the scheduler's clock.
 * - Side effects on the world that are not rows (probes, history) may happen anywhere in the
 *   body; effects that must not survive a rollback belong after the body (the request's
 *   `afterCommit`).
 *
 * ## Bodies
 *
 * A body is a generator function declared at module level, taking what it needs as parameters;
 * where a closure is wanted (a request's `work`, a `transaction` block) it is an arrow calling one:
 * `work: (tx) => heartbeat(tx, runner.token)`, `tx.transaction(() => reownBatch(tx, ids))`. A
 * generator function *expression* is a new function each time it is evaluated, and V8 gives each
 * one it calls its own initial map, in old space, pointing back at the function: everything the
 * function captures (the world, its database) then survives every scavenge until a full GC. With
 * one such body per request, every run's world was promoted, and garbage collection cost as much
 * as the invariants.
 */
import { assert } from '../engine/assert.js';
import type { ConstraintInfo, TableInfo } from '../database.js';
import type { DeleteOptions } from '../engine/deleteStatement.js';
import type { Expr } from '../engine/expression.js';
import type { InsertOptions } from '../engine/insertStatement.js';
import type { RowInput } from '../engine/rowBuilding.js';
import type { Statement, StatementResult } from '../engine/statements/registry.js';
import type { SelectOptions } from '../engine/statements/select.js';
import type { Assignments, UpdateOptions } from '../engine/updateStatement.js';
import type { Row } from '../engine/values.js';

/**
 * The application sleeping between statements (Ruby's `sleep`, as `with_lock_retries` does between
 * attempts), in virtual milliseconds: it holds nothing a statement would not, and only a runner that
 * keeps a clock gives it meaning (a session runner parks the session until the clock passes it).
 */
export interface Pause {
  readonly kind: 'pause';
  readonly milliseconds: number;
}

/** A coroutine of statements: it yields each statement (or a pause) and receives its result; its value is `T`. */
export type Work<T> = Generator<Statement | Pause, T, unknown>;

/** What a body may know about the catalog without a statement (shared by every session). */
export interface CatalogView {
  hasTable(name: string): boolean;
  describe(table: string): TableInfo;
  constraints(): readonly ConstraintInfo[];
  /** The world's logical clock, which `now()` defaults read. */
  readonly now: number;
}

export interface TransactionOptions {
  /** Rails' `requires_new: true`: inside an open transaction, a savepoint instead of joining it. */
  readonly requiresNew?: boolean;
}

/** Bound on the transaction blocks one body may nest. */
const MAX_DEPTH = 64;

/**
 * The transaction API a body runs against. One `Tx` per run of a body: it counts the blocks
 * open around the body, so `transaction` knows whether to BEGIN, join or SAVEPOINT.
 */
export class Tx {
  private savepoints = 0;

  /**
   * @param catalog the world's catalog and clock.
   * @param depth transaction blocks already open when the body starts (1 in the serial runner, 0 in a session).
   */
  constructor(
    readonly catalog: CatalogView,
    private depth: number,
  ) {
    assert(depth === 0 || depth === 1, 'a body starts in autocommit or inside one transaction');
  }

  get now(): number {
    return this.catalog.now;
  }

  /** True inside a transaction block (the runner's or the body's own). */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Sends one statement value; its result comes back as the value of `yield*`. */
  *execute<S extends Statement>(statement: S): Work<StatementResult<S>> {
    return (yield statement) as StatementResult<S>;
  }

  select(table: string, options: SelectOptions = {}): Work<Row[]> {
    return this.execute({ kind: 'select', table, options });
  }

  insert(table: string, rows: RowInput | readonly RowInput[], options: InsertOptions = {}): Work<Row[]> {
    const inputs = Array.isArray(rows) ? (rows as readonly RowInput[]) : [rows as RowInput];
    return this.execute({ kind: 'insert', table, rows: inputs, options });
  }

  update(table: string, set: Assignments, where: Expr | null = null, options: UpdateOptions = {}): Work<Row[]> {
    return this.execute({ kind: 'update', table, set, where, options });
  }

  delete(table: string, where: Expr | null = null, options: DeleteOptions = {}): Work<Row[]> {
    return this.execute({ kind: 'delete', table, where, options });
  }

  /** Sleeps `milliseconds` of virtual time between statements (see `Pause`). */
  *sleep(milliseconds: number): Work<void> {
    assert(Number.isSafeInteger(milliseconds) && milliseconds >= 0, 'a pause lasts whole milliseconds');
    yield { kind: 'pause', milliseconds };
  }

  nextval(sequence: string): Work<number> {
    return this.execute({ kind: 'nextval', sequence });
  }

  /**
   * ActiveRecord's `transaction do … end`: BEGIN … COMMIT in autocommit; inside an open
   * transaction, joins it, or with `requiresNew` runs in a savepoint. An error escaping `body`
   * rolls back what the block opened and is rethrown.
   */
  *transaction<T>(body: () => Work<T>, options: TransactionOptions = {}): Work<T> {
    if (this.depth > 0 && options.requiresNew !== true) return yield* body();
    assert(this.depth < MAX_DEPTH, 'transaction blocks nested past the bound');
    const savepoint = this.depth > 0 ? `active_record_${++this.savepoints}` : null;
    yield savepoint === null ? { kind: 'begin' } : { kind: 'savepoint', name: savepoint };
    this.depth++;
    let result: T;
    try {
      result = yield* body();
    } catch (error) {
      this.depth--;
      yield savepoint === null ? { kind: 'rollback' } : { kind: 'rollbackToSavepoint', name: savepoint };
      throw error;
    }
    this.depth--;
    if (savepoint !== null) {
      yield { kind: 'releaseSavepoint', name: savepoint };
      return result;
    }
    const ended = (yield { kind: 'commit' }) as StatementResult<{ kind: 'commit' }>;
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK; Rails would have raised before.
    assert(ended === 'COMMIT', 'a transaction block committed after an error the body caught');
    return result;
  }
}
