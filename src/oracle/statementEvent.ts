import type { Database, SelectOptions } from '../database.js';
import type { SequenceOptions } from '../engine/ddl/sequenceDdl.js';
import type { ColumnDefaultSpec, ColumnSpec, ConstraintSpec, IndexSpec, PartitionBoundSpec, TableSpec, TriggerSpec } from '../engine/ddl/specs.js';
import type { DeleteOptions } from '../engine/deleteStatement.js';
import type { Expr } from '../engine/expression.js';
import type { InsertOptions } from '../engine/insertStatement.js';
import type { RowInput } from '../engine/rowBuilding.js';
import type { Assignments, UpdateOptions } from '../engine/updateStatement.js';
import type { Row } from '../engine/values.js';

/**
 * One top-level statement a `Database` ran, with the structured arguments it was given. This is
 * what the oracle renders as PostgreSQL SQL: statements that trigger functions run are not
 * calls of their own, because PostgreSQL runs them itself inside the rendered trigger function.
 */
export type StatementCall =
  | { readonly kind: 'insert'; readonly table: string; readonly rows: readonly RowInput[]; readonly options: InsertOptions }
  | { readonly kind: 'update'; readonly table: string; readonly set: Assignments; readonly where: Expr | null; readonly options: UpdateOptions }
  | { readonly kind: 'delete'; readonly table: string; readonly where: Expr | null; readonly options: DeleteOptions }
  | { readonly kind: 'select'; readonly table: string; readonly options: SelectOptions }
  | { readonly kind: 'nextval'; readonly sequence: string }
  | { readonly kind: 'setval'; readonly sequence: string; readonly value: number }
  | { readonly kind: 'createTable'; readonly spec: TableSpec }
  | { readonly kind: 'dropTable'; readonly name: string; readonly options: { readonly cascade?: boolean; readonly ifExists?: boolean } }
  | { readonly kind: 'renameTable'; readonly name: string; readonly newName: string }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: ColumnSpec; readonly options: { readonly ifNotExists?: boolean } }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: string; readonly options: { readonly ifExists?: boolean; readonly cascade?: boolean } }
  | { readonly kind: 'setColumnDefault'; readonly table: string; readonly column: string; readonly value: ColumnDefaultSpec | undefined }
  | { readonly kind: 'setColumnNotNull'; readonly table: string; readonly column: string; readonly notNull: boolean }
  | { readonly kind: 'addConstraint'; readonly table: string; readonly constraint: ConstraintSpec }
  | { readonly kind: 'validateConstraint'; readonly table: string; readonly name: string }
  | { readonly kind: 'dropConstraint'; readonly table: string; readonly name: string; readonly options: { readonly ifExists?: boolean } }
  | { readonly kind: 'renameConstraint'; readonly table: string; readonly name: string; readonly newName: string }
  | { readonly kind: 'createIndex'; readonly spec: IndexSpec }
  | { readonly kind: 'dropIndex'; readonly name: string; readonly options: { readonly ifExists?: boolean } }
  | { readonly kind: 'renameIndex'; readonly name: string; readonly newName: string }
  | { readonly kind: 'attachPartition'; readonly parent: string; readonly partition: string; readonly values: PartitionBoundSpec }
  | { readonly kind: 'detachPartition'; readonly parent: string; readonly partition: string }
  | { readonly kind: 'createTrigger'; readonly spec: TriggerSpec }
  | { readonly kind: 'dropTrigger'; readonly table: string; readonly name: string; readonly options: { readonly ifExists?: boolean } }
  | { readonly kind: 'enableTrigger' | 'disableTrigger'; readonly table: string; readonly name: string }
  | { readonly kind: 'createSequence'; readonly name: string; readonly options: SequenceOptions }
  | { readonly kind: 'dropSequence'; readonly name: string }
  | { readonly kind: 'renameSequence'; readonly name: string; readonly newName: string }
  | { readonly kind: 'setSequenceOwner'; readonly sequence: string; readonly owner: { readonly table: string; readonly column: string } | null }
  | { readonly kind: 'begin' | 'commit' | 'rollback' }
  | { readonly kind: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint'; readonly name: string };

/** How a statement ended: rows for DML and SELECT, a PostgreSQL error, or an internal engine failure. */
export type StatementOutcome =
  | { readonly status: 'ok'; readonly rows: readonly Row[] | null }
  | { readonly status: 'error'; readonly code: string; readonly constraint: string | null; readonly message: string }
  | { readonly status: 'internal'; readonly message: string };

export interface StatementEvent {
  readonly call: StatementCall;
  readonly outcome: StatementOutcome;
  /** The database's logical clock when the statement ran (what `now()` defaults read). */
  readonly clock: number;
  /** The database that ran it, whose catalog the renderer reads (types, defaults) right away. */
  readonly database: Database;
}

export type StatementListener = (event: StatementEvent) => void;
