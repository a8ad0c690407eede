/**
 * Short constructors for the statements of ported regression cases, so a case reads close to
 * the SQL it was ported from: `table('pktable', 'ptest1 int, ptest2 text', { primaryKey: ['ptest1'] })`
 * is `CREATE TABLE pktable (ptest1 int PRIMARY KEY, ptest2 text)`. Each returns the oracle's
 * structured statement (`Statement`), which the engine runs and the renderer turns into SQL.
 */
import type { ReferentialAction } from '../../engine/catalog.js';
import type {
  CheckSpec,
  ColumnSpec,
  ConstraintSpec,
  ForeignKeySpec,
  IndexSpec,
  NotNullSpec,
  PartitionBoundSpec,
  TableSpec,
} from '../../engine/ddl/specs.js';
import { col } from '../../engine/expression.js';
import type { Expr } from '../../engine/expression.js';
import type { FromItem } from '../../engine/fromItem.js';
import type { LockingClause } from '../../engine/statements/select.js';
import type { InsertOptions } from '../../engine/insertStatement.js';
import type { RowInput } from '../../engine/rowBuilding.js';
import type { Assignments } from '../../engine/updateStatement.js';
import type { SelectOptions } from '../../database.js';
import type { Statement } from '../../engine/statements/registry.js';

const TYPE_NAMES: Readonly<Record<string, ColumnSpec['type']>> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  smallint: 'smallint',
  int2: 'smallint',
  text: 'text',
  boolean: 'boolean',
  bool: 'boolean',
  timestamptz: 'timestamptz',
  serial: 'serial',
  bigserial: 'bigserial',
};

/** `'a int not null, b text default 'x''` as column specs: a name, a type, optionally `not null` and `default <literal>` (one word). */
export function columns(text: string): ColumnSpec[] {
  return text.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const [name, typeName, ...rest] = words;
    const type = typeName === undefined ? undefined : TYPE_NAMES[typeName.toLowerCase()];
    if (name === undefined || type === undefined) throw new Error(`bad column text "${part}"`);
    const modifiers = rest.join(' ');
    const match = /^(not null)?\s*(?:default (\S+))?$/i.exec(modifiers);
    if (match === null) throw new Error(`bad column modifiers "${part}"`);
    const notNull = match[1] !== undefined;
    const defaultText = match[2];
    const defaultValue =
      defaultText === undefined
        ? undefined
        : /^'.*'$/.test(defaultText)
          ? defaultText.slice(1, -1)
          : Number(defaultText);
    return {
      name,
      type,
      ...(notNull ? { notNull } : {}),
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
    };
  });
}

export interface TableOptions {
  readonly primaryKey?: readonly string[];
  readonly constraints?: readonly ConstraintSpec[];
  /** LIST partitioning by that column. */
  readonly partitionBy?: string;
}

export function table(name: string, columnText: string, options: TableOptions = {}): Statement {
  const spec: TableSpec = {
    name,
    columns: columns(columnText),
    ...(options.primaryKey ? { primaryKey: options.primaryKey } : {}),
    ...(options.constraints ? { constraints: options.constraints } : {}),
    ...(options.partitionBy ? { partitionBy: { list: options.partitionBy } } : {}),
  };
  return { kind: 'createTable', spec };
}

/** `CREATE TABLE name PARTITION OF parent FOR VALUES IN (…)` (or DEFAULT), optionally itself partitioned. */
export function partition(
  name: string,
  parent: string,
  values: PartitionBoundSpec,
  options: Omit<TableOptions, 'primaryKey'> = {},
): Statement {
  const spec: TableSpec = {
    name,
    partitionOf: { parent, values },
    ...(options.constraints ? { constraints: options.constraints } : {}),
    ...(options.partitionBy ? { partitionBy: { list: options.partitionBy } } : {}),
  };
  return { kind: 'createTable', spec };
}

export const insert = (name: string, rows: RowInput | readonly RowInput[], options: InsertOptions = {}): Statement => ({
  kind: 'insert',
  table: name,
  rows: Array.isArray(rows) ? rows : [rows as RowInput],
  options,
});
export const update = (name: string, set: Assignments, where: Expr | null = null, only = false): Statement => ({
  kind: 'update',
  table: name,
  set,
  where,
  options: only ? { only } : {},
});
/** `INSERT INTO name (columns) SELECT select FROM source [WHERE where] [FOR …] [ON CONFLICT …]`; a string is a column. */
export function insertSelect(
  name: string,
  columns: readonly string[],
  source: string,
  selectList: readonly (Expr | string)[],
  where: Expr | null = null,
  options: InsertOptions & { readonly locking?: LockingClause } = {},
): Statement {
  const { locking, ...insertOptions } = options;
  return {
    kind: 'insertSelect',
    table: name,
    columns,
    query: {
      table: source,
      select: selectList.map((entry) => (typeof entry === 'string' ? col(entry) : entry)),
      where,
      ...(locking === undefined ? {} : { locking }),
    },
    options: insertOptions,
  };
}
/** `UPDATE name SET … FROM from [AS alias] WHERE …`; FROM columns are `fromCol(alias, c)`. */
export const updateFrom = (name: string, set: Assignments, from: FromItem, where: Expr | null): Statement => ({
  kind: 'update',
  table: name,
  set,
  where,
  options: {},
  from,
});
export const remove = (name: string, where: Expr | null = null, only = false): Statement => ({
  kind: 'delete',
  table: name,
  where,
  options: only ? { only } : {},
});
export const select = (name: string, options: SelectOptions = {}): Statement => ({
  kind: 'select',
  table: name,
  options,
});
export const dropTable = (name: string, cascade = false): Statement => ({
  kind: 'dropTable',
  name,
  options: cascade ? { cascade } : {},
});
export const renameTable = (name: string, newName: string): Statement => ({ kind: 'renameTable', name, newName });
export const addColumn = (name: string, columnText: string): Statement => ({
  kind: 'addColumn',
  table: name,
  column: columns(columnText)[0]!,
  options: {},
});
export const renameColumn = (name: string, column: string, newName: string): Statement => ({
  kind: 'renameColumn',
  table: name,
  column,
  newName,
});
export const dropColumn = (name: string, column: string, cascade = false): Statement => ({
  kind: 'dropColumn',
  table: name,
  column,
  options: cascade ? { cascade } : {},
});
export const setNotNull = (name: string, column: string): Statement => ({
  kind: 'setColumnNotNull',
  table: name,
  column,
  notNull: true,
});
export const dropNotNull = (name: string, column: string): Statement => ({
  kind: 'setColumnNotNull',
  table: name,
  column,
  notNull: false,
});
export const addConstraint = (name: string, constraint: ConstraintSpec): Statement => ({
  kind: 'addConstraint',
  table: name,
  constraint,
});
export const validate = (name: string, constraint: string): Statement => ({
  kind: 'validateConstraint',
  table: name,
  name: constraint,
});
export const dropConstraint = (name: string, constraint: string, ifExists = false): Statement => ({
  kind: 'dropConstraint',
  table: name,
  name: constraint,
  options: ifExists ? { ifExists } : {},
});
export const renameConstraint = (name: string, constraint: string, newName: string): Statement => ({
  kind: 'renameConstraint',
  table: name,
  name: constraint,
  newName,
});
export const attach = (parent: string, child: string, values: PartitionBoundSpec): Statement => ({
  kind: 'attachPartition',
  parent,
  partition: child,
  values,
});
export const detach = (parent: string, child: string): Statement => ({
  kind: 'detachPartition',
  parent,
  partition: child,
});
export const createIndex = (spec: IndexSpec): Statement => ({ kind: 'createIndex', spec });
export const createIndexConcurrently = (spec: IndexSpec): Statement => ({
  kind: 'createIndex',
  spec,
  concurrently: true,
});
/** `CREATE INDEX … ON ONLY table`: the partitioned table's index alone, INVALID until its partitions' are attached. */
export const createIndexOnly = (spec: Omit<IndexSpec, 'only'>): Statement => ({
  kind: 'createIndex',
  spec: { ...spec, only: true },
});
/** `ALTER INDEX parent ATTACH PARTITION child`. */
export const attachIndex = (parent: string, child: string): Statement => ({
  kind: 'attachIndex',
  parent,
  partition: child,
});
export const dropIndex = (name: string): Statement => ({ kind: 'dropIndex', name, options: {} });
export const dropIndexConcurrently = (name: string, ifExists = false): Statement => ({
  kind: 'dropIndex',
  name,
  options: ifExists ? { concurrently: true, ifExists } : { concurrently: true },
});
export const begin: Statement = { kind: 'begin' };
export const commit: Statement = { kind: 'commit' };
export const rollback: Statement = { kind: 'rollback' };
export const savepoint = (name: string): Statement => ({ kind: 'savepoint', name });
export const rollbackTo = (name: string): Statement => ({ kind: 'rollbackToSavepoint', name });

export const primaryKey = (cols: readonly string[], name?: string): ConstraintSpec => ({
  kind: 'primaryKey',
  columns: cols,
  ...(name ? { name } : {}),
});
/** `[CONSTRAINT name] { PRIMARY KEY | UNIQUE } USING INDEX index` (ALTER TABLE … ADD). */
export const keyUsingIndex = (kind: 'primaryKey' | 'unique', index: string, name?: string): ConstraintSpec => ({
  kind,
  columns: [],
  usingIndex: index,
  ...(name ? { name } : {}),
});
export const unique = (cols: readonly string[], name?: string): ConstraintSpec => ({
  kind: 'unique',
  columns: cols,
  ...(name ? { name } : {}),
});

export function check(
  expr: Expr,
  name?: string,
  options: { readonly notValid?: boolean; readonly noInherit?: boolean } = {},
): CheckSpec {
  return {
    kind: 'check',
    expr,
    ...(name ? { name } : {}),
    ...(options.notValid ? { notValid: true } : {}),
    ...(options.noInherit ? { noInherit: true } : {}),
  };
}

/** `[CONSTRAINT name] NOT NULL column [NO INHERIT] [NOT VALID]` (PostgreSQL 18's named not-null constraint). */
export function notNull(
  column: string,
  name?: string,
  options: { readonly notValid?: boolean; readonly noInherit?: boolean } = {},
): NotNullSpec {
  return {
    kind: 'notNull',
    column,
    ...(name ? { name } : {}),
    ...(options.notValid ? { notValid: true } : {}),
    ...(options.noInherit ? { noInherit: true } : {}),
  };
}

export interface ForeignKeyOptions {
  readonly name?: string;
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
  readonly notValid?: boolean;
  readonly deferrable?: boolean;
  readonly initiallyDeferred?: boolean;
}

export function foreignKey(
  cols: readonly string[],
  referenced: string,
  referencedColumns?: readonly string[],
  options: ForeignKeyOptions = {},
): ForeignKeySpec {
  return {
    kind: 'foreignKey',
    columns: cols,
    references: referencedColumns ? { table: referenced, columns: referencedColumns } : { table: referenced },
    ...(options.name ? { name: options.name } : {}),
    ...(options.onDelete ? { onDelete: options.onDelete } : {}),
    ...(options.onUpdate ? { onUpdate: options.onUpdate } : {}),
    ...(options.notValid ? { notValid: true } : {}),
    ...(options.deferrable !== undefined ? { deferrable: options.deferrable } : {}),
    ...(options.initiallyDeferred ? { initiallyDeferred: true } : {}),
  };
}

/** SET CONSTRAINTS { ALL | name, … } { DEFERRED | IMMEDIATE }. */
export const setConstraints = (constraints: 'all' | readonly string[], mode: 'deferred' | 'immediate'): Statement => ({
  kind: 'setConstraints',
  constraints,
  mode,
});
export const releaseSavepoint = (name: string): Statement => ({ kind: 'releaseSavepoint', name });

export const truncate = (names: readonly string[], cascade = false): Statement => ({
  kind: 'truncate',
  tables: names,
  options: cascade ? { cascade } : {},
});
