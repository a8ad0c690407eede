/**
 * Random schemas and random statement sequences over them, as plain data (so they print, shrink
 * and replay). Every table has the same columns, so any key can reference any other table's key
 * and any trigger template fits any table:
 *
 *   k1, k2 integer — key parts; p smallint — the LIST partition key; v integer, s text — data;
 *   r1, r2 integer, rp smallint — referencing columns, matched by position to k1, k2, p.
 *
 * Values come from tiny domains so that keys collide, references dangle and checks fail often.
 */
import fc from 'fast-check';
import type { ReferentialAction } from '../engine/catalog.js';
import { makeObjectName } from '../engine/ddl/naming.js';
import type { ColumnSpec, ConstraintSpec, TableSpec } from '../engine/ddl/specs.js';
import {
  and,
  arithmetic,
  caseWhen,
  charLength,
  coalesce,
  col,
  eq,
  excluded,
  fromCol,
  ge,
  gt,
  inList,
  isDistinctFrom,
  isNotDistinctFrom,
  isNotNull,
  isNull,
  le,
  like,
  lower,
  lt,
  ne,
  not,
  notLike,
  or,
} from '../engine/expression.js';
import type { Expr } from '../engine/expression.js';
import type { Row, SqlValue } from '../engine/values.js';
import type { Statement } from '../engine/statements/registry.js';
import type { LockingClause } from '../engine/statements/select.js';
import { AUDIT_TABLE, TRIGGER_TEMPLATES } from './triggerTemplates.js';
import type { TriggerUse } from './triggerTemplates.js';

export type ProgramOp =
  | Exclude<Statement, { readonly kind: 'createTrigger' }>
  | { readonly kind: 'trigger'; readonly use: TriggerUse };

export interface Program {
  /** The schema: CREATE TABLE and partitions, in order. */
  readonly setup: readonly ProgramOp[];
  /** Statements over it: DML, DDL, transaction control. */
  readonly ops: readonly ProgramOp[];
}

/** A table name that must survive quoting: an injection attempt that has to stay one identifier. */
export const HOSTILE_NAME = 'x"; DROP TABLE t0; --';
export const HOSTILE_TEXT = "'); DROP TABLE t0; --";

/** The columns every random table has (see the module comment). */
export const COLUMNS: readonly ColumnSpec[] = [
  { name: 'k1', type: 'integer' },
  { name: 'k2', type: 'integer' },
  { name: 'p', type: 'smallint' },
  { name: 'v', type: 'integer' },
  { name: 's', type: 'text' },
  { name: 'r1', type: 'integer' },
  { name: 'r2', type: 'integer' },
  { name: 'rp', type: 'smallint' },
];
const REFERENCING: Readonly<Record<string, string>> = { k1: 'r1', k2: 'r2', p: 'rp' };
export const ACTIONS: readonly ReferentialAction[] = ['no action', 'restrict', 'cascade', 'set null'];

export interface TableDesign {
  readonly name: string;
  readonly key: readonly string[];
  /** Partition names and bounds when the table is LIST-partitioned by p. */
  readonly partitions:
    | readonly { readonly name: string; readonly values: readonly number[] | 'default'; readonly attached: boolean }[]
    | null;
}

const keyValue = fc.constantFrom<SqlValue>(1, 2, 3, null);
const partValue = fc.constantFrom<SqlValue>(1, 2, 3, null);
const dataValue = fc.constantFrom<SqlValue>(-1, 0, 5, null);
const textValue = fc.constantFrom<SqlValue>('a', 'skip', 'keep', "it's", HOSTILE_TEXT, null);
const valueFor = (column: string): fc.Arbitrary<SqlValue> =>
  column === 'p' || column === 'rp' ? partValue : column === 's' ? textValue : column === 'v' ? dataValue : keyValue;

const tableDesign = (index: number): fc.Arbitrary<TableDesign> =>
  fc
    .record({
      composite: fc.boolean(),
      partitioned: fc.boolean(),
      withDefault: fc.boolean(),
      detachedSecond: fc.boolean(),
      hostile: fc.integer({ min: 0, max: 9 }),
    })
    .map(({ composite, partitioned, withDefault, detachedSecond, hostile }) => {
      // The last table now and then gets the hostile name, so every kind of statement quotes it.
      const name = index === 2 && hostile === 0 ? HOSTILE_NAME : `t${index}`;
      const key = [...(composite ? ['k1', 'k2'] : ['k1']), ...(partitioned ? ['p'] : [])];
      const partitions = partitioned
        ? [
            { name: `t${index}_a`, values: [1] as readonly number[], attached: true },
            { name: `t${index}_b`, values: [2] as readonly number[], attached: !detachedSecond },
            ...(withDefault ? [{ name: `t${index}_d`, values: 'default' as const, attached: true }] : []),
          ]
        : null;
      return { name, key, partitions };
    });

/** A foreign key from `_from`'s referencing columns to `to`'s whole key (r1 → k1, r2 → k2, rp → p). */
export function foreignKey(
  name: string,
  _from: TableDesign,
  to: TableDesign,
  onDelete: ReferentialAction,
  onUpdate: ReferentialAction,
  notValid: boolean,
  timing: KeyTiming = 'immediate',
): ConstraintSpec {
  return {
    kind: 'foreignKey',
    name,
    columns: to.key.map((column) => REFERENCING[column]!),
    references: { table: to.name, columns: to.key },
    onDelete,
    onUpdate,
    notValid,
    ...(timing === 'immediate' ? {} : { deferrable: true }),
    ...(timing === 'initiallyDeferred' ? { initiallyDeferred: true } : {}),
  };
}

/** NOT DEFERRABLE, DEFERRABLE (INITIALLY IMMEDIATE), or DEFERRABLE INITIALLY DEFERRED. */
export type KeyTiming = 'immediate' | 'deferrable' | 'initiallyDeferred';
const KEY_TIMINGS: readonly KeyTiming[] = ['immediate', 'immediate', 'deferrable', 'initiallyDeferred'];

/**
 * CHECK expressions: comparisons, and the shapes GitLab's helpers emit (`add_text_limit`'s
 * char_length, lower, coalesce, CASE, IS DISTINCT FROM, LIKE, arithmetic).
 */
const CHECKS: readonly Expr[] = [
  ge(col('v'), 0),
  ne(col('s'), 'a'),
  or(lt(col('k1'), 3), isNull(col('v'))),
  not(eq(col('p'), 3)),
  le(charLength(col('s')), 4),
  eq(lower(col('s')), col('s')),
  ge(coalesce(col('v'), 0), 0),
  isDistinctFrom(col('k1'), col('k2')),
  notLike(col('s'), '%e%'),
  lt(arithmetic('+', col('v'), col('k1')), 6),
  caseWhen([[lt(col('v'), 0), isNotNull(col('s'))]], true),
  // The shape of GitLab's add_not_null_constraint: once validated, SET NOT NULL needs no scan.
  isNotNull(col('v')),
];

function predicate(): fc.Arbitrary<Expr> {
  const atom = fc.oneof(
    fc.tuple(fc.constantFrom('k1', 'k2', 'p', 'v', 'r1'), keyValue).map(([column, value]) => eq(col(column), value)),
    fc.constantFrom('v', 's', 'r1', 'k2').map((column) => isNull(col(column))),
    fc.constantFrom('v', 's').map((column) => isNotNull(col(column))),
    fc
      .tuple(fc.constantFrom('k1', 'p'), fc.uniqueArray(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }))
      .map(([column, values]) => inList(col(column), values)),
    textValue.map((value) => eq(col('s'), value)),
    fc.constantFrom('k%', "%'%", '_'.repeat(4)).map((pattern) => like(col('s'), pattern)),
    dataValue.map((value) => isNotDistinctFrom(col('v'), value)),
    fc.constantFrom(
      lt(arithmetic('*', col('v'), 2), 1),
      gt(coalesce(col('v'), col('k1')), 0),
      le(charLength(col('s')), 1),
    ),
  );
  return fc.oneof(
    { arbitrary: atom, weight: 4 },
    { arbitrary: fc.tuple(atom, atom).map(([left, right]) => and(left, right)), weight: 1 },
    { arbitrary: fc.tuple(atom, atom).map(([left, right]) => or(left, right)), weight: 1 },
  );
}

function rowArbitrary(): fc.Arbitrary<Row> {
  // Each row sets a random subset of the columns; the others take their defaults (NULL).
  return fc.record(Object.fromEntries(COLUMNS.map((column) => [column.name, valueFor(column.name)])), {
    requiredKeys: ['k1', 'p'],
  }) as fc.Arbitrary<Row>;
}

/** A random schema: the audit table, the tables with their keys, CHECKs and partitions, then triggers. */
export function schemaArbitrary(): fc.Arbitrary<{
  readonly tables: readonly TableDesign[];
  readonly setup: readonly ProgramOp[];
}> {
  return fc.integer({ min: 1, max: 3 }).chain((count) =>
    fc
      .tuple(
        fc.tuple(...Array.from({ length: count }, (_, index) => tableDesign(index))),
        fc.array(
          fc.record({
            from: fc.nat(),
            to: fc.nat(),
            onDelete: fc.constantFrom(...ACTIONS),
            onUpdate: fc.constantFrom(...ACTIONS),
            timing: fc.constantFrom(...KEY_TIMINGS),
          }),
          { maxLength: 2 },
        ),
        fc.array(fc.record({ table: fc.nat(), check: fc.nat({ max: CHECKS.length - 1 }) }), { maxLength: 1 }),
        fc.array(fc.record({ template: fc.constantFrom(...TRIGGER_TEMPLATES), table: fc.nat() }), { maxLength: 2 }),
      )
      .map(([tables, keys, checks, triggers]) => {
        const setup: ProgramOp[] = [
          {
            kind: 'createTable',
            spec: {
              name: AUDIT_TABLE,
              columns: [
                { name: 'n', type: 'bigserial' },
                { name: 'tbl', type: 'text' },
                { name: 'op', type: 'text' },
                { name: 'v', type: 'integer' },
              ],
              primaryKey: ['n'],
            },
          },
        ];
        tables.forEach((table, index) => {
          // Keys only point backwards (or at the table itself), so every CREATE TABLE can name them.
          const constraints: ConstraintSpec[] = keys
            .filter((key) => key.from % tables.length === index && key.to % tables.length <= index)
            .map((key, position) =>
              foreignKey(
                `fk_${index}_${position}`,
                table,
                tables[key.to % tables.length]!,
                key.onDelete,
                key.onUpdate,
                false,
                key.timing,
              ),
            );
          for (const [position, check] of checks.entries())
            if (check.table % tables.length === index)
              constraints.push({ kind: 'check', name: `ck_${index}_${position}`, expr: CHECKS[check.check]! });
          const spec: TableSpec = {
            name: table.name,
            columns: COLUMNS,
            primaryKey: table.key,
            constraints,
            ...(table.partitions ? { partitionBy: { list: 'p' } } : {}),
          };
          setup.push({ kind: 'createTable', spec });
          for (const partition of table.partitions ?? []) {
            setup.push(
              partition.attached
                ? {
                    kind: 'createTable',
                    spec: { name: partition.name, partitionOf: { parent: table.name, values: partition.values } },
                  }
                : { kind: 'createTable', spec: { name: partition.name, columns: COLUMNS } },
            );
          }
        });
        for (const [index, trigger] of triggers.entries())
          setup.push({
            kind: 'trigger',
            use: {
              template: trigger.template,
              name: `trg_${index}`,
              table: tables[trigger.table % tables.length]!.name,
            },
          });
        return { tables, setup };
      }),
  );
}

/** Statements over the tables: DML, DDL (`ddl`, each kind by name) and transaction control. */
export function statementArbitraries(tables: readonly TableDesign[]): {
  readonly insert: fc.Arbitrary<ProgramOp>;
  readonly update: fc.Arbitrary<ProgramOp>;
  readonly insertSelect: fc.Arbitrary<ProgramOp>;
  readonly updateFrom: fc.Arbitrary<ProgramOp>;
  readonly remove: fc.Arbitrary<ProgramOp>;
  readonly select: fc.Arbitrary<ProgramOp>;
  readonly transaction: fc.Arbitrary<ProgramOp>;
  readonly setConstraints: fc.Arbitrary<ProgramOp>;
  readonly ddl: Readonly<Record<string, fc.Arbitrary<ProgramOp>>>;
} {
  const leaves = tables.flatMap((table) => [
    table.name,
    ...(table.partitions ?? []).map((partition) => partition.name),
  ]);
  const tableName = fc.oneof(
    { arbitrary: fc.constantFrom(...tables.map((table) => table.name)), weight: 4 },
    { arbitrary: fc.constantFrom(...leaves), weight: 1 },
  );
  const design = fc.constantFrom(...tables);
  const constraintName = fc.constantFrom('fk_x0', 'fk_x1', 'ck_x0', 'fk_0_0', 'fk_1_0', 'ck_0_0', 'ck_1_0');
  const insert = fc
    .record({
      table: tableName,
      rows: fc.array(rowArbitrary(), { minLength: 1, maxLength: 3 }),
      conflict: fc.nat({ max: 9 }),
      designIndex: fc.nat(),
    })
    .map(({ table, rows, conflict, designIndex }): ProgramOp => {
      const owner = tables.find((candidate) => candidate.name === table) ?? tables[designIndex % tables.length]!;
      const options =
        conflict === 0
          ? { onConflict: { action: 'nothing' as const } }
          : conflict === 1
            ? { onConflict: { target: owner.key, action: 'nothing' as const } }
            : conflict === 2
              ? { onConflict: { target: owner.key, action: { update: { v: excluded('v'), s: excluded('s') } } } }
              : {};
      return { kind: 'insert', table, rows, options };
    });
  const assignments = fc
    .uniqueArray(fc.constantFrom('k1', 'k2', 'p', 'v', 's', 'r1', 'rp'), { minLength: 1, maxLength: 2 })
    .chain((columns) =>
      fc
        .tuple(...columns.map((column) => valueFor(column).map((value) => [column, value] as const)))
        .map((pairs) => Object.fromEntries(pairs)),
    );
  const update = fc
    .record({ table: tableName, set: assignments, where: fc.option(predicate(), { nil: null }) })
    .map(({ table, set, where }): ProgramOp => ({ kind: 'update', table, set, where, options: {} }));
  // INSERT … SELECT, the partitioning backfill's shape (every table has the same columns, so any
  // table or partition is a source): a column subset, an optional filter and locking clause, and the
  // ON CONFLICT choices of INSERT.
  const insertSelect = fc
    .record({
      table: tableName,
      source: tableName,
      columns: fc.uniqueArray(fc.constantFrom(...COLUMNS.map((column) => column.name)), {
        minLength: 1,
        maxLength: COLUMNS.length,
      }),
      withKeys: fc.nat({ max: 3 }),
      shift: fc.constantFrom<string | null>(null, null, 'v', 'k1'),
      where: fc.option(predicate(), { nil: null, freq: 2 }),
      locking: fc.constantFrom<LockingClause | null>(null, null, { strength: 'Update' }, { strength: 'KeyShare' }),
      conflict: fc.nat({ max: 5 }),
      designIndex: fc.nat(),
    })
    .map(({ table, source, columns: drawn, withKeys, shift, where, locking, conflict, designIndex }): ProgramOp => {
      const owner = tables.find((candidate) => candidate.name === table) ?? tables[designIndex % tables.length]!;
      const options =
        conflict === 0
          ? { onConflict: { action: 'nothing' as const } }
          : conflict === 1
            ? { onConflict: { target: owner.key, action: 'nothing' as const } }
            : conflict === 2
              ? { onConflict: { target: owner.key, action: { update: { v: excluded('v'), s: excluded('s') } } } }
              : {};
      // Mostly every key column is copied (as a backfill copies whole rows); otherwise the others are NULL.
      const columns = withKeys === 0 ? drawn : [...new Set([...drawn, 'k1', 'k2', 'p'])];
      return {
        kind: 'insertSelect',
        table,
        columns,
        query: {
          table: source,
          // Now and then a column is shifted (k1 + 1), so the copy makes new keys and collides with old ones.
          select: columns.map((column) => (column === shift ? arithmetic('+', col(column), 1) : col(column))),
          where,
          ...(locking === null ? {} : { locking }),
        },
        options,
      };
    });
  // UPDATE … FROM, the sharding-key backfill's shape: the target's referencing columns joined to the
  // FROM table's key (so a target row meets at most one FROM row, as in GitLab's backfills), the FROM
  // table under an alias now and then (it may be the target itself only through one).
  const updateFrom = fc
    .record({
      table: tableName,
      from: design,
      alias: fc.boolean(),
      // The target column and the FROM column it takes: data, a key (23505, RI actions), the partition
      // key (row movement, 23514) or a referencing column (23503).
      set: fc.constantFrom<readonly [string, string]>(
        ['v', 'v'],
        ['s', 's'],
        ['v', 'k1'],
        ['k1', 'k2'],
        ['p', 'v'],
        ['r1', 'v'],
      ),
      viaReferences: fc.boolean(),
      filter: fc.option(predicate(), { nil: null }),
    })
    .map(({ table, from, alias, set, viaReferences, filter }): ProgramOp => {
      const name = alias || from.name === table ? 'src' : from.name;
      // The FROM table's whole key, matched by the target's referencing columns (r1 = s.k1, the
      // backfill's t.fk = s.id) or by its own columns of the same names (k1 = s.k1).
      const join = from.key.map((column) =>
        eq(col(viaReferences ? REFERENCING[column]! : column), fromCol(name, column)),
      );
      return {
        kind: 'update',
        table,
        set: { [set[0]]: fromCol(name, set[1]) },
        from: name === from.name ? { table: from.name } : { table: from.name, alias: name },
        where: and(...join, ...(filter === null ? [] : [filter])),
        options: {},
      };
    });
  const remove = fc
    .record({ table: tableName, where: fc.option(predicate(), { nil: null, freq: 4 }) })
    .map(({ table, where }): ProgramOp => ({ kind: 'delete', table, where, options: {} }));
  const select = fc
    .record({ table: tableName, where: fc.option(predicate(), { nil: undefined }) })
    .map(({ table, where }): ProgramOp => ({ kind: 'select', table, options: where === undefined ? {} : { where } }));
  const transaction = fc.constantFrom<ProgramOp>(
    { kind: 'begin' },
    { kind: 'commit' },
    { kind: 'rollback' },
    { kind: 'savepoint', name: 'sp' },
    { kind: 'rollbackToSavepoint', name: 'sp' },
    { kind: 'releaseSavepoint', name: 'sp' },
  );
  const addForeignKey = fc
    .record({
      from: design,
      to: design,
      name: fc.constantFrom('fk_x0', 'fk_x1'),
      onDelete: fc.constantFrom(...ACTIONS),
      onUpdate: fc.constantFrom(...ACTIONS),
      notValid: fc.boolean(),
      timing: fc.constantFrom(...KEY_TIMINGS),
    })
    .map(
      ({ from, to, name, onDelete, onUpdate, notValid, timing }): ProgramOp => ({
        kind: 'addConstraint',
        table: from.name,
        constraint: foreignKey(name, from, to, onDelete, onUpdate, notValid, timing),
      }),
    );
  // SET CONSTRAINTS: deferred checks wait for COMMIT, IMMEDIATE fires them at once; a name may be
  // unknown (42704) or not deferrable (42809).
  const setConstraints = fc
    .record({
      names: fc.option(
        fc.uniqueArray(fc.constantFrom('fk_x0', 'fk_x1', 'fk_0_0', 'fk_1_0', 'ck_0_0'), { minLength: 1, maxLength: 2 }),
        {
          nil: null,
        },
      ),
      deferred: fc.boolean(),
    })
    .map(
      ({ names, deferred }): ProgramOp => ({
        kind: 'setConstraints',
        constraints: names ?? 'all',
        mode: deferred ? 'deferred' : 'immediate',
      }),
    );
  const addCheck = fc.record({ table: tableName, check: fc.constantFrom(...CHECKS), notValid: fc.boolean() }).map(
    ({ table, check, notValid }): ProgramOp => ({
      kind: 'addConstraint',
      table,
      constraint: { kind: 'check', name: 'ck_x0', expr: check, notValid },
    }),
  );
  const validate = fc
    .record({ table: tableName, name: constraintName })
    .map(({ table, name }): ProgramOp => ({ kind: 'validateConstraint', table, name }));
  const drop = fc
    .record({ table: tableName, name: constraintName })
    .map(({ table, name }): ProgramOp => ({ kind: 'dropConstraint', table, name, options: {} }));
  const index = fc.record({ owner: design, partial: fc.boolean() }).map(
    ({ owner, partial }): ProgramOp => ({
      kind: 'createIndex',
      spec: {
        name: 'ux_0',
        table: owner.name,
        columns: owner.partitions ? ['s', 'p'] : ['s'],
        unique: true,
        ...(partial ? { where: isNotNull(col('v')) } : {}),
      },
    }),
  );
  const dropIndex = fc.constant<ProgramOp>({ kind: 'dropIndex', name: 'ux_0', options: {} });
  // TRUNCATE of one or two tables: refused while a table outside the set references one of them.
  const truncate = fc
    .record({ tables: fc.uniqueArray(tableName, { minLength: 1, maxLength: 2 }), cascade: fc.boolean() })
    .map(
      ({ tables: names, cascade }): ProgramOp => ({
        kind: 'truncate',
        tables: names,
        options: cascade ? { cascade } : {},
      }),
    );
  const partitioned = tables.filter((table) => table.partitions !== null);
  const partitionOps =
    partitioned.length === 0
      ? []
      : [
          fc.constantFrom(...partitioned).chain((table) =>
            fc.constantFrom(...table.partitions!).chain((partition) =>
              fc.constantFrom<ProgramOp>(
                { kind: 'detachPartition', parent: table.name, partition: partition.name },
                {
                  kind: 'attachPartition',
                  parent: table.name,
                  partition: partition.name,
                  values: partition.values,
                },
              ),
            ),
          ),
        ];
  const trigger = fc
    .record({ template: fc.constantFrom(...TRIGGER_TEMPLATES), table: tableName, slot: fc.integer({ min: 5, max: 6 }) })
    .map(
      ({ template, table, slot }): ProgramOp => ({ kind: 'trigger', use: { template, name: `trg_${slot}`, table } }),
    );
  // RENAME COLUMN of a key column and back: the keys, foreign keys (both sides), CHECKs and indexes
  // that name it follow; statements that still name the old column fail alike on both sides. The
  // trigger templates' bodies read only v and s, which are never renamed (a PL/pgSQL body keeps
  // the names it was written with).
  const renameColumn = fc.record({ table: tableName, forward: fc.boolean(), column: fc.constantFrom('k2', 'r1') }).map(
    ({ table, forward, column }): ProgramOp => ({
      kind: 'renameColumn',
      table,
      column: forward ? column : `${column}_renamed`,
      newName: forward ? `${column}_renamed` : column,
    }),
  );
  // SET / DROP NOT NULL (a validated CHECK (v IS NOT NULL) proves SET NOT NULL without a scan).
  const notNull = fc
    .record({ table: tableName, column: fc.constantFrom('v', 's'), set: fc.boolean() })
    .map(({ table, column, set }): ProgramOp => ({ kind: 'setColumnNotNull', table, column, notNull: set }));
  const toggleTrigger = fc.record({ table: tableName, slot: fc.integer({ min: 0, max: 1 }), enable: fc.boolean() }).map(
    ({ table, slot, enable }): ProgramOp => ({
      kind: enable ? 'enableTrigger' : 'disableTrigger',
      table,
      name: `trg_${slot}`,
    }),
  );
  return {
    insert,
    update,
    insertSelect,
    updateFrom,
    remove,
    select,
    transaction,
    setConstraints,
    ddl: {
      addForeignKey,
      addCheck,
      validate,
      drop,
      index,
      dropIndex,
      trigger,
      toggleTrigger,
      truncate,
      renameColumn,
      notNull,
      ...(partitionOps.length === 0 ? {} : { partition: partitionOps[0]! }),
    },
  };
}

/**
 * PostgreSQL 18's named not-null constraints: `ADD [CONSTRAINT nn_x0] NOT NULL col [NOT VALID]`
 * (unnamed ones get `<table>_<col>_not_null`), VALIDATE and DROP CONSTRAINT of either name, on a
 * table or one of its partitions (where an inherited one cannot be dropped, 42P16). Together with
 * the SET / DROP NOT NULL of `statementArbitraries`, which validates a NOT VALID one. Drawn only by
 * the single-session programs (the session campaign keeps its own statement mix).
 */
function notNullConstraintOps(tables: readonly TableDesign[]): fc.Arbitrary<ProgramOp> {
  // Mostly the first table (and its partitions, which inherit its constraints under the same
  // name), one column and one name, so a VALIDATE or DROP often meets what an earlier ADD made.
  const first = tables[0]!;
  const firstPartitions = (first.partitions ?? []).map((partition) => partition.name);
  const owner = fc.oneof(
    { arbitrary: fc.constant(first.name), weight: 6 },
    { arbitrary: fc.constantFrom(...(firstPartitions.length > 0 ? firstPartitions : [first.name])), weight: 2 },
    { arbitrary: fc.constantFrom(...tables.map((table) => table.name)), weight: 1 },
  );
  const column = fc.constantFrom('v', 'v', 'v', 's');
  const named = fc.constantFrom(true, true, true, false);
  const name = (table: string, isNamed: boolean, onColumn: string): string =>
    isNamed ? 'nn_x0' : makeObjectName(table, onColumn, 'not_null');
  const target = fc.record({ table: owner, column, named });
  const add = fc.record({ target, notValid: fc.constantFrom(true, true, false) }).map(
    ({ target: { table, column: onColumn, named: isNamed }, notValid }): ProgramOp => ({
      kind: 'addConstraint',
      table,
      constraint: { kind: 'notNull', column: onColumn, notValid, ...(isNamed ? { name: 'nn_x0' } : {}) },
    }),
  );
  const validate = target.map(
    ({ table, column: onColumn, named: isNamed }): ProgramOp => ({
      kind: 'validateConstraint',
      table,
      name: name(table, isNamed, onColumn),
    }),
  );
  const drop = target.map(
    ({ table, column: onColumn, named: isNamed }): ProgramOp => ({
      kind: 'dropConstraint',
      table,
      name: name(table, isNamed, onColumn),
      options: {},
    }),
  );
  return fc.oneof({ arbitrary: add, weight: 3 }, { arbitrary: validate, weight: 3 }, { arbitrary: drop, weight: 1 });
}

/**
 * GitLab's partitioned index built in steps: `CREATE UNIQUE INDEX … ON ONLY` the partitioned table
 * (INVALID while a partition lacks one), each partition's own index, and `ALTER INDEX … ATTACH
 * PARTITION`, which validates the parent once every partition has one. Drawn only by the
 * single-session programs (the session campaign keeps its own statement mix).
 */
function partitionedIndexOps(tables: readonly TableDesign[]): fc.Arbitrary<ProgramOp>[] {
  const partitioned = tables.filter((table) => table.partitions !== null);
  if (partitioned.length === 0) return [];
  const onParent = fc.record({ table: fc.constantFrom(...partitioned), only: fc.boolean() }).map(
    ({ table, only }): ProgramOp => ({
      kind: 'createIndex',
      spec: { name: 'ux_p', table: table.name, columns: ['s', 'p'], unique: true, ...(only ? { only } : {}) },
    }),
  );
  const onPartition = fc
    .record({
      table: fc.constantFrom(...partitioned),
      slot: fc.nat(),
      partial: fc.boolean(),
      attach: fc.nat({ max: 2 }).map((draw) => draw > 0),
    })
    .map(({ table, slot, partial, attach }): ProgramOp => {
      const partition = table.partitions![slot % table.partitions!.length]!;
      return attach
        ? { kind: 'attachIndex', parent: 'ux_p', partition: `ux_${partition.name}` }
        : {
            kind: 'createIndex',
            spec: {
              name: `ux_${partition.name}`,
              table: partition.name,
              columns: ['s', 'p'],
              unique: true,
              ...(partial ? { where: isNotNull(col('v')) } : {}),
            },
          };
    });
  return [onParent, onPartition];
}

/**
 * `ALTER TABLE … ADD [CONSTRAINT uq_x0] UNIQUE USING INDEX` over the indexes the programs build
 * (`ux_0`, the staged `ux_p` and partition indexes): adopted, or refused because the index is
 * partial, INVALID, of another table, on a partitioned table, or already a constraint's.
 */
function keyUsingIndexOp(tables: readonly TableDesign[]): fc.Arbitrary<ProgramOp> {
  const indexes = [
    'ux_0',
    'ux_p',
    ...tables.flatMap((table) => (table.partitions ?? []).map((partition) => `ux_${partition.name}`)),
  ];
  const leaves = tables.flatMap((table) => [
    table.name,
    ...(table.partitions ?? []).map((partition) => partition.name),
  ]);
  return fc.record({ table: fc.constantFrom(...leaves), index: fc.constantFrom(...indexes), named: fc.boolean() }).map(
    ({ table, index, named }): ProgramOp => ({
      kind: 'addConstraint',
      table,
      constraint: { kind: 'unique', columns: [], usingIndex: index, ...(named ? { name: 'uq_x0' } : {}) },
    }),
  );
}

function opArbitrary(tables: readonly TableDesign[]): fc.Arbitrary<ProgramOp> {
  const { insert, update, insertSelect, updateFrom, remove, select, transaction, setConstraints, ddl } =
    statementArbitraries(tables);
  // The DDL kinds in their declaration order, so a seed draws the same programs as before.
  return fc.oneof(
    { arbitrary: insert, weight: 8 },
    { arbitrary: update, weight: 5 },
    { arbitrary: fc.oneof(insertSelect, updateFrom), weight: 3 },
    { arbitrary: remove, weight: 3 },
    { arbitrary: select, weight: 1 },
    { arbitrary: fc.oneof({ arbitrary: transaction, weight: 5 }, { arbitrary: setConstraints, weight: 1 }), weight: 4 },
    { arbitrary: fc.oneof(...Object.values(ddl)), weight: 3 },
    ...partitionedIndexOps(tables).map((arbitrary) => ({ arbitrary, weight: 1 })),
    { arbitrary: keyUsingIndexOp(tables), weight: 1 },
    { arbitrary: notNullConstraintOps(tables), weight: 4 },
  );
}

/**
 * Half of the schemas with a partitioned table start GitLab's staged index on the first one:
 * `ux_p` ON ONLY the table and an index on each attached partition, none attached yet, so the
 * program's ATTACH and CREATE INDEX statements find them.
 */
function stagedIndex(tables: readonly TableDesign[]): ProgramOp[] {
  const table = tables.find((candidate) => candidate.partitions !== null);
  if (table === undefined) return [];
  const columns = ['s', 'p'];
  return [
    { kind: 'createIndex', spec: { name: 'ux_p', table: table.name, columns, unique: true, only: true } },
    ...table
      .partitions!.filter((partition) => partition.attached)
      .map(
        (partition): ProgramOp => ({
          kind: 'createIndex',
          spec: { name: `ux_${partition.name}`, table: partition.name, columns, unique: true },
        }),
      ),
  ];
}

export function programArbitrary(maxOps = 25): fc.Arbitrary<Program> {
  return schemaArbitrary().chain(({ tables, setup }) =>
    fc.tuple(fc.boolean(), fc.array(opArbitrary(tables), { maxLength: maxOps })).map(([staged, ops]) => {
      // The staged index goes in before the triggers, which the schema creates last.
      const firstTrigger = setup.findIndex((op) => op.kind === 'trigger');
      const split = firstTrigger === -1 ? setup.length : firstTrigger;
      const indexes = staged ? stagedIndex(tables) : [];
      return { setup: [...setup.slice(0, split), ...indexes, ...setup.slice(split)], ops };
    }),
  );
}
