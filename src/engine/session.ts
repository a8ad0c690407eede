/**
 * One simulated session's engine state and the statement envelope: atomicity through the undo
 * journal, autocommit, transaction blocks, savepoints and nested statements from triggers.
 */
import { assert, fail, MAX_STATEMENT_DEPTH } from './assert.js';
import { QueryLevel } from './afterTriggerQueue.js';
import type { AfterEvent } from './afterTriggerQueue.js';
import type { Relation, Sequence } from './catalog.js';
import type { SubqueryRunner } from './expression.js';
import { PgError, SqlState } from './errors.js';
import { Journal } from './journal.js';
import type { SessionHandle } from './sessionHandle.js';

interface Savepoint {
  readonly name: string;
  readonly mark: number;
}

interface TransactionBlock {
  status: 'active' | 'aborted';
  readonly savepoints: Savepoint[];
}

export interface EngineOptions {
  /**
   * PostgreSQL major version whose behaviour to follow where versions differ. Up to 17,
   * a NOT VALID foreign key cannot be declared on a partitioned table; 18 accepts it.
   */
  readonly serverVersion: number;
}

/**
 * The state behind one simulated database session: catalog, storage, journal, transaction
 * block and the stack of AFTER-trigger query levels. Statement modules operate on it; the
 * public `Database` class is a thin, typed facade over it.
 */
export class EngineState {
  readonly relations = new Map<string, Relation>();
  readonly sequences = new Map<string, Sequence>();
  readonly journal = new Journal();
  readonly notices: string[] = [];
  /** Bumped by every catalog change (and its undo) so derived per-relation plans are rebuilt. */
  catalogVersion = 0;
  /**
   * Bumped by every row write and its undo, so readers can cache what they derived from the heaps
   * (`Database.rows`) until the data changes. Never reset; only compared for equality.
   */
  dataVersion = 0;
  /** Logical clock read by `now()` defaults; advanced only by the caller, never by wall time. */
  clock = 0;
  currentXid = 0;
  private nextXid = 1;
  private nextOid = 16384;
  private nextTid = 1;
  private nextSerial = 1;
  private transaction: TransactionBlock | null = null;
  private depth = 0;
  private readonly levels: QueryLevel[] = [];
  /** Names taken in the relation namespace, for the catalog version they were collected at (see ddl/naming.ts). */
  namespaceCache: { readonly version: number; readonly names: ReadonlySet<string> } | null = null;
  /** The sub-query runner scans hand to expressions; created once, on first use (see scan.ts). */
  subqueries: SubqueryRunner | null = null;
  /** Installed by the AFTER-trigger runtime; kept as a hook to avoid an import cycle. */
  fireAfterEvent: (event: AfterEvent) => void = () => {
    throw new Error('after-trigger runtime not installed');
  };

  constructor(
    /** What this session's trigger functions receive as `db`: the facade, seen through the engine's own interface. */
    readonly handle: SessionHandle,
    readonly options: EngineOptions,
  ) {}

  allocateOid(): number {
    return this.nextOid++;
  }

  allocateTid(): number {
    return this.nextTid++;
  }

  allocateSerial(): number {
    return this.nextSerial++;
  }

  get inTransactionBlock(): boolean {
    return this.transaction !== null;
  }

  get transactionStatus(): 'idle' | 'active' | 'aborted' {
    return this.transaction === null ? 'idle' : this.transaction.status;
  }

  get currentLevel(): QueryLevel {
    const level = this.levels[this.levels.length - 1];
    assert(level !== undefined, 'no statement is running');
    return level;
  }

  /** Records a catalog mutation with its undo, and invalidates derived plans both ways. */
  changeCatalog(apply: () => void, undo: () => void): void {
    apply();
    this.catalogVersion++;
    this.journal.record(() => {
      undo();
      this.catalogVersion++;
    });
  }

  /**
   * Runs one statement. At top level it is atomic (its journal suffix is undone on error) and,
   * outside a transaction block, commits on its own. From a trigger function it runs nested,
   * with a query level of its own, and an error undoes only what it did before propagating.
   */
  runStatement<T>(body: () => T): T {
    if (this.depth > 0) return this.runNested(body, true);
    if (this.transaction?.status === 'aborted') {
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
    const autocommit = this.transaction === null;
    if (autocommit) this.currentXid = this.nextXid++;
    const mark = this.journal.length;
    const level = new QueryLevel();
    this.levels.push(level);
    this.depth = 1;
    try {
      const result = body();
      level.drain(this.fireAfterEvent);
      if (autocommit) this.journal.clear();
      return result;
    } catch (error) {
      this.journal.rollbackTo(mark);
      if (this.transaction !== null) this.transaction.status = 'aborted';
      throw error;
    } finally {
      this.levels.pop();
      this.depth = 0;
      assert(this.levels.length === 0, 'query levels left behind by a statement');
    }
  }

  /** A statement run by a referential action: no query level of its own, as in PostgreSQL's RI code. */
  runReferentialAction<T>(body: () => T): T {
    assert(this.depth > 0, 'a referential action runs inside a statement');
    return this.runNested(body, false);
  }

  private runNested<T>(body: () => T, newLevel: boolean): T {
    if (this.depth >= MAX_STATEMENT_DEPTH)
      fail(`statements nested deeper than ${MAX_STATEMENT_DEPTH}: a trigger recursion`);
    const mark = this.journal.length;
    const level = newLevel ? new QueryLevel() : null;
    if (level) this.levels.push(level);
    this.depth++;
    try {
      const result = body();
      level?.drain(this.fireAfterEvent);
      return result;
    } catch (error) {
      this.journal.rollbackTo(mark);
      throw error;
    } finally {
      if (level) this.levels.pop();
      this.depth--;
    }
  }

  begin(): void {
    this.requireTopLevel('BEGIN');
    // An aborted block accepts only ROLLBACK, COMMIT and ROLLBACK TO; BEGIN is refused like any
    // other command, not merely warned about (found by the PGlite oracle).
    if (this.transaction?.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    if (this.transaction !== null) {
      this.notices.push('WARNING: there is already a transaction in progress');
      return;
    }
    this.transaction = { status: 'active', savepoints: [] };
    this.currentXid = this.nextXid++;
  }

  /** COMMIT; in an aborted transaction it rolls back, as PostgreSQL does, and says so. */
  commit(): 'COMMIT' | 'ROLLBACK' {
    this.requireTopLevel('COMMIT');
    if (this.transaction === null) {
      this.notices.push('WARNING: there is no transaction in progress');
      return 'COMMIT';
    }
    if (this.transaction.status === 'aborted') {
      this.rollback();
      return 'ROLLBACK';
    }
    this.journal.clear();
    this.transaction = null;
    return 'COMMIT';
  }

  rollback(): void {
    this.requireTopLevel('ROLLBACK');
    if (this.transaction === null) {
      this.notices.push('WARNING: there is no transaction in progress');
      return;
    }
    this.journal.rollbackTo(0);
    this.transaction = null;
  }

  savepoint(name: string): void {
    const block = this.requireBlock('SAVEPOINT');
    if (block.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    block.savepoints.push({ name, mark: this.journal.length });
  }

  rollbackToSavepoint(name: string): void {
    const block = this.requireBlock('ROLLBACK TO SAVEPOINT');
    const index = this.findSavepoint(block, name);
    this.journal.rollbackTo(block.savepoints[index]!.mark);
    block.savepoints.length = index + 1;
    block.status = 'active';
  }

  releaseSavepoint(name: string): void {
    const block = this.requireBlock('RELEASE SAVEPOINT');
    if (block.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    block.savepoints.length = this.findSavepoint(block, name);
  }

  private findSavepoint(block: TransactionBlock, name: string): number {
    for (let index = block.savepoints.length - 1; index >= 0; index--)
      if (block.savepoints[index]!.name === name) return index;
    // Like any error inside a transaction block, this one aborts the block (found by the PGlite oracle).
    block.status = 'aborted';
    throw new PgError(SqlState.invalidSavepoint, `savepoint "${name}" does not exist`);
  }

  private requireBlock(command: string): TransactionBlock {
    this.requireTopLevel(command);
    if (this.transaction === null)
      throw new PgError(SqlState.noActiveTransaction, `${command} can only be used in transaction blocks`);
    return this.transaction;
  }

  private requireTopLevel(command: string): void {
    if (this.depth > 0)
      throw new PgError(SqlState.featureNotSupported, `${command} cannot be run from a trigger function`);
  }
}
