import type {
  ReferentialAction,
  RowTriggerFunction,
  StatementTriggerFunction,
  TriggerEvent,
  TriggerTiming,
} from '../catalog.js';
import type { Expr } from '../expression.js';
import type { ColumnType, SqlValue } from '../values.js';

/** Declarative descriptions of schema objects, as the public API accepts them. */
export type ColumnDefaultSpec = SqlValue | { readonly nextval: string } | { readonly now: true };

export interface ColumnSpec {
  readonly name: string;
  /** `bigserial`/`serial` create `<table>_<column>_seq`, owned by the column, as its default. */
  readonly type: ColumnType | 'bigserial' | 'serial';
  readonly notNull?: boolean;
  readonly default?: ColumnDefaultSpec;
}

export interface PrimaryKeySpec {
  readonly kind: 'primaryKey';
  readonly name?: string;
  /** Empty with `usingIndex`: the index gives them. */
  readonly columns: readonly string[];
  /** `… PRIMARY KEY USING INDEX idx` (ALTER TABLE only): an existing unique index becomes the key's. */
  readonly usingIndex?: string;
}

export interface UniqueSpec {
  readonly kind: 'unique';
  readonly name?: string;
  /** Empty with `usingIndex`: the index gives them. */
  readonly columns: readonly string[];
  /** `… UNIQUE USING INDEX idx` (ALTER TABLE only). */
  readonly usingIndex?: string;
}

export interface CheckSpec {
  readonly kind: 'check';
  readonly name?: string;
  readonly expr: Expr;
  readonly notValid?: boolean;
  readonly noInherit?: boolean;
}

/** `[CONSTRAINT name] NOT NULL column [NO INHERIT] [NOT VALID]` (PostgreSQL 18). */
export interface NotNullSpec {
  readonly kind: 'notNull';
  readonly name?: string;
  readonly column: string;
  readonly notValid?: boolean;
  readonly noInherit?: boolean;
}

export interface ForeignKeySpec {
  readonly kind: 'foreignKey';
  readonly name?: string;
  readonly columns: readonly string[];
  readonly references: { readonly table: string; readonly columns?: readonly string[] };
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
  readonly notValid?: boolean;
  /** `DEFERRABLE`; `initiallyDeferred` (`INITIALLY DEFERRED`) requires it. */
  readonly deferrable?: boolean;
  readonly initiallyDeferred?: boolean;
}

export type ConstraintSpec = PrimaryKeySpec | UniqueSpec | CheckSpec | ForeignKeySpec | NotNullSpec;

export type PartitionBoundSpec = readonly SqlValue[] | 'default';

export interface TableSpec {
  readonly name: string;
  /** Omitted for `CREATE TABLE … PARTITION OF`, which takes the parent's columns. */
  readonly columns?: readonly ColumnSpec[];
  readonly primaryKey?: readonly string[];
  readonly constraints?: readonly ConstraintSpec[];
  readonly partitionBy?: { readonly list: string };
  readonly partitionOf?: { readonly parent: string; readonly values: PartitionBoundSpec };
}

export interface IndexSpec {
  readonly name?: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  readonly where?: Expr;
  /**
   * `CREATE INDEX … ON ONLY table`: on a partitioned table, the index of the table alone, no
   * partition gets one; it is INVALID while some partition has no index attached to it
   * (`ALTER INDEX … ATTACH PARTITION`). Ignored on a table that is not partitioned.
   */
  readonly only?: boolean;
}

interface TriggerSpecCommon {
  readonly name: string;
  readonly table: string;
  readonly timing: TriggerTiming;
  readonly events: readonly TriggerEvent[];
  readonly args?: readonly string[];
  /** The SQL-side function name and PL/pgSQL body, for rendering a scenario as SQL. */
  readonly functionName?: string;
  readonly functionBody?: string;
  /** `WHEN (…)`; row triggers read `OLD.col`/`NEW.col` through `oldCol`/`newCol`. */
  readonly when?: Expr;
  /** `UPDATE OF col, …`: only with the `update` event. */
  readonly updateOf?: readonly string[];
}

export interface RowTriggerSpec extends TriggerSpecCommon {
  readonly level?: 'row';
  readonly fn: RowTriggerFunction;
}

export interface StatementTriggerSpec extends TriggerSpecCommon {
  readonly level: 'statement';
  readonly fn: StatementTriggerFunction;
  readonly referencing?: { readonly oldTable?: string; readonly newTable?: string };
}

export type TriggerSpec = RowTriggerSpec | StatementTriggerSpec;
