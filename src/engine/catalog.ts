/**
 * Catalog objects. They are mutable, like PostgreSQL's catalog rows, but every mutation goes
 * through the journal so DDL is transactional. Objects reference each other directly (as OIDs
 * do), so renaming a table never breaks the constraints that point at it. The parts DDL replaces
 * rather than edits (columns, column-name lists, partition bounds, not-null constraints, empty
 * trigger and partition lists) are frozen values, which a database fork shares instead of copying
 * (docs/concurrency.md, "Exploring a program's schedules as a tree").
 */
import type { Expr } from './expression.js';
import type { IndexKey } from './keys.js';
import type { RelationPlan } from './relationPlan.js';
import type { Row, SqlValue, ColumnType } from './values.js';
import type { SessionHandle } from './sessionHandle.js';

/**
 * A list a catalog object keeps as a value (a constraint's or index's column names, a partition
 * bound's values): frozen, so DDL replaces it rather than changing it, and a database fork shares it
 * instead of copying it (graphCopy.ts shares frozen objects). One already frozen is kept as it is.
 */
export function frozenList<List extends readonly unknown[]>(list: List): List {
  return Object.isFrozen(list) ? list : (Object.freeze(list.slice()) as unknown as List);
}

/** The one-column lists `oneColumnList` has handed out, by column name; bounded, as names are the user's. */
const oneColumnLists = new Map<string, readonly [string]>();
const MAX_ONE_COLUMN_LISTS = 10_000;

/**
 * `[column]` as a frozen list (a not-null constraint's `columns`), the same list for the same name: a
 * frozen list is a value, so every constraint on a column of that name may share it, and CREATE
 * TABLE, which gives each NOT NULL column of each partition a constraint, makes none.
 */
export function oneColumnList(column: string): readonly [string] {
  let list = oneColumnLists.get(column);
  if (list === undefined) {
    list = Object.freeze([column] as const);
    if (oneColumnLists.size < MAX_ONE_COLUMN_LISTS) oneColumnLists.set(column, list);
  }
  return list;
}

export class Sequence {
  constructor(
    /** Stable for the sequence's life (renames included): column defaults name it by this (`ColumnDefault`). */
    readonly id: number,
    public name: string,
    public nextValue: number,
    public readonly increment: number,
    public ownedBy: { relation: Relation; column: string } | null,
  ) {}
}

export type ColumnDefault =
  | { readonly kind: 'literal'; readonly value: SqlValue }
  /**
   * `nextval(seq)`: names the sequence by its id (`DatabaseState.sequencesById`), as PostgreSQL's
   * default names it by OID, rather than pointing at it: a sequence is mutable and each database
   * fork has its own, while a column is a frozen value every fork shares.
   */
  | { readonly kind: 'nextval'; readonly sequenceId: number }
  /** `now()`: the database's logical clock, never the wall clock. */
  | { readonly kind: 'now' };

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  /**
   * PostgreSQL's `pg_attribute.attnotnull`: whether the column has a not-null constraint, valid
   * or NOT VALID (both reject new NULLs). The constraint itself (`NotNullConstraint`) carries the
   * name and validity; DDL keeps this flag in step with it (notNullDdl.ts) so row checks stay a
   * field read.
   */
  readonly notNull: boolean;
  readonly default: ColumnDefault | null;
}

export interface IndexDefinition {
  name: string;
  readonly relation: Relation;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly predicate: Expr | null;
  /** The partitioned index this one is attached to, as `pg_inherits` links partition indexes. */
  parent: IndexDefinition | null;
  /** Set for indexes that back a PRIMARY KEY or UNIQUE constraint. */
  constraint: KeyConstraint | null;
  /**
   * False for the index a failed CREATE INDEX CONCURRENTLY leaves behind (PostgreSQL's
   * `indisvalid = false, indisready = false`): it keeps its name, but holds no entries, enforces
   * nothing, is never an ON CONFLICT arbiter or a foreign key's referenced index, and cannot back a
   * constraint; DROP INDEX removes it. Also false for a partitioned index some partition has no
   * index attached to (`CREATE INDEX … ON ONLY`, or a child index attached while INVALID), until
   * ALTER INDEX … ATTACH PARTITION completes it.
   */
  valid: boolean;
  /**
   * Leaf storage: key → the live tuple holding it (not its id, so a probe costs one Map lookup
   * rather than two; storage re-points the entry whenever the tuple gets a new row version).
   * Partitioned indexes hold no entries.
   */
  readonly entries: Map<IndexKey, Tuple> | null;
}

export interface KeyConstraint {
  readonly kind: 'primaryKey' | 'unique';
  name: string;
  readonly relation: Relation;
  readonly columns: readonly string[];
  readonly index: IndexDefinition;
  parent: KeyConstraint | null;
}

export interface CheckConstraint {
  readonly kind: 'check';
  name: string;
  readonly relation: Relation;
  readonly expr: Expr;
  valid: boolean;
  parent: CheckConstraint | null;
  /** Number of ancestors this constraint is inherited from (PostgreSQL's coninhcount). */
  readonly noInherit: boolean;
}

/**
 * A NOT NULL constraint: PostgreSQL 18 gives every one a `pg_constraint` row (contype 'n') with
 * a name (`<table>_<column>_not_null` unless given), a validity (`ADD CONSTRAINT … NOT NULL col
 * NOT VALID`), and inheritance: a partition's copy links to its parent's (`coninhcount`) and
 * cannot be dropped on its own.
 *
 * Unlike the other constraints it is a value: frozen, naming neither its relation nor its parent
 * (a column has at most one, so the parent's is `relation.parent.notNullConstraint(column)`), and
 * DDL replaces it in its relation's list rather than editing it (`replaceNotNull`, notNullDdl.ts).
 * Every table column with NOT NULL has one, which makes them the most numerous catalog objects,
 * and a database fork shares them instead of copying them (graphCopy.ts shares frozen objects).
 */
export interface NotNullConstraint {
  readonly kind: 'notNull';
  readonly name: string;
  /** The one column (`conkey`); a list, so column renames and DROP COLUMN treat it like other constraints. */
  readonly columns: readonly [string];
  readonly valid: boolean;
  /** Inherited from the parent table's not-null constraint on the same column (`coninhcount` > 0). */
  readonly inherited: boolean;
  /**
   * `conislocal`: defined on this table itself, not only inherited. A parent's DROP removes its
   * inherited copies but leaves a local one (unlinked); DETACH PARTITION makes copies local.
   */
  readonly local: boolean;
  /** `NO INHERIT` (only on tables that are not partitioned). */
  readonly noInherit: boolean;
}

export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null';

export interface ForeignKeyConstraint {
  readonly kind: 'foreignKey';
  name: string;
  readonly relation: Relation;
  readonly columns: readonly string[];
  readonly referencedRelation: Relation;
  readonly referencedColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
  /** `DEFERRABLE`: its checks may wait for COMMIT (or SET CONSTRAINTS … IMMEDIATE). */
  readonly deferrable: boolean;
  /** `INITIALLY DEFERRED`: deferred unless SET CONSTRAINTS says otherwise (implies deferrable). */
  readonly initiallyDeferred: boolean;
  valid: boolean;
  parent: ForeignKeyConstraint | null;
  /** Creation order; names the internal RI triggers so several keys fire in PostgreSQL's order. */
  readonly serial: number;
  /** Leaf storage: referencing key → tuple ids, so ON DELETE finds children without a scan. */
  readonly referencing: Map<IndexKey, Set<number>> | null;
  /**
   * For a top-level key referencing a partitioned table: the name of the constraint PostgreSQL
   * creates for each referenced partition (`<name>_1`, `<name>_2`, unique schema-wide), which
   * is the name a DELETE from that partition reports.
   */
  readonly referencedPartitionNames: Map<Relation, string>;
}

export type Constraint = KeyConstraint | CheckConstraint | ForeignKeyConstraint | NotNullConstraint;

/** Whether `constraint` (of `relation`) is inherited from a constraint of the parent table. */
export function isInherited(constraint: Constraint): boolean {
  return constraint.kind === 'notNull' ? constraint.inherited : constraint.parent !== null;
}

/** The table `constraint` of `relation` is inherited from (`coninhcount`'s parent), or null. */
export function inheritedFrom(constraint: Constraint, relation: Relation): Relation | null {
  if (constraint.kind === 'notNull') return constraint.inherited ? relation.parent : null;
  return constraint.parent?.relation ?? null;
}

export type TriggerEvent = 'insert' | 'update' | 'delete';
export type TriggerTiming = 'before' | 'after';
export type TriggerOperation = 'INSERT' | 'UPDATE' | 'DELETE';

export interface RowTriggerContext {
  readonly operation: TriggerOperation;
  readonly timing: TriggerTiming;
  /** TG_TABLE_NAME: the partition the row is in, as PostgreSQL reports it. */
  readonly tableName: string;
  readonly triggerName: string;
  readonly args: readonly string[];
  readonly oldRow: Row | null;
  readonly newRow: Row | null;
  /** Runs further statements in the same session and transaction; they fire their own triggers and checks. */
  readonly db: SessionHandle;
}

/**
 * A row trigger function. In a BEFORE trigger, returning a row replaces NEW, returning `null`
 * skips the row (as `RETURN NULL` in PL/pgSQL), returning nothing keeps the row as it is.
 * AFTER triggers' return values are ignored, as in PostgreSQL.
 */
export type RowTriggerFunction = (context: RowTriggerContext) => Row | null | undefined | void;

export interface StatementTriggerContext {
  readonly operation: TriggerOperation;
  readonly timing: TriggerTiming;
  readonly tableName: string;
  readonly triggerName: string;
  readonly args: readonly string[];
  /** `REFERENCING OLD TABLE`: every row the statement (and FK cascades on it) removed or replaced. */
  readonly oldTable: readonly Row[];
  readonly newTable: readonly Row[];
  readonly db: SessionHandle;
}

export type StatementTriggerFunction = (context: StatementTriggerContext) => void;

interface TriggerCommon {
  name: string;
  readonly relation: Relation;
  readonly timing: TriggerTiming;
  readonly events: ReadonlySet<TriggerEvent>;
  readonly args: readonly string[];
  /** The SQL function name and an equivalent PL/pgSQL body, for rendering scenarios as SQL. */
  readonly functionName: string;
  readonly functionBody: string | null;
  /** `WHEN (…)`: the trigger fires only for rows (or statements) where it is true; null when absent. */
  readonly when: Expr | null;
  /** `UPDATE OF col, …`: an UPDATE fires it only when its SET list names one of these; null when absent. */
  readonly updateOf: readonly string[] | null;
  enabled: boolean;
  parent: TriggerDefinition | null;
}

export interface RowTriggerDefinition extends TriggerCommon {
  readonly level: 'row';
  readonly fn: RowTriggerFunction;
}

export interface StatementTriggerDefinition extends TriggerCommon {
  readonly level: 'statement';
  readonly fn: StatementTriggerFunction;
  readonly referencingOldTable: string | null;
  readonly referencingNewTable: string | null;
}

export type TriggerDefinition = RowTriggerDefinition | StatementTriggerDefinition;

export type PartitionBound =
  | { readonly kind: 'list'; readonly values: readonly SqlValue[] }
  | { readonly kind: 'default' };

/** Strengths of a row lock, weakest first (FOR KEY SHARE, FOR SHARE, FOR NO KEY UPDATE, FOR UPDATE). */
export type RowLockStrength = 'KeyShare' | 'Share' | 'NoKeyUpdate' | 'Update';

/** A row lock held on a tuple version by a transaction (PostgreSQL keeps these in xmax / a multixact). */
export interface RowLock {
  readonly xid: number;
  readonly strength: RowLockStrength;
  /**
   * Set while the transaction's UPDATE of this version waits in its unique check: PostgreSQL has
   * written the new version by then (the old one carries its xmax), so others meet the row, and its
   * unique keys, as being updated by it (`lockForUniqueWait`).
   */
  readonly writing?: true;
}

/**
 * A stored row version; `xmin` is the transaction that wrote it (used by PostgreSQL's RI rules and
 * by snapshots). The heap holds the newest version of each tuple id. The other fields exist only
 * while several sessions are open (docs/concurrency.md): the version a write replaced stays
 * reachable through `prior` with `xmax` naming the replacing transaction, a deleted version stays
 * in `Relation.ghosts`, until no snapshot can see them.
 */
export interface Tuple {
  readonly tid: number;
  readonly row: Row;
  readonly xmin: number;
  /** The transaction that replaced or deleted this version; absent or 0 while it is the newest. */
  xmax?: number;
  /** The row lock its replacement or deletion amounts to: `Update` for a delete or a key change. */
  xmaxStrength?: RowLockStrength;
  /** The older version this one replaced, while some snapshot may still need it. */
  prior?: Tuple | null;
  /** Row locks taken on this version (SELECT … FOR …, foreign-key checks), by running transactions. */
  locks?: RowLock[] | null;
  /**
   * Set when its writer changed a key on the way from `prior`, through versions of its own that it
   * superseded and the chain leaves out: PostgreSQL's chain keeps them, each with its own xmax, so a
   * KEY SHARE lock following the updates (heap_lock_updated_tuple) meets that key update.
   */
  keyUpdatedFromPrior?: boolean;
  /**
   * How many of `locks` were taken before `xmax` wrote this version away: PostgreSQL's multixact
   * lists its members in the order they came, and a waiter waits for the conflicting ones in turn.
   */
  locksBeforeWrite?: number;
  /** Set on the ghost a cross-partition UPDATE leaves in the source partition (its delete half). */
  movedToPartition?: boolean;
}

/** The empty list every relation's trigger and partition lists start as (see `Relation.triggers`). */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);

export class Relation {
  // Both set by the constructor (`columns`).
  private columnList!: ColumnDefinition[];
  /** Columns by name, rebuilt whenever the column list is replaced (DDL never edits it in place). */
  private columnsByName!: ReadonlyMap<string, ColumnDefinition>;
  readonly constraints: Constraint[] = [];
  readonly indexes: IndexDefinition[] = [];
  /**
   * Most relations have no trigger and no partition: these two lists start as the shared frozen
   * empty list, which a database fork shares instead of copying, so DDL replaces them rather than
   * editing them (`insertIntoList`, ddl/catalogEdits.ts); one that is not empty names catalog
   * objects of its own database and is copied.
   */
  triggers: readonly TriggerDefinition[] = EMPTY_LIST;
  partitions: readonly Relation[] = EMPTY_LIST;
  parent: Relation | null = null;
  partitionBound: PartitionBound | null = null;
  /** Heap of a plain table or partition; partitioned tables store nothing themselves. */
  readonly heap: Map<number, Tuple> | null;
  /**
   * Heaps iterate in tuple-id order so scans are deterministic. Undoing a delete re-adds the
   * tuple at the end of the Map and sets this; `liveTuples` re-sorts the heap before its next scan.
   */
  heapOutOfOrder = false;
  /**
   * The database's data version at this leaf's last row write (or undo of one), set by
   * `markWritten`: readers that derive something from a table's rows keep it while no leaf of
   * the table has a newer stamp, however much other tables changed meanwhile.
   */
  writeStamp = 0;
  /** Deleted versions some snapshot may still see, by tuple id (only while several sessions are open). */
  ghosts: Map<number, Tuple> | null = null;
  /** Every replaced or deleted version still kept, in the order they were superseded. */
  oldVersions: Set<Tuple> | null = null;
  /** The execution plan derived from this relation's catalog entry (see relationPlan.ts), or null before first use. */
  cachedPlan: RelationPlan | null = null;

  /**
   * `columns` is the new relation's column list, or the relation whose columns it starts with (a new
   * partition's parent): that one's list and map are frozen values, so the two share them.
   */
  constructor(
    public name: string,
    readonly oid: number,
    columns: ColumnDefinition[] | Relation,
    readonly partitionKey: string | null,
  ) {
    if (columns instanceof Relation) {
      this.columnList = columns.columnList;
      this.columnsByName = columns.columnsByName;
    } else this.columns = columns;
    this.heap = partitionKey === null ? new Map() : null;
  }

  get columns(): ColumnDefinition[] {
    return this.columnList;
  }

  set columns(columns: ColumnDefinition[]) {
    // DDL replaces a column, never changes it, so it is frozen here and a database fork shares it
    // instead of copying it (graphCopy.ts); a default drawing from a sequence names it by id, so
    // each fork's inserts draw from that fork's own sequence. DDL replaces the list and the map
    // with them, never edits either, so they are frozen and shared too (a frozen Map can still be
    // written, but nothing does).
    for (const column of columns)
      if (!Object.isFrozen(column)) {
        if (column.default !== null) Object.freeze(column.default);
        Object.freeze(column);
      }
    this.columnList = Object.freeze(columns.slice()) as ColumnDefinition[];
    const byName = new Map<string, ColumnDefinition>();
    for (const column of columns) byName.set(column.name, column);
    this.columnsByName = Object.freeze(byName);
  }

  get isPartitioned(): boolean {
    return this.partitionKey !== null;
  }

  column(name: string): ColumnDefinition | undefined {
    return this.columnsByName.get(name);
  }

  /** The partition chain from this relation to the root, this relation first. */
  ancestry(): Relation[] {
    const chain: Relation[] = [];
    for (let current: Relation | null = this; current !== null; current = current.parent) chain.push(current);
    return chain;
  }

  isAncestorOrSelfOf(other: Relation): boolean {
    for (let current: Relation | null = other; current !== null; current = current.parent)
      if (current === this) return true;
    return false;
  }

  /** Every leaf under this relation in partition-bound order (the order a scan visits them). */
  leaves(): Relation[] {
    if (!this.isPartitioned) return [this];
    // Pushed into one list rather than flattened from one per partition: scans and reads list a
    // partitioned table's leaves often, and `flatMap` cost several times as much.
    const found: Relation[] = [];
    this.collectLeaves(found);
    return found;
  }

  /** Pushes the leaves under this partitioned relation onto `found`, in partition-bound order. */
  private collectLeaves(found: Relation[]): void {
    for (const partition of this.partitions) {
      if (partition.isPartitioned) partition.collectLeaves(found);
      else found.push(partition);
    }
  }

  foreignKeys(): ForeignKeyConstraint[] {
    return this.constraints.filter(
      (constraint): constraint is ForeignKeyConstraint => constraint.kind === 'foreignKey',
    );
  }

  checks(): CheckConstraint[] {
    return this.constraints.filter((constraint): constraint is CheckConstraint => constraint.kind === 'check');
  }

  keyConstraints(): KeyConstraint[] {
    return this.constraints.filter(
      (constraint): constraint is KeyConstraint => constraint.kind === 'primaryKey' || constraint.kind === 'unique',
    );
  }

  /** The column's not-null constraint, if it has one (PostgreSQL allows at most one per column). */
  notNullConstraint(column: string): NotNullConstraint | undefined {
    return this.constraints.find(
      (constraint): constraint is NotNullConstraint =>
        constraint.kind === 'notNull' && constraint.columns[0] === column,
    );
  }

  primaryKey(): KeyConstraint | undefined {
    return this.constraints.find((constraint): constraint is KeyConstraint => constraint.kind === 'primaryKey');
  }
}
