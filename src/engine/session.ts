/**
 * One session's engine state and the statement envelope: atomicity through the undo journal,
 * autocommit, transaction blocks, savepoints, nested statements from triggers, and, while several
 * sessions are open, the snapshot each statement reads with. The database the sessions share
 * (catalog, heaps, sequences, clock, running transactions) is `DatabaseState`, reached as `shared`.
 */
import { assert, fail, MAX_STATEMENT_DEPTH } from './assert.js';
import { QueryLevel } from './afterTriggerQueue.js';
import type { AfterEvent } from './afterTriggerQueue.js';
import type { Relation, Sequence } from './catalog.js';
import type { DatabaseState, SessionView } from './databaseState.js';
import type { SubqueryRunner } from './expression.js';
import { PgError, SqlState } from './errors.js';
import { DeferredConstraints } from './deferredConstraints.js';
import type { DeferredMark } from './deferredConstraints.js';
import { Journal } from './journal.js';
import { undoRowChange } from './undoRecord.js';
import { undoCatalogEdit } from './catalogUndo.js';
import type { CatalogUndo } from './catalogUndo.js';
import type { SessionHandle } from './sessionHandle.js';
import { takeSnapshot } from './sessions/snapshot.js';
import type { Snapshot } from './sessions/snapshot.js';
import { replayable, runNestedResumable, runToEnd } from './sessions/suspension.js';
import type { ReplayLog, Resumable } from './sessions/suspension.js';
import type { Statement } from './statements/registry.js';
import { releaseKeyClaims } from './storage.js';

interface Savepoint {
  readonly name: string;
  readonly mark: number;
  readonly deferred: DeferredMark;
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

export type IsolationLevel = 'read committed' | 'repeatable read';

/** The AFTER-trigger runtime (triggerRuntime.ts), which this module cannot import (a cycle). */
export interface AfterTriggerRuntime {
  fire(state: EngineState, event: AfterEvent, deferredNow?: boolean): void;
  fireResumable(state: EngineState, event: AfterEvent): Resumable<void>;
}

let installedRuntime: AfterTriggerRuntime | null = null;

/** Called once by triggerRuntime.ts as it loads. */
export function installAfterTriggerRuntime(runtime: AfterTriggerRuntime): void {
  installedRuntime = runtime;
}

function afterTriggerRuntime(): AfterTriggerRuntime {
  assert(installedRuntime !== null, 'after-trigger runtime not installed');
  return installedRuntime;
}

/**
 * The state behind one simulated database session: its journal, transaction block, the stack of
 * AFTER-trigger query levels and its snapshot, over the shared database. Statement modules operate
 * on it; the public `Database` class and `Session` are thin, typed facades over it.
 */
export class EngineState implements SessionView {
  /**
   * Containers only this state points at (made here, changed only through it; `notices` is handed
   * to callers to read, never kept in the database): a copy makes an empty one afresh (graphCopy.ts).
   */
  static readonly ownedContainers: readonly string[] = ['notices', 'replays', 'levels'];
  readonly journal = new Journal();
  /** The transaction's deferred RI events and SET CONSTRAINTS modes. */
  readonly deferred = new DeferredConstraints();
  readonly notices: string[] = [];
  currentXid = 0;
  /** The snapshot statements read with while versioning is on (null otherwise and between statements). */
  snapshot: Snapshot | null = null;
  /** REPEATABLE READ: the transaction's snapshot, taken by its first statement. */
  private transactionSnapshot: Snapshot | null = null;
  /** `BEGIN ISOLATION LEVEL …` of the open block, else the session default. */
  isolation: IsolationLevel = 'read committed';
  defaultIsolation: IsolationLevel = 'read committed';
  /** `SET lock_timeout` and `SET deadlock_timeout`, in virtual milliseconds (0: no lock timeout). */
  lockTimeoutMs = 0;
  deadlockTimeoutMs = 1000;
  /** The settings SET LOCAL replaced, restored at transaction end. */
  private localSettings: { readonly lockTimeoutMs: number; readonly deadlockTimeoutMs: number } | null = null;
  /** Replay logs of the resumable segments running now, innermost last (sessions/suspension.ts). */
  readonly replays: ReplayLog[] = [];
  private transaction: TransactionBlock | null = null;
  /** Set when the session is closed (`Database.closeSessions`): it runs no statement again. */
  private closed = false;
  /** True from the moment the session's transaction gets its xid until it commits or aborts. */
  private xidRunning = false;
  private depth = 0;
  private readonly levels: QueryLevel[] = [];
  /**
   * The SET list of the UPDATE being executed (an UPDATE, ON CONFLICT DO UPDATE, or a referential
   * action's UPDATE), which decides whether `UPDATE OF col` triggers fire; null outside one.
   */
  updatedColumns: readonly string[] | null = null;
  /** The sub-query runner scans hand to expressions; created once, on first use (see scan.ts). */
  subqueries: SubqueryRunner | null = null;
  /**
   * Fires one AFTER event through the AFTER-trigger runtime (`installAfterTriggerRuntime`). `deferredNow`
   * is set when a deferred event is fired (at COMMIT or SET CONSTRAINTS … IMMEDIATE), so it is not
   * deferred again. Defined with the state rather than assigned after it is built: V8 keeps a
   * function stored into an existing object's field reachable from old space until a full GC, and
   * with it this state and its whole database, so every world would be promoted. A copy of a state
   * (`Database.forkWithSessions`) is given hooks of its own.
   */
  fireAfterEvent: (event: AfterEvent, deferredNow?: boolean) => void = (event, deferredNow) =>
    afterTriggerRuntime().fire(this, event, deferredNow);
  /** The same, resumable: each action runs as a replayable segment (sessions/suspension.ts). */
  fireAfterEventResumable: (event: AfterEvent) => Resumable<void> = (event) =>
    afterTriggerRuntime().fireResumable(this, event);

  constructor(
    /** What this session's trigger functions receive as `db`: the facade, seen through the engine's own interface. */
    readonly handle: SessionHandle,
    readonly shared: DatabaseState,
  ) {
    shared.sessions.push(this);
  }

  // The shared database, under the names statement modules have always used.
  get relations(): Map<string, Relation> {
    return this.shared.relations;
  }

  get sequences(): Map<string, Sequence> {
    return this.shared.sequences;
  }

  get options(): EngineOptions {
    return this.shared.options;
  }

  get catalogVersion(): number {
    return this.shared.catalogVersion;
  }

  set catalogVersion(version: number) {
    this.shared.catalogVersion = version;
    this.shared.catalogChanged();
  }

  /**
   * Bumped by every row write and its undo, so readers can cache what they derived from the heaps
   * (`Database.rows`) until the data changes. Never reset; only compared for equality.
   */
  get dataVersion(): number {
    return this.shared.dataVersion;
  }

  set dataVersion(version: number) {
    this.shared.dataVersion = version;
  }

  get clock(): number {
    return this.shared.clock;
  }

  set clock(clock: number) {
    this.shared.clock = clock;
  }

  allocateOid(): number {
    return this.shared.allocateOid();
  }

  allocateTid(): number {
    return this.shared.allocateTid();
  }

  allocateSerial(): number {
    return this.shared.allocateSerial();
  }

  /** Versioning on: reads go through `snapshot` and writes keep the versions they supersede. */
  get versioning(): boolean {
    return this.shared.versioning;
  }

  /** The snapshot pruning must respect: the running statement's, or the REPEATABLE READ transaction's. */
  get activeSnapshot(): Snapshot | null {
    return this.snapshot ?? this.transactionSnapshot;
  }

  /** A statement's snapshot (semantics 1): fresh under READ COMMITTED, the transaction's under REPEATABLE READ. */
  statementSnapshot(): Snapshot {
    if (this.transaction !== null && this.isolation === 'repeatable read') {
      this.transactionSnapshot ??= takeSnapshot(this.shared.running, this.shared.xidHorizon);
      return this.transactionSnapshot;
    }
    return takeSnapshot(this.shared.running, this.shared.xidHorizon);
  }

  /**
   * The snapshot a top-level statement runs with. One that takes none (LOCK TABLE, SET, SET
   * CONSTRAINTS, transaction control: PostgreSQL's PlannedStmtRequiresSnapshot) must not freeze a
   * REPEATABLE READ transaction's snapshot: a later statement takes it, and sees what committed
   * between the two (checked on the server: LOCK TABLE first, then an UPDATE meets a row committed
   * after the LOCK TABLE). Until then it reads through one taken now.
   */
  private snapshotFor(statement: Statement): Snapshot {
    if (takesSnapshot(statement) || !this.inRepeatableRead) return this.statementSnapshot();
    return this.transactionSnapshot ?? this.freshSnapshot();
  }

  /** A snapshot taken now, whatever the isolation (RI checks, EvalPlanQual's newest committed version). */
  freshSnapshot(): Snapshot {
    return takeSnapshot(this.shared.running, this.shared.xidHorizon);
  }

  get openXid(): number | null {
    return this.transaction === null ? null : this.currentXid;
  }

  get inRepeatableRead(): boolean {
    return this.transaction !== null && this.isolation === 'repeatable read';
  }

  /** Ends the current transaction in the shared table (its effects are committed or undone by now). */
  private startTransaction(): void {
    this.currentXid = this.shared.allocateXid();
    this.xidRunning = true;
    this.shared.transactionStarted(this, this.currentXid);
  }

  /**
   * An error inside a transaction block aborts it. PostgreSQL aborts the transaction at once,
   * releasing its locks, and only waits for ROLLBACK to leave the block; with several sessions open
   * that is observable (a deadlock victim's rows are free at once), so the engine does the same.
   * Inside a savepoint only the subtransaction's work is undone at once (its row locks included).
   * With one session nothing can observe the difference, and the undo waits for ROLLBACK.
   */
  private abortBlock(): void {
    const block = this.transaction!;
    block.status = 'aborted';
    if (!this.shared.versioning) return;
    const savepoint = block.savepoints[block.savepoints.length - 1];
    this.rollbackJournalTo(savepoint?.mark ?? 0);
    if (savepoint === undefined) this.endTransaction();
    else this.shared.observer?.subtransactionRolledBack(this, block.savepoints.length);
  }

  /** The subtransaction locks are taken in: 0 at top level, n inside the n-th open savepoint. */
  get subtransactionLevel(): number {
    return this.transaction?.savepoints.length ?? 0;
  }

  private endTransaction(): void {
    if (!this.xidRunning) return;
    this.xidRunning = false;
    if (this.localSettings !== null) {
      this.lockTimeoutMs = this.localSettings.lockTimeoutMs;
      this.deadlockTimeoutMs = this.localSettings.deadlockTimeoutMs;
      this.localSettings = null;
    }
    this.snapshot = null;
    this.transactionSnapshot = null;
    this.isolation = this.defaultIsolation;
    this.shared.endTransaction(this, this.currentXid);
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

  /**
   * Undoes the journal back to `mark`: row changes and catalog edits by their records (a catalog
   * edit's undo invalidates derived plans as the edit did), settings here, and the rare DDL steps
   * that recorded a closure by running it.
   */
  rollbackJournalTo(mark: number): void {
    this.journal.rollbackTo(mark, (record) => {
      if (record.undo === 'catalog') {
        undoCatalogEdit(record);
        this.catalogVersion++;
        return;
      }
      if (record.undo !== 'settings') return undoRowChange(this, record);
      this.lockTimeoutMs = record.lockTimeoutMs;
      this.deadlockTimeoutMs = record.deadlockTimeoutMs;
      if (record.firstLocal) this.localSettings = null;
    });
  }

  /**
   * Records a catalog mutation with its undo, and invalidates derived plans both ways. The undo is
   * a data record (catalogUndo.ts), so a transaction that changed the catalog can still be copied.
   */
  changeCatalog(apply: () => void, undo: CatalogUndo): void {
    apply();
    this.catalogVersion++;
    this.journal.record(undo);
  }

  /**
   * Runs one statement. At top level it is atomic (its journal suffix is undone on error) and,
   * outside a transaction block, commits on its own. From a trigger function it runs nested,
   * with a query level of its own, and an error undoes only what it did before propagating.
   */
  runStatement<T>(body: () => T): T {
    if (this.depth > 0) return this.runNested(body, true);
    const { autocommit, mark, level } = this.statementStarted();
    if (this.shared.versioning) this.snapshot = this.statementSnapshot();
    try {
      const result = body();
      level.drain(this.fireAfterEvent);
      // The statement's own transaction commits here, so what it deferred is checked now.
      if (autocommit) {
        this.fireDeferred(true);
        this.journal.clear();
      }
      return result;
    } catch (error) {
      this.statementFailed(mark, autocommit);
      throw error;
    } finally {
      this.statementEnded(autocommit);
    }
  }

  /** Closes the session, idle outside any transaction; see `Database.closeSessions`. */
  close(): void {
    assert(this.transaction === null && this.depth === 0, 'a session closed inside a transaction');
    this.closed = true;
  }

  /**
   * A top-level statement starts: refused in an aborted block, otherwise in its own transaction
   * when no block is open, with its journal mark and a query level of its own.
   */
  private statementStarted(): { autocommit: boolean; mark: number; level: QueryLevel } {
    assert(!this.closed, 'a closed session ran a statement');
    if (this.transaction?.status === 'aborted') {
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
    const autocommit = this.transaction === null;
    if (autocommit) this.startTransaction();
    const mark = this.journal.length;
    const level = new QueryLevel();
    this.levels.push(level);
    this.depth = 1;
    return { autocommit, mark, level };
  }

  /** A top-level statement failed: its changes are undone and an open transaction block is aborted. */
  private statementFailed(mark: number, autocommit: boolean): void {
    this.rollbackJournalTo(mark);
    if (autocommit) this.deferred.reset();
    if (this.transaction !== null) this.abortBlock();
  }

  /** A top-level statement ended either way: its query level and snapshot go, an autocommit transaction ends. */
  private statementEnded(autocommit: boolean): void {
    releaseKeyClaims(this);
    this.levels.pop();
    this.depth = 0;
    this.snapshot = null;
    if (autocommit) this.endTransaction();
    assert(this.levels.length === 0, 'query levels left behind by a statement');
  }

  /**
   * The resumable twin of `runStatement`, for a statement that may wait (several sessions open):
   * the same envelope, with the body and the AFTER-trigger queue run as generators, so a wait
   * suspends the statement with its snapshot, journal suffix and query level in place.
   */
  *runStatementResumable<T>(body: () => Resumable<T>, statement: Statement): Resumable<T> {
    assert(this.depth === 0, 'a resumable top-level statement started inside another');
    const { autocommit, mark, level } = this.statementStarted();
    try {
      // REPEATABLE READ: the transaction's snapshot is frozen by its first statement that takes one,
      // before that statement's table locks (exec_simple_query takes it before parse analysis locks
      // the tables; PortalRunUtility before ProcessUtility), so a wait for them does not refresh it.
      if (this.shared.versioning && this.inRepeatableRead && takesSnapshot(statement)) this.statementSnapshot();
      // Table locks first (a wait here has done nothing yet), then the snapshot (semantics 1, 6).
      yield* this.takeTableLocks(statement);
      if (this.shared.versioning) this.snapshot = this.snapshotFor(statement);
      const result = yield* body();
      yield* level.drainResumable(this.fireAfterEventResumable);
      if (autocommit) {
        yield* this.fireDeferredResumable(true);
        this.journal.clear();
      }
      return result;
    } catch (error) {
      this.statementFailed(mark, autocommit);
      throw error;
    } finally {
      this.statementEnded(autocommit);
      assert(this.replays.length === 0, 'replay logs left behind by a statement');
    }
  }

  /**
   * A nested statement (from a trigger function with `newLevel`, or an RI action without) that may
   * wait: with one session it runs at once; with several it goes through the enclosing segment's
   * replay log (sessions/suspension.ts), where `identity` (the statement value, or what identifies an
   * RI action) tells a replayed statement from another. `latest` reads through a snapshot taken now
   * also under REPEATABLE READ (an RI action's query, which PostgreSQL runs with detectNewRows).
   */
  nested<T>(
    identity: unknown,
    body: () => Resumable<T>,
    newLevel: boolean,
    statement: Statement | null = null,
    latest = false,
  ): T {
    assert(this.depth > 0, 'a nested statement runs inside a statement');
    if (!this.shared.versioning) return this.runNested(() => runToEnd(body()), newLevel);
    return runNestedResumable(this, identity, () => this.runNestedResumable(body, newLevel, statement, latest));
  }

  /**
   * `nested` with one session open, for a body that makes no generator: nothing can wait, so there is
   * no replay log to go through (docs/statements.md, "One session runs without generators").
   */
  nestedNow<T>(body: () => T, newLevel: boolean): T {
    assert(this.depth > 0, 'a nested statement runs inside a statement');
    assert(!this.shared.versioning, 'a nested statement runs without a generator only with one session open');
    return this.runNested(body, newLevel);
  }

  /** A statement's table locks, each yielded for the scheduler to grant (none without a scheduler). */
  private *takeTableLocks(statement: Statement | null): Resumable<void> {
    const locks = this.shared.tableLocks;
    const lockNow = this.shared.lockNow;
    if (locks === null || lockNow === null || statement === null) return;
    // A lock granted at once costs no yield, so a trigger's statement is not replayed for it.
    for (const wait of locks(statement)) if (!lockNow(this, wait)) yield wait;
  }

  private *runNestedResumable<T>(
    body: () => Resumable<T>,
    newLevel: boolean,
    statement: Statement | null,
    latest: boolean,
  ): Resumable<T> {
    if (this.depth >= MAX_STATEMENT_DEPTH)
      fail(`statements nested deeper than ${MAX_STATEMENT_DEPTH}: a trigger recursion`);
    const mark = this.journal.length;
    const level = newLevel ? new QueryLevel() : null;
    if (level) this.levels.push(level);
    this.depth++;
    const outerSnapshot = this.snapshot;
    try {
      yield* this.takeTableLocks(statement);
      this.snapshot = latest ? this.freshSnapshot() : this.statementSnapshot();
      const result = yield* body();
      if (level) yield* level.drainResumable(this.fireAfterEventResumable);
      return result;
    } catch (error) {
      this.rollbackJournalTo(mark);
      throw error;
    } finally {
      if (level) assert(this.levels.pop() === level, 'query levels unbalanced');
      this.depth--;
      this.snapshot = outerSnapshot;
    }
  }

  /**
   * Fires the deferred events whose constraint is now immediate (all of them at COMMIT), in the
   * order they were deferred, inside the running statement or COMMIT.
   */
  fireDeferred(everything: boolean): void {
    if (this.deferred.pending === 0) return;
    for (const event of this.deferred.takeImmediate(everything)) this.fireAfterEvent(event, true);
  }

  /**
   * `fireDeferred` for a statement that may wait (several sessions open): each deferred event is a
   * replayable segment, so a check that meets another transaction's row lock (KEY SHARE on a parent
   * row being deleted or updated, say) waits there and goes on, as at PostgreSQL's COMMIT.
   */
  *fireDeferredResumable(everything: boolean): Resumable<void> {
    if (this.deferred.pending === 0) return;
    for (const event of this.deferred.takeImmediate(everything))
      yield* replayable(this, () => this.fireAfterEvent(event, true));
  }

  get atTopLevel(): boolean {
    return this.depth === 0;
  }

  private runNested<T>(body: () => T, newLevel: boolean): T {
    if (this.depth >= MAX_STATEMENT_DEPTH)
      fail(`statements nested deeper than ${MAX_STATEMENT_DEPTH}: a trigger recursion`);
    const mark = this.journal.length;
    const level = newLevel ? new QueryLevel() : null;
    if (level) this.levels.push(level);
    this.depth++;
    // READ COMMITTED: every statement a trigger runs, and every RI query, takes a snapshot of its own.
    const outerSnapshot = this.snapshot;
    if (this.shared.versioning) this.snapshot = this.statementSnapshot();
    try {
      const result = body();
      level?.drain(this.fireAfterEvent);
      return result;
    } catch (error) {
      this.rollbackJournalTo(mark);
      throw error;
    } finally {
      if (level) this.levels.pop();
      this.depth--;
      this.snapshot = outerSnapshot;
    }
  }

  /** SET [LOCAL] lock_timeout / deadlock_timeout; a LOCAL value is restored when the transaction ends. */
  setTimeout(name: 'lock_timeout' | 'deadlock_timeout', milliseconds: number, local: boolean): void {
    if (this.transaction?.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    if (local && this.transaction === null) {
      this.notices.push('WARNING: SET LOCAL can only be used in transaction blocks');
      return;
    }
    // Inside a transaction block a SET is transactional, as PostgreSQL's GUCs are: an abort (of the
    // transaction, or ROLLBACK TO a savepoint before it) restores the value it replaced.
    if (this.transaction !== null) {
      const before = { lockTimeoutMs: this.lockTimeoutMs, deadlockTimeoutMs: this.deadlockTimeoutMs };
      const firstLocal = local && this.localSettings === null;
      this.journal.record({ undo: 'settings', ...before, firstLocal });
    }
    if (local) this.localSettings ??= { lockTimeoutMs: this.lockTimeoutMs, deadlockTimeoutMs: this.deadlockTimeoutMs };
    if (name === 'lock_timeout') this.lockTimeoutMs = milliseconds;
    else this.deadlockTimeoutMs = Math.max(1, milliseconds);
  }

  begin(isolation?: IsolationLevel): void {
    assert(!this.closed, 'a closed session ran a statement');
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
    this.isolation = isolation ?? this.defaultIsolation;
    this.startTransaction();
    this.deferred.reset();
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
    // Deferred checks run as part of COMMIT; one failing rolls the whole transaction back.
    if (this.deferred.pending > 0) {
      runToEnd(
        this.commitDeferred((level) => {
          this.fireDeferred(true);
          level.drain(this.fireAfterEvent);
        }),
      );
    }
    return this.finishCommit();
  }

  /**
   * COMMIT for a session under a scheduler: its deferred checks may wait for other transactions'
   * row locks, so they run as replayable segments (`fireDeferredResumable`).
   */
  *commitResumable(): Resumable<'COMMIT' | 'ROLLBACK'> {
    if (this.transaction === null || this.transaction.status === 'aborted' || this.deferred.pending === 0)
      return this.commit();
    this.requireTopLevel('COMMIT');
    yield* this.commitDeferred(function* (this: EngineState, level: QueryLevel) {
      yield* this.fireDeferredResumable(true);
      yield* level.drainResumable(this.fireAfterEventResumable);
    });
    return this.finishCommit();
  }

  /** Runs COMMIT's deferred checks in a query level of their own; a failure rolls the transaction back. */
  private *commitDeferred(checks: (this: EngineState, level: QueryLevel) => Resumable<void> | void): Resumable<void> {
    const level = new QueryLevel();
    this.levels.push(level);
    this.depth = 1;
    try {
      const running = checks.call(this, level);
      if (running !== undefined) yield* running;
    } catch (error) {
      this.rollbackJournalTo(0);
      this.transaction = null;
      this.endTransaction();
      this.deferred.reset();
      throw error;
    } finally {
      this.levels.pop();
      this.depth = 0;
    }
  }

  private finishCommit(): 'COMMIT' {
    this.journal.clear();
    this.transaction = null;
    this.endTransaction();
    this.deferred.reset();
    return 'COMMIT';
  }

  rollback(): void {
    this.requireTopLevel('ROLLBACK');
    if (this.transaction === null) {
      this.notices.push('WARNING: there is no transaction in progress');
      return;
    }
    this.rollbackJournalTo(0);
    this.transaction = null;
    this.endTransaction();
    this.deferred.reset();
  }

  savepoint(name: string): void {
    const block = this.requireBlock('SAVEPOINT');
    if (block.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    block.savepoints.push({ name, mark: this.journal.length, deferred: this.deferred.mark() });
  }

  rollbackToSavepoint(name: string): void {
    const block = this.requireBlock('ROLLBACK TO SAVEPOINT');
    const index = this.findSavepoint(block, name);
    this.rollbackJournalTo(block.savepoints[index]!.mark);
    this.deferred.restore(block.savepoints[index]!.deferred);
    block.savepoints.length = index + 1;
    block.status = 'active';
    if (this.shared.versioning) this.shared.observer?.subtransactionRolledBack(this, index + 1);
  }

  releaseSavepoint(name: string): void {
    const block = this.requireBlock('RELEASE SAVEPOINT');
    if (block.status === 'aborted')
      throw new PgError(
        SqlState.inFailedTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    const index = this.findSavepoint(block, name);
    block.savepoints.length = index;
    if (this.shared.versioning) this.shared.observer?.subtransactionReleased(this, index + 1, index);
  }

  private findSavepoint(block: TransactionBlock, name: string): number {
    for (let index = block.savepoints.length - 1; index >= 0; index--)
      if (block.savepoints[index]!.name === name) return index;
    // Like any error inside a transaction block, this one aborts the block (found by the PGlite oracle),
    // releasing its locks at once while sessions run concurrently (found by the real-server diff).
    this.abortBlock();
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

/**
 * Whether a statement sets a snapshot (pquery.c's PlannedStmtRequiresSnapshot): every one but
 * transaction control, LOCK TABLE and SET (and SET CONSTRAINTS), which must be able to run at the
 * start of a REPEATABLE READ transaction without freezing its snapshot.
 */
function takesSnapshot(statement: Statement): boolean {
  switch (statement.kind) {
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'rollbackToSavepoint':
    case 'releaseSavepoint':
    case 'lockTable':
    case 'set':
    case 'setConstraints':
      return false;
    default:
      return true;
  }
}
