/** CREATE/DROP/RENAME TABLE and ADD/DROP COLUMN, with PostgreSQL's dependency rules. */
import { assert, fail } from '../assert.js';
import { truncateIdentifier } from '../identifier.js';
import { Relation } from '../catalog.js';
import type { ColumnDefault, ColumnDefinition, Tuple } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { referencedColumns } from '../expression.js';
import { evaluateDefault } from '../rowBuilding.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { liveTuples, markWritten, repointIndexEntries } from '../storage.js';
import { checkValueType } from '../values.js';
import type { Row, SqlValue } from '../values.js';
import { deleteMapEntry, setField, setMapEntry } from './catalogEdits.js';
import { addConstraint, addKeyConstraint, dropConstraint } from './constraintDdl.js';
import { dropIndex } from './indexDdl.js';
import { addNotNull, dropNotNull, removeNotNullTree, setNotNull } from './notNullDdl.js';
import { isRelationNameTaken, chooseRelationName } from './naming.js';
import {
  attachPartitionObjects,
  checkDefaultPartitionRows,
  checkNewPartitionBound,
  detachPartition,
} from './partitionDdl.js';
import { createSequence, lookupSequence, sequenceOfDefault } from './sequenceDdl.js';
import { removeTriggerTree, triggersUsingColumn } from './triggerDdl.js';
import type { ColumnDefaultSpec, ColumnSpec, TableSpec } from './specs.js';

function resolveDefault(
  state: EngineState,
  spec: ColumnDefaultSpec | undefined,
  type: ColumnDefinition['type'],
): ColumnDefault | null {
  if (spec === undefined || spec === null) return null;
  if (typeof spec === 'object') {
    if ('nextval' in spec) return { kind: 'nextval', sequenceId: lookupSequence(state, spec.nextval).id };
    return { kind: 'now' };
  }
  checkValueType(spec, type);
  return { kind: 'literal', value: spec };
}

/**
 * A column as the catalog holds it. A NOT NULL column (and a serial one) gets its not-null constraint
 * once the table has the column (`wantsNotNull`), which sets `notNull` (`syncNotNullFlag`); `notNull`
 * is what the column starts with: true only where that constraint is certain to follow in the same
 * statement (CREATE TABLE), so the flag is not set one column at a time, each a new column list.
 */
function buildColumn(state: EngineState, tableName: string, spec: ColumnSpec, notNull: boolean): ColumnDefinition {
  if (spec.type === 'bigserial' || spec.type === 'serial') {
    const sequence = createSequence(state, chooseRelationName(state, tableName, spec.name, 'seq'));
    return {
      name: spec.name,
      type: spec.type === 'bigserial' ? 'bigint' : 'integer',
      notNull,
      default: { kind: 'nextval', sequenceId: sequence.id },
    };
  }
  return {
    name: spec.name,
    type: spec.type,
    notNull,
    default: resolveDefault(state, spec.default, spec.type),
  };
}

/** Serial columns are NOT NULL too (PostgreSQL names their constraint like any other). */
const wantsNotNull = (spec: ColumnSpec): boolean =>
  spec.notNull === true || spec.type === 'bigserial' || spec.type === 'serial';

function ownSerialSequences(state: EngineState, relation: Relation): void {
  for (const column of relation.columns) {
    if (column.default?.kind !== 'nextval') continue;
    const sequence = sequenceOfDefault(state, column.default.sequenceId);
    if (sequence.ownedBy === null && sequence.name.endsWith('_seq'))
      setField(state, sequence, 'ownedBy', { relation, column: column.name });
  }
}

export function createTable(state: EngineState, rawSpec: TableSpec): Relation {
  // Copied only when truncation changes the name (nearly never): the spec is read, never written.
  const name = truncateIdentifier(rawSpec.name);
  const spec: TableSpec = name === rawSpec.name ? rawSpec : { ...rawSpec, name };
  if (isRelationNameTaken(state, spec.name))
    throw new PgError(SqlState.duplicateTable, `relation "${spec.name}" already exists`);
  const parent = spec.partitionOf ? lookupRelation(state, spec.partitionOf.parent) : null;
  if (parent !== null && !parent.isPartitioned)
    throw new PgError(SqlState.wrongObjectType, `"${parent.name}" is not partitioned`);
  if (parent === null && spec.columns === undefined)
    throw new PgError(SqlState.syntaxError, `table "${spec.name}" needs columns`);
  // A partition's columns are its parent's (frozen values, shared), attnotnull included: the parent's
  // not-null constraints, cloned below, give the partition one on exactly the columns whose flag is
  // set (a partitioned table has no NO INHERIT one), so the flags hold from the start. A new table's
  // NOT NULL and serial columns get their constraints below too (`wantsNotNull`); a key column only
  // NOT NULL through its key gets the flag when its constraint is added (`markColumnsNotNull`).
  // `assertNotNullFlags` holds the outcome to the rule.
  const columns =
    parent !== null
      ? parent.columns
      : spec.columns!.map((column) => buildColumn(state, spec.name, column, wantsNotNull(column)));
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name))
      throw new PgError(SqlState.duplicateColumn, `column "${column.name}" specified more than once`);
    names.add(column.name);
  }
  const partitionKey = spec.partitionBy?.list ?? null;
  if (partitionKey !== null && !names.has(partitionKey)) {
    throw new PgError(SqlState.undefinedColumn, `column "${partitionKey}" named in partition key does not exist`);
  }
  const relation = new Relation(spec.name, state.allocateOid(), parent ?? columns, partitionKey);
  setMapEntry(state, state.relations, spec.name, relation);
  if (parent === null) ownSerialSequences(state, relation);
  if (parent !== null) {
    const bound =
      spec.partitionOf!.values === 'default'
        ? { kind: 'default' as const }
        : { kind: 'list' as const, values: [...spec.partitionOf!.values] };
    checkNewPartitionBound(state, parent, relation, bound);
    checkDefaultPartitionRows(parent, bound, false);
    attachPartitionObjects(state, parent, relation, bound, { attaching: false });
  }
  // DefineRelation's order: named NOT NULL constraints, then the columns' own (whose generated
  // names avoid every name the statement gives), then keys, CHECKs and foreign keys.
  const explicit = spec.constraints ?? [];
  const avoid = new Set(explicit.flatMap((constraint) => (constraint.name === undefined ? [] : [constraint.name])));
  for (const constraint of explicit) {
    if (constraint.kind !== 'notNull') continue;
    // Two named NOT NULL clauses for one column are a parse-analysis error (transformTableConstraint).
    const earlier = relation.notNullConstraint(constraint.column);
    if (earlier !== undefined && constraint.name !== undefined && earlier.name !== constraint.name)
      throw new PgError(
        SqlState.syntaxError,
        `conflicting not-null constraint names "${earlier.name}" and "${constraint.name}"`,
      );
    addConstraint(state, relation, constraint, { atCreation: true });
  }
  // A primary key's columns are NOT NULL columns to the parser, which refuses them a NO INHERIT clause.
  const notNullColumns = (parent === null ? spec.columns! : []).filter(wantsNotNull).map((column) => column.name);
  for (const column of [...notNullColumns, ...(spec.primaryKey ?? [])]) {
    if (relation.notNullConstraint(column)?.noInherit === true)
      throw new PgError(
        SqlState.syntaxError,
        `conflicting NO INHERIT declaration for not-null constraint on column "${column}"`,
      );
  }
  for (const column of notNullColumns) addNotNull(state, relation, column, { kind: 'column', avoid }, { scan: false });
  if (spec.primaryKey) addKeyConstraint(state, relation, { kind: 'primaryKey', columns: spec.primaryKey }, null);
  for (const constraint of explicit)
    if (constraint.kind !== 'notNull') addConstraint(state, relation, constraint, { atCreation: true });
  assertNotNullFlags(relation);
  return relation;
}

/**
 * Each column's `notNull` (attnotnull) is set exactly when the column has a not-null constraint: every
 * constraint's column is flagged, and as many columns are flagged as there are constraints (a column
 * has at most one).
 */
function assertNotNullFlags(relation: Relation): void {
  let constrained = 0;
  for (const constraint of relation.constraints) {
    if (constraint.kind !== 'notNull') continue;
    constrained++;
    if (relation.column(constraint.columns[0])?.notNull !== true)
      fail(`${relation.name}: ${constraint.name} unflagged`);
  }
  let flagged = 0;
  for (const column of relation.columns) if (column.notNull) flagged++;
  if (flagged !== constrained) fail(`${relation.name} has a NOT NULL column without a not-null constraint`);
}

/**
 * Relations outside `relation`'s partition tree whose foreign keys point into it. A key that
 * references an ancestor counts too: PostgreSQL gives it a referenced-side constraint on every
 * partition, so a partition of a referenced table cannot be dropped while that key exists.
 */
function dependentForeignKeys(state: EngineState, relation: Relation) {
  const inTree = (candidate: Relation): boolean => relation.isAncestorOrSelfOf(candidate);
  const dependents = [];
  for (const other of state.relations.values()) {
    if (inTree(other)) continue;
    for (const foreignKey of other.foreignKeys()) {
      if (
        foreignKey.parent === null &&
        (inTree(foreignKey.referencedRelation) || foreignKey.referencedRelation.isAncestorOrSelfOf(relation))
      )
        dependents.push(foreignKey);
    }
  }
  return dependents;
}

export function dropTable(
  state: EngineState,
  name: string,
  options: { cascade?: boolean; ifExists?: boolean } = {},
): void {
  const relation = state.relations.get(name);
  if (relation === undefined) {
    if (options.ifExists) {
      state.notices.push(`NOTICE: table "${name}" does not exist, skipping`);
      return;
    }
    // DROP TABLE names the object kind it was asked for (RemoveRelations), unlike other lookups.
    throw new PgError(SqlState.undefinedTable, `table "${name}" does not exist`);
  }
  const dependents = dependentForeignKeys(state, relation);
  if (dependents.length > 0 && !options.cascade) {
    const first = dependents[0]!;
    throw new PgError(
      SqlState.dependentObjectsStillExist,
      `cannot drop table ${name} because other objects depend on it`,
      {
        detail: `constraint ${first.name} on table ${first.relation.name} depends on table ${name}`,
      },
    );
  }
  for (const foreignKey of dependents) {
    state.notices.push(`NOTICE: drop cascades to constraint ${foreignKey.name} on table ${foreignKey.relation.name}`);
    dropConstraint(state, foreignKey.relation, foreignKey.name);
  }
  if (relation.parent !== null) detachPartition(state, relation.parent, relation);
  const removeTree = (current: Relation): void => {
    for (const partition of [...current.partitions]) removeTree(partition);
    for (const sequence of [...state.sequences.values()])
      if (sequence.ownedBy?.relation === current) deleteMapEntry(state, state.sequences, sequence.name);
    deleteMapEntry(state, state.relations, current.name);
  };
  removeTree(relation);
}

export function renameTable(state: EngineState, rawName: string, rawNewName: string): void {
  const name = truncateIdentifier(rawName);
  const newName = truncateIdentifier(rawNewName);
  const relation = lookupRelation(state, name);
  if (isRelationNameTaken(state, newName))
    throw new PgError(SqlState.duplicateTable, `relation "${newName}" already exists`);
  deleteMapEntry(state, state.relations, name);
  setMapEntry(state, state.relations, newName, relation);
  setField(state, relation, 'name', newName);
}

/** Rewrites every row of a leaf through `transform`, journaling each old tuple (ADD/DROP COLUMN). */
function rewriteRows(state: EngineState, relation: Relation, transform: (row: Row) => Row): void {
  const heap = relation.heap;
  assert(heap !== null, 'only leaves hold rows');
  const originals: Tuple[] = [...liveTuples(relation)];
  const rewritten: Tuple[] = [];
  try {
    for (const tuple of originals) {
      const replacement: Tuple = { tid: tuple.tid, row: transform(tuple.row), xmin: tuple.xmin };
      heap.set(tuple.tid, replacement);
      rewritten.push(replacement);
    }
  } finally {
    // Unique indexes name the live tuple itself, so they follow whatever versions the heap now holds.
    repointIndexEntries(relation, rewritten);
  }
  markWritten(state, relation);
  state.journal.record(() => {
    for (const tuple of originals) heap.set(tuple.tid, tuple);
    repointIndexEntries(relation, originals);
    markWritten(state, relation);
  });
}

export function addColumn(
  state: EngineState,
  table: string,
  spec: ColumnSpec,
  options: { ifNotExists?: boolean } = {},
): void {
  const relation = lookupRelation(state, table);
  if (relation.column(spec.name) !== undefined) {
    if (options.ifNotExists) {
      state.notices.push(`NOTICE: column "${spec.name}" of relation "${table}" already exists, skipping`);
      return;
    }
    throw new PgError(SqlState.duplicateColumn, `column "${spec.name}" of relation "${table}" already exists`);
  }
  if (relation.parent !== null) throw new PgError(SqlState.wrongObjectType, 'cannot add column to a partition');
  // The flag follows the constraint, added after the rows are rewritten (`addNotNull`).
  const column = buildColumn(state, relation.name, spec, false);
  const apply = (current: Relation): void => {
    setField(state, current, 'columns', [...current.columns, column]);
    if (current.heap !== null) {
      rewriteRows(state, current, (row) => {
        const value: SqlValue = evaluateDefault(state, column.default);
        return Object.freeze({ ...row, [column.name]: value });
      });
    }
    for (const partition of current.partitions) apply(partition);
  };
  apply(relation);
  // The new column's not-null constraint (and its partitions' copies) scans the filled rows.
  if (wantsNotNull(spec)) addNotNull(state, relation, column.name, { kind: 'column' });
  if (column.default?.kind === 'nextval' && (spec.type === 'bigserial' || spec.type === 'serial'))
    setField(state, sequenceOfDefault(state, column.default.sequenceId), 'ownedBy', { relation, column: column.name });
}

/** DROP COLUMN removes the indexes and constraints of the table that use the column. */
export function dropColumn(
  state: EngineState,
  table: string,
  columnName: string,
  options: { ifExists?: boolean; cascade?: boolean } = {},
): void {
  const relation = lookupRelation(state, table);
  if (relation.column(columnName) === undefined) {
    if (options.ifExists) {
      state.notices.push(`NOTICE: column "${columnName}" of relation "${table}" does not exist, skipping`);
      return;
    }
    throw new PgError(SqlState.undefinedColumn, `column "${columnName}" of relation "${table}" does not exist`);
  }
  if (relation.parent !== null)
    throw new PgError(SqlState.invalidTableDefinition, `cannot drop inherited column "${columnName}"`);
  // The column is dropped from every partition too, so no level below may be partitioned by it.
  const refusePartitionKey = (current: Relation): void => {
    if (current.partitionKey === columnName)
      throw new PgError(
        SqlState.invalidTableDefinition,
        `cannot drop column "${columnName}" because it is part of the partition key of relation "${current.name}"`,
      );
    current.partitions.forEach(refusePartitionKey);
  };
  refusePartitionKey(relation);
  // A trigger's UPDATE OF list and WHEN condition depend on the columns they name (pg_depend).
  const dependentTriggers = triggersUsingColumn(relation, columnName);
  if (dependentTriggers.length > 0 && !options.cascade) {
    throw new PgError(
      SqlState.dependentObjectsStillExist,
      `cannot drop column ${columnName} of table ${table} because other objects depend on it`,
      {
        detail: dependentTriggers
          .map(
            (trigger) => `trigger ${trigger.name} on table ${table} depends on column ${columnName} of table ${table}`,
          )
          .join('\n'),
      },
    );
  }
  for (const trigger of dependentTriggers) removeTriggerTree(state, trigger);
  for (const other of state.relations.values()) {
    for (const foreignKey of other.foreignKeys()) {
      if (
        foreignKey.parent === null &&
        foreignKey.referencedRelation === relation &&
        foreignKey.referencedColumns.includes(columnName) &&
        foreignKey.relation !== relation
      ) {
        if (!options.cascade) {
          throw new PgError(
            SqlState.dependentObjectsStillExist,
            `cannot drop column ${columnName} of table ${table} because other objects depend on it`,
            {
              detail: `constraint ${foreignKey.name} on table ${other.name} depends on column ${columnName} of table ${table}`,
            },
          );
        }
        dropConstraint(state, other, foreignKey.name);
      }
    }
  }
  for (const constraint of [...relation.constraints]) {
    if (constraint.kind === 'notNull') continue;
    const uses =
      constraint.kind === 'check'
        ? referencedColumns(constraint.expr).has(columnName)
        : constraint.columns.includes(columnName);
    if (uses && relation.constraints.includes(constraint)) dropConstraint(state, relation, constraint.name);
  }
  for (const index of [...relation.indexes]) {
    if (
      index.parent === null &&
      index.constraint === null &&
      (index.columns.includes(columnName) ||
        (index.predicate !== null && referencedColumns(index.predicate).has(columnName)))
    )
      dropIndex(state, index.name);
  }
  const apply = (current: Relation): void => {
    // The column's not-null constraint goes with it, on every level (a partition's own one too).
    const notNull = current.notNullConstraint(columnName);
    if (notNull !== undefined) removeNotNullTree(state, current, notNull, true);
    setField(
      state,
      current,
      'columns',
      current.columns.filter((column) => column.name !== columnName),
    );
    if (current.heap !== null) {
      rewriteRows(state, current, (row) => {
        const { [columnName]: _removed, ...rest } = row;
        void _removed;
        return Object.freeze(rest);
      });
    }
    for (const partition of current.partitions) apply(partition);
  };
  apply(relation);
  for (const sequence of state.sequences.values()) {
    if (sequence.ownedBy?.relation === relation && sequence.ownedBy.column === columnName)
      deleteMapEntry(state, state.sequences, sequence.name);
  }
}

/** ALTER COLUMN SET/DROP DEFAULT; on a partitioned table it recurses to the partitions. */
export function setColumnDefault(
  state: EngineState,
  table: string,
  columnName: string,
  spec: ColumnDefaultSpec | undefined,
): void {
  const relation = lookupRelation(state, table);
  const existing = relation.column(columnName);
  if (existing === undefined)
    throw new PgError(SqlState.undefinedColumn, `column "${columnName}" of relation "${table}" does not exist`);
  const columnDefault = resolveDefault(state, spec, existing.type);
  const apply = (current: Relation): void => {
    setField(
      state,
      current,
      'columns',
      current.columns.map((column) => (column.name === columnName ? { ...column, default: columnDefault } : column)),
    );
    for (const partition of current.partitions) apply(partition);
  };
  apply(relation);
}

/** ALTER COLUMN SET/DROP NOT NULL, on the column's not-null constraint (notNullDdl.ts). */
export function setColumnNotNull(state: EngineState, table: string, columnName: string, notNull: boolean): void {
  const relation = lookupRelation(state, table);
  if (notNull) setNotNull(state, relation, columnName);
  else dropNotNull(state, relation, columnName);
}
