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

function describeConstraint(constraint: Constraint): ConstraintInfo {
  const base = { name: constraint.name, kind: constraint.kind, table: constraint.relation.name, inheritedFrom: constraint.parent?.relation.name ?? null };
  switch (constraint.kind) {
    case 'foreignKey':
      return { ...base, valid: constraint.valid, columns: constraint.columns, referencedTable: constraint.referencedRelation.name, referencedColumns: constraint.referencedColumns, onDelete: constraint.onDelete, onUpdate: constraint.onUpdate, checkSql: null, checkExpr: null };
    case 'check':
      return { ...base, valid: constraint.valid, columns: [], referencedTable: null, referencedColumns: [], onDelete: null, onUpdate: null, checkSql: renderExpr(constraint.expr), checkExpr: constraint.expr };
    default:
      return { ...base, valid: true, columns: constraint.columns, referencedTable: null, referencedColumns: [], onDelete: null, onUpdate: null, checkSql: null, checkExpr: null };
  }
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

  constructor(options: Partial<EngineOptions> = {}) {
    this.state = new EngineState(this, { serverVersion: options.serverVersion ?? 18 });
    this.state.fireAfterEvent = (event) => fireAfterEvent(this.state, event);
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

  get transactionStatus(): 'idle' | 'active' | 'aborted' {
    return this.state.transactionStatus;
  }

  begin(): void {
    this.state.begin();
  }

  commit(): 'COMMIT' | 'ROLLBACK' {
    return this.state.commit();
  }

  rollback(): void {
    this.state.rollback();
  }

  savepoint(name: string): void {
    this.state.savepoint(name);
  }

  rollbackToSavepoint(name: string): void {
    this.state.rollbackToSavepoint(name);
  }

  releaseSavepoint(name: string): void {
    this.state.releaseSavepoint(name);
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
    return this.state.runStatement(() => executeInsert(this.state, lookupRelation(this.state, table), inputs, options));
  }

  update(table: string, set: Assignments, where: Expr | null = null, options: UpdateOptions = {}): Row[] {
    return this.state.runStatement(() => executeUpdate(this.state, lookupRelation(this.state, table), set, where, options));
  }

  delete(table: string, where: Expr | null = null, options: DeleteOptions = {}): Row[] {
    return this.state.runStatement(() => executeDelete(this.state, lookupRelation(this.state, table), where, options));
  }

  select(table: string, options: SelectOptions = {}): Row[] {
    return this.state.runStatement(() => {
      const relation = lookupRelation(this.state, table);
      const rows = scanTuples(this.state, relation, options.where ?? null, { only: options.only ?? false }).map((scanned) => scanned.tuple.row);
      sortRows(rows, options.orderBy ?? []);
      return options.limit === undefined ? rows : rows.slice(0, options.limit);
    });
  }

  nextval(sequence: string): number {
    return this.state.runStatement(() => nextSequenceValue(lookupSequence(this.state, sequence)));
  }

  setval(sequence: string, value: number): void {
    this.state.runStatement(() => {
      lookupSequence(this.state, sequence).nextValue = value + 1;
    });
  }

  // --- schema ------------------------------------------------------------------------------

  createTable(spec: TableSpec): void {
    this.state.runStatement(() => createTable(this.state, spec));
  }

  dropTable(name: string, options: { cascade?: boolean; ifExists?: boolean } = {}): void {
    this.state.runStatement(() => dropTable(this.state, name, options));
  }

  renameTable(name: string, newName: string): void {
    this.state.runStatement(() => renameTable(this.state, name, newName));
  }

  addColumn(table: string, column: ColumnSpec, options: { ifNotExists?: boolean } = {}): void {
    this.state.runStatement(() => addColumn(this.state, table, column, options));
  }

  dropColumn(table: string, column: string, options: { ifExists?: boolean; cascade?: boolean } = {}): void {
    this.state.runStatement(() => dropColumn(this.state, table, column, options));
  }

  setColumnDefault(table: string, column: string, value: ColumnDefaultSpec | undefined): void {
    this.state.runStatement(() => setColumnDefault(this.state, table, column, value));
  }

  setColumnNotNull(table: string, column: string, notNull: boolean): void {
    this.state.runStatement(() => setColumnNotNull(this.state, table, column, notNull));
  }

  /** ALTER TABLE … ADD CONSTRAINT; `notValid` skips the scan of existing rows. */
  addConstraint(table: string, constraint: ConstraintSpec): ConstraintInfo {
    return this.state.runStatement(() => describeConstraint(addConstraint(this.state, lookupRelation(this.state, table), constraint)));
  }

  validateConstraint(table: string, name: string): void {
    this.state.runStatement(() => validateConstraint(this.state, lookupRelation(this.state, table), name));
  }

  dropConstraint(table: string, name: string, options: { ifExists?: boolean } = {}): void {
    this.state.runStatement(() => dropConstraint(this.state, lookupRelation(this.state, table), name, options.ifExists ?? false));
  }

  renameConstraint(table: string, name: string, newName: string): void {
    this.state.runStatement(() => renameConstraint(this.state, lookupRelation(this.state, table), name, newName));
  }

  createIndex(spec: IndexSpec): string {
    return this.state.runStatement(() => createIndex(this.state, spec).name);
  }

  dropIndex(name: string, options: { ifExists?: boolean } = {}): void {
    this.state.runStatement(() => dropIndex(this.state, name, options.ifExists ?? false));
  }

  renameIndex(name: string, newName: string): void {
    this.state.runStatement(() => renameIndex(this.state, name, newName));
  }

  attachPartition(parent: string, partition: string, values: PartitionBoundSpec): void {
    this.state.runStatement(() => attachPartition(this.state, parent, partition, values));
  }

  detachPartition(parent: string, partition: string): void {
    this.state.runStatement(() => detachPartitionByName(this.state, parent, partition));
  }

  createTrigger(spec: TriggerSpec): void {
    this.state.runStatement(() => createTrigger(this.state, spec));
  }

  dropTrigger(table: string, name: string, options: { ifExists?: boolean } = {}): void {
    this.state.runStatement(() => dropTrigger(this.state, table, name, options.ifExists ?? false));
  }

  enableTrigger(table: string, name: string): void {
    this.state.runStatement(() => setTriggerEnabled(this.state, table, name, true));
  }

  disableTrigger(table: string, name: string): void {
    this.state.runStatement(() => setTriggerEnabled(this.state, table, name, false));
  }

  createSequence(name: string, options: SequenceOptions = {}): void {
    this.state.runStatement(() => createSequence(this.state, name, options));
  }

  dropSequence(name: string): void {
    this.state.runStatement(() => dropSequence(this.state, name));
  }

  renameSequence(name: string, newName: string): void {
    this.state.runStatement(() => renameSequence(this.state, name, newName));
  }

  /** ALTER SEQUENCE … OWNED BY table.column, or OWNED BY NONE with `null`. */
  setSequenceOwner(sequence: string, owner: { table: string; column: string } | null): void {
    this.state.runStatement(() => setSequenceOwner(this.state, sequence, owner === null ? null : { relation: lookupRelation(this.state, owner.table), column: owner.column }));
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

  describe(table: string): TableInfo {
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
  rows(table: string): Row[] {
    const relation: Relation = lookupRelation(this.state, table);
    return relation.leaves().flatMap((leaf) => [...liveTuples(leaf)].map((tuple) => tuple.row));
  }

  snapshot(): DatabaseSnapshot {
    const snapshot = new Map<string, readonly Row[]>();
    for (const relation of this.state.relations.values()) {
      if (relation.heap !== null) snapshot.set(relation.name, [...liveTuples(relation)].map((tuple) => tuple.row));
    }
    return snapshot;
  }
}
