import { assert } from './engine/assert.js';
import type { Constraint, Relation, TriggerDefinition } from './engine/catalog.js';
import { addConstraint, dropConstraint, findConstraint, renameConstraint, validateConstraint } from './engine/ddl/constraintDdl.js';
import { createIndex, dropIndex, renameIndex } from './engine/ddl/indexDdl.js';
import { attachPartition, detachPartitionByName } from './engine/ddl/partitionDdl.js';
import { createSequence, dropSequence, lookupSequence, renameSequence, setSequenceOwner } from './engine/ddl/sequenceDdl.js';
import type { SequenceOptions } from './engine/ddl/sequenceDdl.js';
import type { ColumnDefaultSpec, ColumnSpec, ConstraintSpec, IndexSpec, PartitionBoundSpec, TableSpec, TriggerSpec } from './engine/ddl/specs.js';
import { addColumn, createTable, dropColumn, dropTable, renameTable, setColumnDefault, setColumnNotNull } from './engine/ddl/tableDdl.js';
import { createTrigger, dropTrigger, setTriggerEnabled } from './engine/ddl/triggerDdl.js';
import { executeDelete } from './engine/deleteStatement.js';
import type { DeleteOptions } from './engine/deleteStatement.js';
import { renderExpr } from './engine/expression.js';
import type { Expr, OrderTerm } from './engine/expression.js';
import { executeInsert } from './engine/insertStatement.js';
import type { InsertOptions } from './engine/insertStatement.js';
import { nextSequenceValue } from './engine/rowBuilding.js';
import type { RowInput } from './engine/rowBuilding.js';
import { lookupRelation, scanTuples, sortRows } from './engine/scan.js';
import { EngineState } from './engine/session.js';
import type { EngineOptions } from './engine/session.js';
import { liveTuples } from './engine/storage.js';
import { fireAfterEvent } from './engine/triggerRuntime.js';
import { executeUpdate } from './engine/updateStatement.js';
import type { Assignments, UpdateOptions } from './engine/updateStatement.js';
import type { Row, SqlValue } from './engine/values.js';
import { isPgError } from './engine/errors.js';
import type { StatementCall, StatementListener, StatementOutcome } from './oracle/statementEvent.js';

export interface SelectOptions {
  readonly where?: Expr;
  readonly orderBy?: readonly OrderTerm[];
  readonly limit?: number;
  readonly only?: boolean;
}

/** Plain-data view of a constraint, for reports and invariants. */
export interface ConstraintInfo {
  readonly name: string;
  readonly kind: Constraint['kind'];
  readonly table: string;
  readonly valid: boolean;
  readonly columns: readonly string[];
  readonly referencedTable: string | null;
  readonly referencedColumns: readonly string[];
  readonly onDelete: string | null;
  readonly onUpdate: string | null;
  /** The constraint's expression for CHECKs, as SQL. */
  readonly checkSql: string | null;
  /** The CHECK expression itself, so invariants can evaluate it over rows independently. */
  readonly checkExpr: Expr | null;
  /** The partitioned table whose constraint this one was cloned from, if any. */
  readonly inheritedFrom: string | null;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly notNull: boolean }[];
  readonly partitionKey: string | null;
  readonly parent: string | null;
  readonly partitionValues: readonly SqlValue[] | 'default' | null;
  readonly partitions: readonly string[];
  readonly constraints: readonly ConstraintInfo[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[]; readonly unique: boolean; readonly where: string | null }[];
  readonly triggers: readonly { readonly name: string; readonly level: 'row' | 'statement'; readonly timing: string; readonly events: readonly string[]; readonly enabled: boolean; readonly inherited: boolean }[];
}

/** Every leaf table's rows, in storage order; rows are frozen and shared, so taking one is cheap. */
export type DatabaseSnapshot = ReadonlyMap<string, readonly Row[]>;

const NO_COLUMNS: readonly string[] = Object.freeze([]);

/**
 * Describes a constraint as plain data. Invariants read these after every catalog change, so the
 * object is built in one shape without spreads, and a CHECK's SQL text is rendered only if read.
 */
function describeConstraint(constraint: Constraint): ConstraintInfo {
  const isForeignKey = constraint.kind === 'foreignKey';
  const isCheck = constraint.kind === 'check';
  const expr = isCheck ? constraint.expr : null;
  let sql: string | null | undefined;
  return {
    name: constraint.name,
    kind: constraint.kind,
    table: constraint.relation.name,
    inheritedFrom: constraint.parent?.relation.name ?? null,
    valid: constraint.kind === 'foreignKey' || constraint.kind === 'check' ? constraint.valid : true,
    columns: isCheck ? NO_COLUMNS : constraint.columns,
    referencedTable: isForeignKey ? constraint.referencedRelation.name : null,
    referencedColumns: isForeignKey ? constraint.referencedColumns : NO_COLUMNS,
    onDelete: isForeignKey ? constraint.onDelete : null,
    onUpdate: isForeignKey ? constraint.onUpdate : null,
    get checkSql(): string | null {
      if (sql === undefined) sql = expr === null ? null : renderExpr(expr);
      return sql;
    },
    checkExpr: expr,
  };
}

/**
 * Set by `withStatementListener` while a world builds its database, so a database created
 * inside a constructor is observed from its very first statement (the schema it creates).
 */
let ambientListener: StatementListener | null = null;

/** Runs `body`; every `Database` it constructs starts with `listener` as its `onStatement`. */
export function withStatementListener<T>(listener: StatementListener, body: () => T): T {
  const previous = ambientListener;
  ambientListener = listener;
  try {
    return body();
  } finally {
    ambientListener = previous;
  }
}

function outcomeOf(result: unknown): StatementOutcome {
  return { status: 'ok', rows: Array.isArray(result) ? (result as Row[]) : null };
}

function failureOf(error: unknown): StatementOutcome {
  if (isPgError(error)) return { status: 'error', code: error.code, constraint: error.constraint ?? null, message: error.message };
  return { status: 'internal', message: error instanceof Error ? error.message : String(error) };
}

function describeTrigger(trigger: TriggerDefinition) {
  return { name: trigger.name, level: trigger.level, timing: trigger.timing, events: [...trigger.events], enabled: trigger.enabled, inherited: trigger.parent !== null };
}

/**
 * An in-memory PostgreSQL database: tables, LIST partitions, keys, CHECK and foreign-key
 * constraints (valid or NOT VALID), triggers written in TypeScript, sequences and transactions,
 * with PostgreSQL's SQLSTATEs and messages. Every method is one statement: atomic, and outside
 * `begin()`/`commit()` committed on its own. Trigger functions receive this same object to run
 * further statements inside the statement that fired them.
 */
export class Database {
  private readonly state: EngineState;
  private constraintCache: { readonly version: number; readonly constraints: readonly ConstraintInfo[] } | null = null;
  private readonly describeCache = new Map<string, { readonly version: number; readonly info: TableInfo }>();
  private readonly rowsCache = new Map<string, { readonly dataVersion: number; readonly catalogVersion: number; readonly rows: readonly Row[] }>();
  /**
   * Called after every top-level statement with its arguments and outcome (the oracle renders
   * these as SQL). Statements run by trigger functions are not reported: PostgreSQL runs them
   * itself, inside the rendered trigger function. When null, statements pay one comparison.
   */
  onStatement: StatementListener | null;
  /** True while an observed top-level statement runs, so statements nested in triggers stay silent. */
  private observing = false;

  constructor(options: Partial<EngineOptions> & { readonly onStatement?: StatementListener } = {}) {
    this.state = new EngineState(this, { serverVersion: options.serverVersion ?? 18 });
    this.state.fireAfterEvent = (event) => fireAfterEvent(this.state, event);
    this.onStatement = options.onStatement ?? ambientListener;
  }

  /** Runs a statement and reports it to `onStatement` when it is a top-level one. */
  private observe<T>(call: StatementCall, body: () => T): T {
    const listener = this.onStatement;
    if (listener === null || this.observing) return body();
    this.observing = true;
    let outcome: StatementOutcome;
    try {
      const result = body();
      outcome = outcomeOf(result);
      this.observing = false;
      listener({ call, outcome, clock: this.state.clock, database: this });
      return result;
    } catch (error) {
      if (!this.observing) throw error;
      this.observing = false;
      listener({ call, outcome: failureOf(error), clock: this.state.clock, database: this });
      throw error;
    }
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
    this.onStatement === null ? this.state.begin() : this.observe({ kind: 'begin' }, () => this.state.begin());
  }

  commit(): 'COMMIT' | 'ROLLBACK' {
    return this.onStatement === null ? this.state.commit() : this.observe({ kind: 'commit' }, () => this.state.commit());
  }

  rollback(): void {
    this.onStatement === null ? this.state.rollback() : this.observe({ kind: 'rollback' }, () => this.state.rollback());
  }

  savepoint(name: string): void {
    this.onStatement === null ? this.state.savepoint(name) : this.observe({ kind: 'savepoint', name }, () => this.state.savepoint(name));
  }

  rollbackToSavepoint(name: string): void {
    this.onStatement === null ? this.state.rollbackToSavepoint(name) : this.observe({ kind: 'rollbackToSavepoint', name }, () => this.state.rollbackToSavepoint(name));
  }

  releaseSavepoint(name: string): void {
    this.onStatement === null ? this.state.releaseSavepoint(name) : this.observe({ kind: 'releaseSavepoint', name }, () => this.state.releaseSavepoint(name));
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
    const body = () => executeInsert(this.state, lookupRelation(this.state, table), inputs, options);
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'insert', table, rows: inputs, options }, () => this.state.runStatement(body));
  }

  update(table: string, set: Assignments, where: Expr | null = null, options: UpdateOptions = {}): Row[] {
    const body = () => executeUpdate(this.state, lookupRelation(this.state, table), set, where, options);
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'update', table, set, where, options }, () => this.state.runStatement(body));
  }

  delete(table: string, where: Expr | null = null, options: DeleteOptions = {}): Row[] {
    const body = () => executeDelete(this.state, lookupRelation(this.state, table), where, options);
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'delete', table, where, options }, () => this.state.runStatement(body));
  }

  select(table: string, options: SelectOptions = {}): Row[] {
    const body = () => {
      const relation = lookupRelation(this.state, table);
      const rows = scanTuples(this.state, relation, options.where ?? null, { only: options.only ?? false }).map((scanned) => scanned.tuple.row);
      sortRows(rows, options.orderBy ?? []);
      return options.limit === undefined ? rows : rows.slice(0, options.limit);
    };
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'select', table, options }, () => this.state.runStatement(body));
  }

  nextval(sequence: string): number {
    const body = () => nextSequenceValue(lookupSequence(this.state, sequence));
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'nextval', sequence }, () => this.state.runStatement(body));
  }

  setval(sequence: string, value: number): void {
    const body = () => {
      lookupSequence(this.state, sequence).nextValue = value + 1;
    };
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'setval', sequence, value }, () => this.state.runStatement(body));
  }

  // --- schema ------------------------------------------------------------------------------

  createTable(spec: TableSpec): void {
    const body = () => createTable(this.state, spec);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'createTable', spec }, () => this.state.runStatement(body));
  }

  dropTable(name: string, options: { cascade?: boolean; ifExists?: boolean } = {}): void {
    const body = () => dropTable(this.state, name, options);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropTable', name, options }, () => this.state.runStatement(body));
  }

  renameTable(name: string, newName: string): void {
    const body = () => renameTable(this.state, name, newName);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'renameTable', name, newName }, () => this.state.runStatement(body));
  }

  addColumn(table: string, column: ColumnSpec, options: { ifNotExists?: boolean } = {}): void {
    const body = () => addColumn(this.state, table, column, options);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'addColumn', table, column, options }, () => this.state.runStatement(body));
  }

  dropColumn(table: string, column: string, options: { ifExists?: boolean; cascade?: boolean } = {}): void {
    const body = () => dropColumn(this.state, table, column, options);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropColumn', table, column, options }, () => this.state.runStatement(body));
  }

  setColumnDefault(table: string, column: string, value: ColumnDefaultSpec | undefined): void {
    const body = () => setColumnDefault(this.state, table, column, value);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'setColumnDefault', table, column, value }, () => this.state.runStatement(body));
  }

  setColumnNotNull(table: string, column: string, notNull: boolean): void {
    const body = () => setColumnNotNull(this.state, table, column, notNull);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'setColumnNotNull', table, column, notNull }, () => this.state.runStatement(body));
  }

  /** ALTER TABLE … ADD CONSTRAINT; `notValid` skips the scan of existing rows. */
  addConstraint(table: string, constraint: ConstraintSpec): ConstraintInfo {
    const body = () => describeConstraint(addConstraint(this.state, lookupRelation(this.state, table), constraint));
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'addConstraint', table, constraint }, () => this.state.runStatement(body));
  }

  validateConstraint(table: string, name: string): void {
    const body = () => validateConstraint(this.state, lookupRelation(this.state, table), name);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'validateConstraint', table, name }, () => this.state.runStatement(body));
  }

  dropConstraint(table: string, name: string, options: { ifExists?: boolean } = {}): void {
    const body = () => dropConstraint(this.state, lookupRelation(this.state, table), name, options.ifExists ?? false);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropConstraint', table, name, options }, () => this.state.runStatement(body));
  }

  renameConstraint(table: string, name: string, newName: string): void {
    const body = () => renameConstraint(this.state, lookupRelation(this.state, table), name, newName);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'renameConstraint', table, name, newName }, () => this.state.runStatement(body));
  }

  createIndex(spec: IndexSpec): string {
    const body = () => createIndex(this.state, spec).name;
    return this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'createIndex', spec }, () => this.state.runStatement(body));
  }

  dropIndex(name: string, options: { ifExists?: boolean } = {}): void {
    const body = () => dropIndex(this.state, name, options.ifExists ?? false);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropIndex', name, options }, () => this.state.runStatement(body));
  }

  renameIndex(name: string, newName: string): void {
    const body = () => renameIndex(this.state, name, newName);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'renameIndex', name, newName }, () => this.state.runStatement(body));
  }

  attachPartition(parent: string, partition: string, values: PartitionBoundSpec): void {
    const body = () => attachPartition(this.state, parent, partition, values);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'attachPartition', parent, partition, values }, () => this.state.runStatement(body));
  }

  detachPartition(parent: string, partition: string): void {
    const body = () => detachPartitionByName(this.state, parent, partition);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'detachPartition', parent, partition }, () => this.state.runStatement(body));
  }

  createTrigger(spec: TriggerSpec): void {
    const body = () => createTrigger(this.state, spec);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'createTrigger', spec }, () => this.state.runStatement(body));
  }

  dropTrigger(table: string, name: string, options: { ifExists?: boolean } = {}): void {
    const body = () => dropTrigger(this.state, table, name, options.ifExists ?? false);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropTrigger', table, name, options }, () => this.state.runStatement(body));
  }

  enableTrigger(table: string, name: string): void {
    const body = () => setTriggerEnabled(this.state, table, name, true);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'enableTrigger', table, name }, () => this.state.runStatement(body));
  }

  disableTrigger(table: string, name: string): void {
    const body = () => setTriggerEnabled(this.state, table, name, false);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'disableTrigger', table, name }, () => this.state.runStatement(body));
  }

  createSequence(name: string, options: SequenceOptions = {}): void {
    const body = () => createSequence(this.state, name, options);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'createSequence', name, options }, () => this.state.runStatement(body));
  }

  dropSequence(name: string): void {
    const body = () => dropSequence(this.state, name);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'dropSequence', name }, () => this.state.runStatement(body));
  }

  renameSequence(name: string, newName: string): void {
    const body = () => renameSequence(this.state, name, newName);
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'renameSequence', name, newName }, () => this.state.runStatement(body));
  }

  /** ALTER SEQUENCE … OWNED BY table.column, or OWNED BY NONE with `null`. */
  setSequenceOwner(sequence: string, owner: { table: string; column: string } | null): void {
    const body = () => setSequenceOwner(this.state, sequence, owner === null ? null : { relation: lookupRelation(this.state, owner.table), column: owner.column });
    this.onStatement === null ? this.state.runStatement(body) : this.observe({ kind: 'setSequenceOwner', sequence, owner }, () => this.state.runStatement(body));
  }

  // --- introspection (never a statement: it reads the catalog and heaps directly) ----------

  hasTable(name: string): boolean {
    return this.state.relations.has(name);
  }

  tableNames(): string[] {
    return [...this.state.relations.keys()].sort();
  }

  sequenceInfo(name: string): { readonly name: string; readonly nextValue: number; readonly ownedBy: string | null } | undefined {
    const sequence = this.state.sequences.get(name);
    return sequence === undefined ? undefined : { name: sequence.name, nextValue: sequence.nextValue, ownedBy: sequence.ownedBy ? `${sequence.ownedBy.relation.name}.${sequence.ownedBy.column}` : null };
  }

  /** The default of a column as SQL-ish text (`nextval('s')`, a literal, `now()`), or null. */
  columnDefault(table: string, column: string): string | null {
    const definition = lookupRelation(this.state, table).column(column);
    assert(definition !== undefined, `no column ${table}.${column}`);
    const value = definition.default;
    if (value === null) return null;
    return value.kind === 'nextval' ? `nextval('${value.sequence.name}')` : value.kind === 'now' ? 'now()' : String(value.value);
  }

  /**
   * A table's catalog entry as plain data. Cached per catalog version, because model code asks
   * for column and partition lists on hot paths (every backfill batch, every request).
   */
  describe(table: string): TableInfo {
    const cached = this.describeCache.get(table);
    if (cached !== undefined && cached.version === this.state.catalogVersion) return cached.info;
    const info = Object.freeze(this.describeUncached(table));
    this.describeCache.set(table, { version: this.state.catalogVersion, info });
    return info;
  }

  private describeUncached(table: string): TableInfo {
    const relation = lookupRelation(this.state, table);
    const bound = relation.partitionBound;
    return {
      name: relation.name,
      columns: relation.columns.map((column) => ({ name: column.name, type: column.type, notNull: column.notNull })),
      partitionKey: relation.partitionKey,
      parent: relation.parent?.name ?? null,
      partitionValues: bound === null ? null : bound.kind === 'default' ? 'default' : bound.values,
      partitions: relation.partitions.map((partition) => partition.name),
      constraints: relation.constraints.map(describeConstraint),
      indexes: relation.indexes.map((index) => ({ name: index.name, columns: index.columns, unique: index.unique, where: index.predicate ? renderExpr(index.predicate) : null })),
      triggers: relation.triggers.map(describeTrigger),
    };
  }

  /**
   * Every constraint of every relation, described once per catalog version: invariants call
   * this after every step, and the catalog changes far less often than the data.
   */
  constraints(): readonly ConstraintInfo[] {
    if (this.constraintCache === null || this.constraintCache.version !== this.state.catalogVersion) {
      const all = [...this.state.relations.values()].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0)).flatMap((relation) => relation.constraints.map(describeConstraint));
      this.constraintCache = { version: this.state.catalogVersion, constraints: Object.freeze(all) };
    }
    return this.constraintCache.constraints;
  }

  constraint(table: string, name: string): ConstraintInfo {
    return describeConstraint(findConstraint(lookupRelation(this.state, table), name));
  }

  /**
   * Every row of a table (and its partitions), read straight from the heaps without any index,
   * so invariants checked through it are independent of the engine's own enforcement.
   */
  rows(table: string): readonly Row[] {
    const cached = this.rowsCache.get(table);
    if (cached !== undefined && cached.dataVersion === this.state.dataVersion && cached.catalogVersion === this.state.catalogVersion) return cached.rows;
    const relation: Relation = lookupRelation(this.state, table);
    const rows: Row[] = [];
    for (const leaf of relation.leaves()) for (const tuple of liveTuples(leaf)) rows.push(tuple.row);
    // Frozen and cached until the next write: invariants read the same tables many times per step.
    const frozen = Object.freeze(rows);
    this.rowsCache.set(table, { dataVersion: this.state.dataVersion, catalogVersion: this.state.catalogVersion, rows: frozen });
    return frozen;
  }


  snapshot(): DatabaseSnapshot {
    const snapshot = new Map<string, readonly Row[]>();
    for (const relation of this.state.relations.values()) {
      if (relation.heap !== null) snapshot.set(relation.name, [...liveTuples(relation)].map((tuple) => tuple.row));
    }
    return snapshot;
  }
}
