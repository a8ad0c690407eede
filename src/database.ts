/**
 * An in-memory PostgreSQL database: tables, LIST partitions, keys, CHECK and foreign-key
 * constraints (valid or NOT VALID), triggers written in TypeScript, sequences and transactions,
 * with PostgreSQL's SQLSTATEs and messages. This is the public facade over the engine: every
 * statement is a plain-data value (`src/engine/statements/`), run by `execute`; the typed methods
 * are conveniences that build the value. Introspection reads the catalog and heaps directly.
 */
import { assert, fail } from './engine/assert.js';
import type { Constraint, Relation } from './engine/catalog.js';
import { describeConstraint, describeTable, stillDescribes } from './engine/catalogDescription.js';
import type { ConstraintInfo, TableInfo } from './engine/catalogDescription.js';
import { findConstraint } from './engine/ddl/constraintDdl.js';
import { truncateIdentifier } from './engine/identifier.js';
import type { SequenceOptions } from './engine/ddl/sequenceDdl.js';
import { sequenceOfDefault } from './engine/ddl/sequenceDdl.js';
import type {
  ColumnDefaultSpec,
  ColumnSpec,
  ConstraintSpec,
  IndexSpec,
  PartitionBoundSpec,
  TableSpec,
  TriggerSpec,
} from './engine/ddl/specs.js';
import type { DeleteOptions } from './engine/deleteStatement.js';
import type { Expr } from './engine/expression.js';
import type { InsertOptions } from './engine/insertStatement.js';
import type { RowInput } from './engine/rowBuilding.js';
import { planFor } from './engine/relationPlan.js';
import { lookupRelation } from './engine/scan.js';
import { RepeatedClones, cloneSessionStates } from './engine/databaseClone.js';
import { DatabaseState } from './engine/databaseState.js';
import { EngineState } from './engine/session.js';
import type { EngineOptions } from './engine/session.js';
import { Session } from './session.js';
import type { SessionHandle } from './engine/sessionHandle.js';
import type { AddColumnOptions } from './engine/statements/addColumn.js';
import type { DropColumnOptions } from './engine/statements/dropColumn.js';
import type { DropConstraintOptions } from './engine/statements/dropConstraint.js';
import type { DropIndexOptions } from './engine/statements/dropIndex.js';
import type { DropTableOptions } from './engine/statements/dropTable.js';
import type { TruncateOptions } from './engine/ddl/truncateTable.js';
import type { DropTriggerOptions } from './engine/statements/dropTrigger.js';
import { executeStatement } from './engine/statements/execute.js';
import type { Statement, StatementResult } from './engine/statements/registry.js';
import type { SelectOptions } from './engine/statements/select.js';
import { liveTuples } from './engine/storage.js';
import { visibleTuples } from './engine/sessions/snapshot.js';
import { fireAfterEvent, fireAfterEventResumable } from './engine/triggerRuntime.js';
import type { Assignments, UpdateOptions } from './engine/updateStatement.js';
import type { Row } from './engine/values.js';
import { isPgError } from './engine/errors.js';
import type { StatementListener, StatementOutcome } from './statementEvent.js';

export type { ConstraintInfo, TableInfo } from './engine/catalogDescription.js';
export type { SelectOptions } from './engine/statements/select.js';

/** Every leaf table's rows, in storage order; rows are frozen and shared, so taking one is cheap. */
export type DatabaseSnapshot = ReadonlyMap<string, readonly Row[]>;

/** A table's rows as `rows()` last read them, valid for its catalog version while no leaf has a newer write stamp. */
interface CachedRows {
  /** The catalog version at which `leaves` was last found to be what the table's name designates. */
  catalogVersion: number;
  readonly leaves: readonly Relation[];
  readonly stamp: number;
  readonly rows: readonly Row[];
  /**
   * The database's data version when the entry was last found valid: while it is still the
   * current one, nothing at all was written since, and the rows are handed back without looking
   * at the leaves' stamps.
   */
  checkedAt: number;
}

/**
 * What decides which committed row versions a snapshot taken now shows this session: the first xid
 * not yet assigned, the transactions running, and the session's own open transaction (0 when none).
 * While these, the catalog and the leaves' write stamps are as they were, `committedRows` reads the
 * same versions again (commits and aborts change the running set; pruning drops only versions no
 * snapshot, present or future, can see).
 */
interface Visibility {
  readonly horizon: number;
  readonly own: number;
  readonly running: readonly number[];
}

function sameVisibility(visibility: Visibility, horizon: number, own: number, running: ReadonlySet<number>): boolean {
  if (visibility.horizon !== horizon || visibility.own !== own || visibility.running.length !== running.size)
    return false;
  for (const xid of visibility.running) if (!running.has(xid)) return false;
  return true;
}

/** A table's committed rows as `committedRows` last read them, valid while `Visibility` and the leaves hold. */
interface CachedCommittedRows {
  readonly catalogVersion: number;
  readonly leaves: readonly Relation[];
  readonly stamp: number;
  readonly visibility: Visibility;
  readonly rows: readonly Row[];
}

function sameLeaves(left: readonly Relation[], right: readonly Relation[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Whether two lists hold the same constraint descriptions (the same objects) in the same order. */
function sameDescriptions(left: readonly ConstraintInfo[], right: readonly ConstraintInfo[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Whether `relation.leaves()` would list exactly `leaves`, in order, found without listing them. */
function leavesAre(relation: Relation, leaves: readonly Relation[]): boolean {
  return matchLeaves(relation, leaves, 0) === leaves.length;
}

/** The index in `leaves` after `relation`'s leaves when they come next there from `from`, else -1. */
function matchLeaves(relation: Relation, leaves: readonly Relation[], from: number): number {
  if (!relation.isPartitioned) return leaves[from] === relation ? from + 1 : -1;
  let next = from;
  for (const partition of relation.partitions) {
    next = matchLeaves(partition, leaves, next);
    if (next < 0) return -1;
  }
  return next;
}

function newestWrite(leaves: readonly Relation[]): number {
  let newest = 0;
  for (const leaf of leaves) if (leaf.writeStamp > newest) newest = leaf.writeStamp;
  return newest;
}

/**
 * Whether `rows()` and `constraints()` may hand back what they read before while nothing it
 * depends on changed. Always on but in tests that hold those caches (and the write stamps they
 * rest on) to fresh reads: test/properties/incrementalChecks.test.ts runs its reference scenarios
 * with it off.
 */
let readCaches = true;

export function setReadCaches(on: boolean): void {
  readCaches = on;
}

function outcomeOf(result: unknown): StatementOutcome {
  return { status: 'ok', rows: Array.isArray(result) ? (result as Row[]) : null };
}

function failureOf(error: unknown): StatementOutcome {
  if (isPgError(error))
    return { status: 'error', code: error.code, constraint: error.constraint ?? null, message: error.message };
  return { status: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Every method that changes or reads data is one statement: atomic, and outside
 * `begin()`/`commit()` committed on its own. Trigger functions receive this same object, as a
 * `SessionHandle`, to run further statements inside the statement that fired them.
 */
export class Database implements SessionHandle {
  private readonly state: EngineState;
  private constraintCache: {
    readonly version: number;
    readonly constraints: readonly ConstraintInfo[];
  } | null = null;
  /**
   * The description last handed out for each constraint, kept across catalog versions: most catalog
   * changes leave most constraints as they were, and their descriptions are handed out again (same
   * objects, checked by `stillDescribes`), so readers may keep what they derived from one by its identity.
   */
  private described = new WeakMap<Constraint, ConstraintInfo>();
  /** The relations in name order as `constraints()` last listed them (see `relationsByName`). */
  private sortedRelations: readonly Relation[] = [];
  /** Per constraint kind, what `constraintsOfKind` last handed out and the catalog version it stands for. */
  private readonly kindCache = new Map<
    ConstraintInfo['kind'],
    { readonly version: number; readonly constraints: readonly ConstraintInfo[] }
  >();
  /** What `catalogStamp()` and `contentStamp()` last handed out, with the versions they stand for. */
  private catalogToken: { readonly version: number; readonly token: object } | null = null;
  /** Handed out itself as the content stamp: a new record is a new stamp, one allocation per change. */
  private contentToken: {
    readonly catalogVersion: number;
    readonly dataVersion: number;
    readonly visibility: Visibility | null;
  } | null = null;
  private readonly describeCache = new Map<string, { readonly version: number; readonly info: TableInfo }>();
  private readonly rowsCache = new Map<string, CachedRows>();
  private readonly committedRowsCache = new Map<Relation, CachedCommittedRows>();
  /** How `fork` copies the state: by a compiled copy while this database stays as it is (databaseClone.ts). */
  private readonly clones = new RepeatedClones();
  /** The visibility `contentStamp` and `committedRows` last saw, reused while it holds (`sameVisibility`). */
  private lastVisibility: Visibility | null = null;
  /**
   * Called after every top-level statement with its value and outcome (the oracle renders
   * these as SQL). Statements run by trigger functions are not reported: PostgreSQL runs them
   * itself, inside the rendered trigger function. When null, statements pay one comparison.
   */
  onStatement: StatementListener | null;
  /** True while an observed top-level statement runs, so statements nested in triggers stay silent. */
  private observing = false;

  /** `shared` is for `fork` only: the state the new database's session runs over. */
  constructor(
    options: Partial<EngineOptions> & { readonly onStatement?: StatementListener } = {},
    shared: DatabaseState = new DatabaseState({ serverVersion: options.serverVersion ?? 18 }),
  ) {
    this.state = new EngineState(this, shared);
    this.onStatement = options.onStatement ?? null;
  }

  /**
   * Opens another session on this database, with its own transaction (docs/concurrency.md). From
   * the first one on, every statement reads through a snapshot and writes keep the row versions
   * other sessions may still see; this `Database` stays a session of its own.
   */
  openSession(): Session {
    this.state.shared.beginVersioning();
    return new Session(this.state.shared);
  }

  /**
   * Closes sessions opened on this database when each is idle outside any transaction (else it
   * leaves them open and returns false): none may run a statement again. Once this database is the
   * only session left (and nothing versioned remains), it runs its statements as a single session
   * does again, without snapshots or kept versions (`DatabaseState.closeSessions`). Returns whether
   * the sessions were closed.
   */
  closeSessions(sessions: readonly Session[]): boolean {
    for (const session of sessions) {
      assert(session.state.shared === this.state.shared, 'only sessions of this database are closed by it');
      if (session.transactionStatus !== 'idle') return false;
    }
    for (const session of sessions) session.state.close();
    this.state.shared.closeSessions(sessions.map((session) => session.state));
    return true;
  }

  /**
   * An independent copy of this database as it stands: its catalog, rows, sequences, clock and the
   * counters that name objects, tuples and transactions, so the copy behaves exactly as this database
   * would from here on. Its session starts idle with default settings and no `onStatement`. Copying
   * costs a fraction of building the schema again, so a program run many times over one schema builds
   * it once and forks it per run. Only a database with no other session open and no transaction in
   * progress can be forked.
   */
  fork(): Database {
    assert(this.state.atTopLevel, 'a database cannot be forked from inside a statement');
    // Plans are copied with the catalog: bring them up to date once here rather than in every fork.
    for (const relation of this.state.relations.values()) planFor(this.state, relation);
    const forked = new Database({}, this.clones.clone(this.state.shared));
    if (readCaches) forked.adoptDescriptions(this);
    return forked;
  }

  /**
   * Takes over the catalog descriptions of the database this one was just forked from: the copy's
   * catalog is the original's at the same catalog version, and descriptions are plain frozen data,
   * so a world starting from a fork does not describe every table and constraint again.
   */
  private adoptDescriptions(original: Database): void {
    const version = this.state.catalogVersion;
    assert(version === original.state.catalogVersion, 'a fork starts at its original catalog version');
    for (const [table, cached] of original.describeCache)
      if (cached.version === version) this.describeCache.set(table, cached);
    const constraints = original.constraints();
    for (const [name, relation] of original.state.relations) {
      const copy = this.state.relations.get(name);
      const own = relation.constraints;
      if (copy === undefined || copy.constraints.length !== own.length) fail(`fork lost ${name}`);
      for (let index = 0; index < own.length; index++)
        this.described.set(copy.constraints[index]!, original.described.get(own[index]!)!);
    }
    this.sortedRelations = original.sortedRelations.map((relation) => this.state.relations.get(relation.name)!);
    this.constraintCache = { version, constraints: Object.freeze([...constraints]) };
  }

  /**
   * An independent copy of this database and the sessions opened on it, as they stand between two
   * statements: open transactions with their journals, snapshots and settings, row versions and row
   * locks, running transactions and counters (docs/concurrency.md, "Exploring a program's schedules
   * as a tree"). The copies of `sessions` come back in their order. Null when a session's open
   * transaction's journal holds a closure (rows rewritten in place by ADD, DROP or RENAME COLUMN):
   * that undo runs over this database's objects and cannot be copied. No scheduler comes along; one over the copy is `Scheduler.fork`.
   */
  forkWithSessions(
    sessions: readonly Session[],
  ): { readonly database: Database; readonly sessions: readonly Session[] } | null {
    assert(this.state.atTopLevel, 'a database cannot be forked from inside a statement');
    for (const relation of this.state.relations.values()) planFor(this.state, relation);
    // The catalog descriptions are derived data the copy describes again if asked (a schedule's
    // run never asks): copying them would cost more objects than the catalog they describe.
    const fresh = new Map<object, unknown>([[this.describeCache, new Map()]]);
    if (this.constraintCache !== null) fresh.set(this.constraintCache, null);
    fresh.set(this.described, new WeakMap());
    fresh.set(this.sortedRelations, []);
    fresh.set(this.kindCache, new Map());
    // The row caches too are derived data, checked against the versions on every read: a copy
    // starting with none reads its rows afresh the first time it is asked (a leaf's contents).
    fresh.set(this.rowsCache, new Map());
    fresh.set(this.committedRowsCache, new Map());
    fresh.set(this.clones, new RepeatedClones());
    const copy = cloneSessionStates(
      this.state.shared,
      (state) => {
        state.fireAfterEvent = (event, deferredNow) => fireAfterEvent(state, event, deferredNow);
        state.fireAfterEventResumable = (event) => fireAfterEventResumable(state, event);
      },
      fresh,
    );
    if (copy === null) return null;
    const database = copy.copyOf<Database>(this);
    database.onStatement = null;
    return {
      database,
      sessions: sessions.map((session) => {
        assert(session.state.shared === this.state.shared, 'only sessions of this database are forked with it');
        return copy.copyOf(session);
      }),
    };
  }

  /**
   * Runs one statement: the single path every statement takes, typed methods included. A
   * top-level statement is reported to `onStatement` with its outcome.
   */
  execute<S extends Statement>(statement: S): StatementResult<S> {
    if (this.onStatement === null || this.observing) return executeStatement(this.state, statement);
    return this.observe(this.onStatement, statement);
  }

  private observe<S extends Statement>(listener: StatementListener, statement: S): StatementResult<S> {
    this.observing = true;
    let result: StatementResult<S>;
    try {
      result = executeStatement(this.state, statement);
    } catch (error) {
      this.observing = false;
      listener({ statement, outcome: failureOf(error), clock: this.state.clock, database: this });
      throw error;
    }
    this.observing = false;
    listener({ statement, outcome: outcomeOf(result), clock: this.state.clock, database: this });
    return result;
  }

  // --- clock, notices and transactions ------------------------------------------------------

  /** The logical time `now()` defaults read; model code advances it, never the wall clock. */
  get now(): number {
    return this.state.clock;
  }

  advanceClock(by: number): void {
    assert(Number.isSafeInteger(by) && by >= 0, 'the clock only moves forward by whole units');
    this.state.clock += by;
  }

  /** WARNINGs and NOTICEs raised so far (e.g. `there is already a transaction in progress`). */
  get notices(): readonly string[] {
    return this.state.notices;
  }

  /**
   * PL/pgSQL's `RAISE WARNING` / `RAISE NOTICE` from a trigger function: the message reaches the
   * client at once and, like PostgreSQL's notices, is not taken back by a rollback.
   */
  raise(level: 'WARNING' | 'NOTICE', message: string): void {
    this.state.notices.push(`${level}: ${message}`);
  }

  get transactionStatus(): 'idle' | 'active' | 'aborted' {
    return this.state.transactionStatus;
  }

  begin(): void {
    this.execute({ kind: 'begin' });
  }

  commit(): 'COMMIT' | 'ROLLBACK' {
    return this.execute({ kind: 'commit' });
  }

  rollback(): void {
    this.execute({ kind: 'rollback' });
  }

  savepoint(name: string): void {
    this.execute({ kind: 'savepoint', name });
  }

  rollbackToSavepoint(name: string): void {
    this.execute({ kind: 'rollbackToSavepoint', name });
  }

  releaseSavepoint(name: string): void {
    this.execute({ kind: 'releaseSavepoint', name });
  }

  /** BEGIN, run `body`, COMMIT; on any error ROLLBACK and rethrow. */
  transaction<T>(body: (db: Database) => T): T {
    this.begin();
    try {
      const result = body(this);
      if (this.commit() === 'ROLLBACK') throw new Error('transaction was aborted by an error that the body caught');
      return result;
    } catch (error) {
      if (this.state.inTransactionBlock) this.rollback();
      throw error;
    }
  }

  // --- data --------------------------------------------------------------------------------

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

  setval(sequence: string, value: number): void {
    this.execute({ kind: 'setval', sequence, value });
  }

  // --- schema ------------------------------------------------------------------------------

  createTable(spec: TableSpec): void {
    this.execute({ kind: 'createTable', spec });
  }

  dropTable(name: string, options: DropTableOptions = {}): void {
    this.execute({ kind: 'dropTable', name, options });
  }

  /** TRUNCATE t1, t2 [CASCADE]: refused while another table's foreign key references one of them. */
  truncate(tables: string | readonly string[], options: TruncateOptions = {}): void {
    this.execute({ kind: 'truncate', tables: typeof tables === 'string' ? [tables] : [...tables], options });
  }

  renameTable(name: string, newName: string): void {
    this.execute({ kind: 'renameTable', name, newName });
  }

  addColumn(table: string, column: ColumnSpec, options: AddColumnOptions = {}): void {
    this.execute({ kind: 'addColumn', table, column, options });
  }

  dropColumn(table: string, column: string, options: DropColumnOptions = {}): void {
    this.execute({ kind: 'dropColumn', table, column, options });
  }

  setColumnDefault(table: string, column: string, value: ColumnDefaultSpec | undefined): void {
    this.execute({ kind: 'setColumnDefault', table, column, value });
  }

  setColumnNotNull(table: string, column: string, notNull: boolean): void {
    this.execute({ kind: 'setColumnNotNull', table, column, notNull });
  }

  /** ALTER TABLE … ADD CONSTRAINT; `notValid` skips the scan of existing rows. */
  addConstraint(table: string, constraint: ConstraintSpec): ConstraintInfo {
    return this.execute({ kind: 'addConstraint', table, constraint });
  }

  validateConstraint(table: string, name: string): void {
    this.execute({ kind: 'validateConstraint', table, name });
  }

  dropConstraint(table: string, name: string, options: DropConstraintOptions = {}): void {
    this.execute({ kind: 'dropConstraint', table, name, options });
  }

  renameConstraint(table: string, name: string, newName: string): void {
    this.execute({ kind: 'renameConstraint', table, name, newName });
  }

  createIndex(spec: IndexSpec): string {
    return this.execute({ kind: 'createIndex', spec });
  }

  dropIndex(name: string, options: DropIndexOptions = {}): void {
    this.execute({ kind: 'dropIndex', name, options });
  }

  renameIndex(name: string, newName: string): void {
    this.execute({ kind: 'renameIndex', name, newName });
  }

  attachPartition(parent: string, partition: string, values: PartitionBoundSpec): void {
    this.execute({ kind: 'attachPartition', parent, partition, values });
  }

  detachPartition(parent: string, partition: string): void {
    this.execute({ kind: 'detachPartition', parent, partition });
  }

  createTrigger(spec: TriggerSpec): void {
    this.execute({ kind: 'createTrigger', spec });
  }

  dropTrigger(table: string, name: string, options: DropTriggerOptions = {}): void {
    this.execute({ kind: 'dropTrigger', table, name, options });
  }

  enableTrigger(table: string, name: string): void {
    this.execute({ kind: 'enableTrigger', table, name });
  }

  disableTrigger(table: string, name: string): void {
    this.execute({ kind: 'disableTrigger', table, name });
  }

  createSequence(name: string, options: SequenceOptions = {}): void {
    this.execute({ kind: 'createSequence', name, options });
  }

  dropSequence(name: string): void {
    this.execute({ kind: 'dropSequence', name });
  }

  renameSequence(name: string, newName: string): void {
    this.execute({ kind: 'renameSequence', name, newName });
  }

  /** ALTER SEQUENCE … OWNED BY table.column, or OWNED BY NONE with `null`. */
  setSequenceOwner(sequence: string, owner: { table: string; column: string } | null): void {
    this.execute({ kind: 'setSequenceOwner', sequence, owner });
  }

  // --- introspection (never a statement: it reads the catalog and heaps directly) ----------

  hasTable(name: string): boolean {
    return this.state.relations.has(truncateIdentifier(name));
  }

  tableNames(): string[] {
    return [...this.state.relations.keys()].sort();
  }

  sequenceNames(): string[] {
    return [...this.state.sequences.keys()].sort();
  }

  sequenceInfo(
    name: string,
  ): { readonly name: string; readonly nextValue: number; readonly ownedBy: string | null } | undefined {
    const sequence = this.state.sequences.get(name);
    return sequence === undefined
      ? undefined
      : {
          name: sequence.name,
          nextValue: sequence.nextValue,
          ownedBy: sequence.ownedBy ? `${sequence.ownedBy.relation.name}.${sequence.ownedBy.column}` : null,
        };
  }

  /** The default of a column as SQL-ish text (`nextval('s')`, a literal, `now()`), or null. */
  columnDefault(table: string, column: string): string | null {
    const definition = lookupRelation(this.state, table).column(column);
    assert(definition !== undefined, `no column ${table}.${column}`);
    const value = definition.default;
    if (value === null) return null;
    return value.kind === 'nextval'
      ? `nextval('${sequenceOfDefault(this.state, value.sequenceId).name}')`
      : value.kind === 'now'
        ? 'now()'
        : String(value.value);
  }

  /**
   * A table's catalog entry as plain data. Cached per catalog version, because model code asks
   * for column and partition lists on hot paths (every backfill batch, every request).
   */
  describe(table: string): TableInfo {
    const cached = this.describeCache.get(table);
    if (cached !== undefined && cached.version === this.state.catalogVersion) return cached.info;
    const info = Object.freeze(
      describeTable(lookupRelation(this.state, table), (constraint, relation) =>
        this.describeConstraintOnce(constraint, relation),
      ),
    );
    this.describeCache.set(table, { version: this.state.catalogVersion, info });
    return info;
  }

  /**
   * A constraint's description as last handed out while it still describes the constraint, else a
   * new one (kept for `constraints()`): `describe` runs after most catalog changes (every table it is asked
   * for is described again), and most of the table's constraints are as they were.
   */
  private describeConstraintOnce(constraint: Constraint, relation: Relation): ConstraintInfo {
    if (!readCaches) return describeConstraint(constraint, relation);
    const earlier = this.described.get(constraint);
    if (earlier !== undefined && stillDescribes(earlier, constraint, relation)) return earlier;
    const info = describeConstraint(constraint, relation);
    this.described.set(constraint, info);
    return info;
  }

  /** Whether `table` has a trigger called `name`: `describe(table)` without describing the rest of it. */
  hasTrigger(table: string, name: string): boolean {
    return lookupRelation(this.state, table).triggers.some((trigger) => trigger.name === name);
  }

  /** Whether `table` is partitioned: `describe(table).partitionKey !== null` without describing the rest of it. */
  isPartitioned(table: string): boolean {
    return lookupRelation(this.state, table).partitionKey !== null;
  }

  /** Whether `table` has a constraint called `name`, as `describe(table).constraints` would list it. */
  hasConstraint(table: string, name: string): boolean {
    return lookupRelation(this.state, table).constraints.some((constraint) => constraint.name === name);
  }

  /**
   * Every constraint of every relation, described once per catalog version: invariants call
   * this after every step, and the catalog changes far less often than the data.
   */
  constraints(): readonly ConstraintInfo[] {
    if (!readCaches || this.constraintCache === null || this.constraintCache.version !== this.state.catalogVersion) {
      if (!readCaches) this.described = new WeakMap();
      const all: ConstraintInfo[] = [];
      for (const relation of this.relationsByName()) {
        for (const constraint of relation.constraints) {
          const earlier = this.described.get(constraint);
          if (earlier !== undefined && stillDescribes(earlier, constraint, relation)) {
            all.push(earlier);
            continue;
          }
          const info = describeConstraint(constraint, relation);
          this.described.set(constraint, info);
          all.push(info);
        }
      }
      // A new array per catalog version, even when every description was reused: readers key
      // catalog-derived answers on it (triggers and partitions change without a constraint changing).
      this.constraintCache = { version: this.state.catalogVersion, constraints: Object.freeze(all) };
    }
    return this.constraintCache.constraints;
  }

  /**
   * The constraints of one kind, in `constraints()` order and described by the very objects it
   * hands out (`described`), found once per catalog version: the invariants that read only foreign
   * keys or only CHECKs look at a few of them, while most of the catalog's constraints are NOT NULL
   * ones, which describing the whole catalog after every catalog change would visit. When the new
   * version's list holds the same descriptions in the same order (a catalog change elsewhere), the
   * last list comes back, so readers may key what they derive on its identity. A fresh list every
   * time while the read caches are off.
   */
  constraintsOfKind(kind: ConstraintInfo['kind']): readonly ConstraintInfo[] {
    const version = this.state.catalogVersion;
    const cached = readCaches ? this.kindCache.get(kind) : undefined;
    if (cached !== undefined && cached.version === version) return cached.constraints;
    const found: ConstraintInfo[] = [];
    const described = this.constraintCache;
    if (readCaches && described !== null && described.version === version) {
      // `constraints()` listed this version already: its very descriptions. A fork starts with its
      // original's list (`adoptDescriptions`), whose descriptions need not still pass `stillDescribes`
      // against the fork's copies of the catalog objects, so describing afresh could give others.
      for (const constraint of described.constraints) if (constraint.kind === kind) found.push(constraint);
    } else {
      for (const relation of this.relationsByName())
        for (const constraint of relation.constraints)
          if (constraint.kind === kind) found.push(this.describeConstraintOnce(constraint, relation));
    }
    const constraints =
      cached !== undefined && sameDescriptions(cached.constraints, found) ? cached.constraints : Object.freeze(found);
    if (readCaches) this.kindCache.set(kind, { version, constraints });
    return constraints;
  }

  /**
   * Every relation in name order. Tables are created, dropped and renamed far less often than the
   * catalog changes, so the last order is kept while it still holds: as many relations, each still
   * in the catalog under its name (names are unique, so these are all of them), names ascending.
   */
  private relationsByName(): readonly Relation[] {
    const relations = this.state.relations;
    const last = this.sortedRelations;
    let holds = readCaches && last.length === relations.size;
    for (let index = 0; holds && index < last.length; index++) {
      const relation = last[index]!;
      holds = relations.get(relation.name) === relation && (index === 0 || last[index - 1]!.name < relation.name);
    }
    if (!holds)
      this.sortedRelations = [...relations.values()].sort((left, right) =>
        left.name < right.name ? -1 : left.name > right.name ? 1 : 0,
      );
    return this.sortedRelations;
  }

  /**
   * An object standing for the catalog as it is: the same one until the next catalog change (DDL
   * or its undo), so readers may key what they derive from the catalog on it. A new one every time
   * while the read caches are off.
   */
  catalogStamp(): object {
    const version = this.state.catalogVersion;
    if (!readCaches || this.catalogToken === null || this.catalogToken.version !== version)
      this.catalogToken = { version, token: Object.freeze({}) };
    return this.catalogToken.token;
  }

  /**
   * An object standing for everything `rows`, `describe` and `constraints` can read: the same one
   * until the next row write, catalog change or undo, and, while other sessions' transactions run,
   * until a transaction begins or ends (a commit changes what `rows` reads without writing a row),
   * so a check that reads only those and passed with this stamp would pass again. A new one every
   * time while the read caches are off.
   */
  contentStamp(): object {
    const { catalogVersion, dataVersion } = this.state;
    const visibility = this.visibility();
    const token = this.contentToken;
    if (
      !readCaches ||
      token === null ||
      token.catalogVersion !== catalogVersion ||
      token.dataVersion !== dataVersion ||
      token.visibility !== visibility
    )
      this.contentToken = { catalogVersion, dataVersion, visibility };
    return this.contentToken!;
  }

  /**
   * What a snapshot taken now would see as committed (`Visibility`), or null while no other
   * session has a transaction open (then `rows` reads the heaps as they are). The same object
   * while it holds, so callers compare it by identity.
   */
  private visibility(): Visibility | null {
    if (!this.otherTransactionsRunning()) return null;
    const shared = this.state.shared;
    const horizon = shared.xidHorizon;
    const own = this.state.openXid ?? 0;
    const last = this.lastVisibility;
    if (last !== null && sameVisibility(last, horizon, own, shared.running)) return last;
    this.lastVisibility = { horizon, own, running: [...shared.running] };
    return this.lastVisibility;
  }

  /**
   * The constraints PostgreSQL adds on the referencing table for each partition of a partitioned
   * table a foreign key references (pg_constraint rows with that partition as confrelid): their
   * names are observable in errors and in the catalog, so the oracle compares them too.
   */
  referencedSideConstraints(): readonly {
    readonly table: string;
    readonly name: string;
    readonly valid: boolean;
    readonly deferrable: boolean;
    readonly initiallyDeferred: boolean;
  }[] {
    const found: { table: string; name: string; valid: boolean; deferrable: boolean; initiallyDeferred: boolean }[] =
      [];
    for (const relation of this.state.relations.values()) {
      for (const constraint of relation.constraints) {
        if (constraint.kind !== 'foreignKey') continue;
        for (const name of constraint.referencedPartitionNames.values())
          found.push({
            table: relation.name,
            name,
            valid: constraint.valid,
            deferrable: constraint.deferrable,
            initiallyDeferred: constraint.initiallyDeferred,
          });
      }
    }
    return found;
  }

  constraint(table: string, name: string): ConstraintInfo {
    const relation = lookupRelation(this.state, table);
    return describeConstraint(findConstraint(relation, name), relation);
  }

  /**
   * Every row of a table (and its partitions), read straight from the heaps without any index,
   * so invariants checked through it are independent of the engine's own enforcement.
   */
  rows(table: string): readonly Row[] {
    const visibility = this.visibility();
    if (visibility !== null) return this.committedRows(lookupRelation(this.state, table), visibility);
    if (!readCaches) {
      const rows: Row[] = [];
      for (const leaf of lookupRelation(this.state, table).leaves())
        for (const tuple of liveTuples(leaf)) rows.push(tuple.row);
      return Object.freeze(rows);
    }
    const cached = this.rowsCache.get(table);
    const { catalogVersion, dataVersion } = this.state;
    if (cached !== undefined && cached.catalogVersion === catalogVersion) {
      if (cached.checkedAt === dataVersion) return cached.rows;
      if (newestWrite(cached.leaves) === cached.stamp) {
        cached.checkedAt = dataVersion;
        return cached.rows;
      }
    }
    let leaves: readonly Relation[];
    if (cached !== undefined && cached.catalogVersion === catalogVersion) leaves = cached.leaves;
    else {
      const relation = lookupRelation(this.state, table);
      // DDL elsewhere nearly always leaves the name designating the same leaves: those are kept
      // rather than listed again.
      leaves = cached !== undefined && leavesAre(relation, cached.leaves) ? cached.leaves : relation.leaves();
    }
    // DDL elsewhere leaves this table's rows as they were when the name still designates the same
    // leaves, none written since: the same array comes back.
    if (cached !== undefined && sameLeaves(cached.leaves, leaves) && newestWrite(leaves) === cached.stamp) {
      // Updated in place: a copy of the entry (an object spread) cost more than the rest of the read.
      cached.catalogVersion = catalogVersion;
      cached.checkedAt = dataVersion;
      return cached.rows;
    }
    const rows: Row[] = [];
    for (const leaf of leaves) for (const tuple of liveTuples(leaf)) rows.push(tuple.row);
    // Frozen and cached until one of the table's leaves is written: invariants read the same
    // tables many times per step, and most steps write only a few tables. The same array comes
    // back while the table is unchanged, so readers may key what they derive on its identity.
    const frozen = Object.freeze(rows);
    const stamp = newestWrite(leaves);
    this.rowsCache.set(table, { catalogVersion, leaves, stamp, rows: frozen, checkedAt: dataVersion });
    return frozen;
  }

  snapshot(): DatabaseSnapshot {
    const snapshot = new Map<string, readonly Row[]>();
    const visibility = this.visibility();
    for (const relation of this.state.relations.values()) {
      if (relation.heap !== null)
        snapshot.set(
          relation.name,
          visibility !== null
            ? this.committedRows(relation, visibility)
            : [...liveTuples(relation)].map((tuple) => tuple.row),
        );
    }
    return snapshot;
  }

  /**
   * True while sessions other than this one have transactions open (docs/concurrency.md): the
   * heaps then hold their uncommitted versions, which `rows` and `snapshot` must not show.
   */
  private otherTransactionsRunning(): boolean {
    const shared = this.state.shared;
    if (!shared.versioning || shared.running.size === 0) return false;
    const own = this.state.openXid;
    return shared.running.size > (own !== null && shared.running.has(own) ? 1 : 0);
  }

  /**
   * The rows of a table (and its partitions) as a snapshot taken now sees them, plus this
   * session's own uncommitted changes: what the world looks like to someone reading between two
   * statements of concurrent sessions. Cached per relation while `visibility` (a commit or a new
   * transaction makes a new one), the catalog and the leaves' write stamps hold: invariants read
   * the same tables many times between two statements, and the same frozen array then comes back.
   */
  private committedRows(relation: Relation, visibility: Visibility): readonly Row[] {
    const catalogVersion = this.state.catalogVersion;
    const cached = readCaches ? this.committedRowsCache.get(relation) : undefined;
    if (
      cached !== undefined &&
      cached.visibility === visibility &&
      cached.catalogVersion === catalogVersion &&
      newestWrite(cached.leaves) === cached.stamp
    )
      return cached.rows;
    const snapshot = this.state.freshSnapshot();
    const own = this.state.openXid ?? 0;
    const leaves = relation.leaves();
    const rows: Row[] = [];
    for (const leaf of leaves) for (const tuple of visibleTuples(leaf, snapshot, own)) rows.push(tuple.row);
    const frozen = Object.freeze(rows);
    if (readCaches)
      this.committedRowsCache.set(relation, {
        catalogVersion,
        leaves,
        stamp: newestWrite(leaves),
        visibility,
        rows: frozen,
      });
    return frozen;
  }
}
