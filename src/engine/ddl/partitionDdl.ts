/**
 * LIST partitions: CREATE TABLE … PARTITION OF, ATTACH PARTITION and DETACH PARTITION. A new
 * or attached partition inherits its parent's keys, CHECKs, foreign keys and row triggers;
 * attaching checks existing rows against the bound and (through the clones) the foreign keys.
 */
import { frozenList } from '../catalog.js';
import type { PartitionBound, Relation } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { partitionAccepts } from '../rowConstraints.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { liveTuples } from '../storage.js';
import { compareValues, formatValueForDetail, formatValuesForDetail } from '../values.js';
import type { SqlValue } from '../values.js';
import { deleteMapEntry, insertIntoList, removeFromList, setField } from './catalogEdits.js';
import type { ForeignKeyConstraint } from '../catalog.js';
import { findByUniqueKey } from '../foreignKeyRuntime.js';
import { valuesOf } from '../keys.js';
import {
  cloneCheckConstraint,
  cloneForeignKey,
  cloneKeyConstraint,
  nameReferencedPartitions,
} from './constraintDdl.js';
import type { CloneOptions } from './constraintDdl.js';
import { attachOrCreatePartitionIndex } from './indexDdl.js';
import { checkAttachNotNulls, cloneNotNulls, replaceNotNull } from './notNullDdl.js';
import { clonePartitionTriggers, dropClonedTriggers } from './triggerDdl.js';
import type { PartitionBoundSpec } from './specs.js';

export function checkNewPartitionBound(
  state: EngineState,
  parent: Relation,
  partition: Relation,
  bound: PartitionBound,
): void {
  void state;
  for (const sibling of parent.partitions) {
    const other = sibling.partitionBound!;
    if (bound.kind === 'default' && other.kind === 'default') {
      throw new PgError(
        SqlState.invalidObjectDefinition,
        `partition "${partition.name}" conflicts with existing default partition "${sibling.name}"`,
      );
    }
    const overlaps =
      bound.kind === 'list' &&
      other.kind === 'list' &&
      bound.values.some((value) =>
        other.values.some((candidate) =>
          candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
        ),
      );
    if (overlaps)
      throw new PgError(
        SqlState.invalidObjectDefinition,
        `partition "${partition.name}" would overlap partition "${sibling.name}"`,
      );
  }
  if (bound.kind === 'list') {
    const column = parent.column(parent.partitionKey!)!;
    for (const value of bound.values)
      if (
        value !== null &&
        typeof value !== (column.type === 'text' ? 'string' : column.type === 'boolean' ? 'boolean' : 'number')
      ) {
        throw new PgError(
          SqlState.invalidTextRepresentation,
          `invalid input syntax for type ${column.type}: "${formatValueForDetail(value)}"`,
        );
      }
  }
}

/** A bound as the catalog keeps it: a frozen value, which a database fork shares (`frozenList`). */
function frozenBound(bound: PartitionBound): PartitionBound {
  if (Object.isFrozen(bound)) return bound;
  return Object.freeze(
    bound.kind === 'list' ? { kind: 'list', values: frozenList(bound.values) } : { kind: 'default' },
  );
}

/** Links a partition into its parent and gives it the parent's inherited objects. */
export function attachPartitionObjects(
  state: EngineState,
  parent: Relation,
  partition: Relation,
  bound: PartitionBound,
  clone: CloneOptions,
): void {
  setField(state, partition, 'parent', parent);
  setField(state, partition, 'partitionBound', frozenBound(bound));
  const position = bound.kind === 'default' ? parent.partitions.length : sortedPosition(parent, bound.values);
  insertIntoList(state, parent, 'partitions', partition, position);
  // Not-null constraints first: a cloned primary key finds its columns NOT NULL already.
  cloneNotNulls(state, parent, partition, clone.attaching);
  for (const constraint of parent.keyConstraints()) cloneKeyConstraint(state, constraint, partition);
  for (const index of parent.indexes) {
    if (index.constraint === null) attachOrCreatePartitionIndex(state, index, partition, 'attach');
  }
  for (const check of parent.checks())
    cloneCheckConstraint(state, check, partition, { ...clone, creating: !clone.attaching });
  for (const foreignKey of parent.foreignKeys()) cloneForeignKey(state, foreignKey, partition, clone);
  clonePartitionTriggers(state, parent, partition);
  // Keys that reference the parent get their referenced-side constraint for the new partition. The
  // constraints are walked in place (as `foreignKeys()` lists them, without a list per relation).
  for (const other of state.relations.values()) {
    for (const foreignKey of other.constraints) {
      if (
        foreignKey.kind === 'foreignKey' &&
        foreignKey.parent === null &&
        foreignKey.referencedRelation.isAncestorOrSelfOf(parent)
      ) {
        nameReferencedPartitions(
          state,
          foreignKey,
          [partition],
          foreignKey.referencedPartitionNames.get(parent) ?? foreignKey.name,
        );
      }
    }
  }
}

/** Partitions scan in bound order (PostgreSQL orders LIST partitions by their lowest value); DEFAULT last. */
function sortedPosition(parent: Relation, values: readonly SqlValue[]): number {
  const lowest = (bound: PartitionBound): SqlValue =>
    bound.kind === 'list' ? ([...bound.values].sort(compareValues)[0] ?? null) : null;
  const mine = lowest({ kind: 'list', values });
  const index = parent.partitions.findIndex(
    (sibling) => sibling.partitionBound!.kind === 'default' || compareValues(lowest(sibling.partitionBound!), mine) > 0,
  );
  return index === -1 ? parent.partitions.length : index;
}

export function toPartitionBound(spec: PartitionBoundSpec): PartitionBound {
  return spec === 'default' ? { kind: 'default' } : { kind: 'list', values: [...spec] };
}

export function attachPartition(
  state: EngineState,
  parentName: string,
  partitionName: string,
  boundSpec: PartitionBoundSpec,
): void {
  const parent = lookupRelation(state, parentName);
  requirePartitioned(parent, 'ATTACH PARTITION');
  const partition = lookupRelation(state, partitionName);
  // PostgreSQL raises WRONG_OBJECT_TYPE here (ATExecAttachPartition), found by the PGlite oracle.
  if (partition.parent !== null)
    throw new PgError(SqlState.wrongObjectType, `"${partitionName}" is already a partition`);
  if (partition.isAncestorOrSelfOf(parent))
    throw new PgError(SqlState.duplicateTable, `circular inheritance not allowed`);
  for (const column of partition.columns) {
    const parentColumn = parent.column(column.name);
    if (parentColumn === undefined)
      throw new PgError(
        '42804',
        `table "${partitionName}" contains column "${column.name}" not found in parent "${parentName}"`,
      );
    if (parentColumn.type !== column.type)
      throw new PgError('42804', `child table "${partitionName}" has different type for column "${column.name}"`);
    if (parentColumn.notNull && !column.notNull)
      throw new PgError('42804', `column "${column.name}" in child table "${partitionName}" must be marked NOT NULL`);
  }
  for (const column of parent.columns) {
    if (partition.column(column.name) === undefined)
      throw new PgError('42804', `child table is missing column "${column.name}"`);
  }
  checkAttachNotNulls(parent, partition);
  const bound = toPartitionBound(boundSpec);
  checkNewPartitionBound(state, parent, partition, bound);
  const key = parent.partitionKey!;
  const outside = (value: SqlValue): boolean =>
    bound.kind === 'list'
      ? !bound.values.some((candidate) =>
          candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
        )
      : parent.partitions.some((sibling) => partitionAccepts(sibling, value));
  for (const leaf of partition.leaves()) {
    for (const tuple of liveTuples(leaf)) {
      if (outside(tuple.row[key] ?? null))
        throw new PgError(
          SqlState.checkViolation,
          `partition constraint of relation "${leaf.name}" is violated by some row`,
          { table: leaf.name },
        );
    }
  }
  checkDefaultPartitionRows(parent, bound, true);
  attachPartitionObjects(state, parent, partition, bound, { attaching: true });
}

/**
 * A new LIST partition narrows the DEFAULT partition's implicit constraint; like PostgreSQL,
 * both CREATE TABLE … PARTITION OF and ATTACH refuse it while the DEFAULT partition holds rows
 * with one of the new values.
 */
export function checkDefaultPartitionRows(parent: Relation, bound: PartitionBound, attaching: boolean): void {
  if (bound.kind !== 'list') return;
  const key = parent.partitionKey!;
  const listed = (value: SqlValue): boolean =>
    bound.values.some((candidate) =>
      candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
    );
  const defaultPartition = parent.partitions.find((sibling) => sibling.partitionBound!.kind === 'default');
  if (defaultPartition === undefined) return;
  for (const leaf of defaultPartition.leaves()) {
    for (const tuple of liveTuples(leaf)) {
      // ATTACH queues a validation scan per leaf and names the leaf holding the row; CREATE TABLE
      // … PARTITION OF checks right away (check_default_partition_contents) and names the default.
      const reported = attaching ? leaf : defaultPartition;
      if (listed(tuple.row[key] ?? null))
        throw new PgError(
          SqlState.checkViolation,
          `updated partition constraint for default partition "${reported.name}" would be violated by some row`,
          { table: reported.name },
        );
    }
  }
}

/** Top-level foreign keys that reference `relation` or one of its ancestors, in creation order. */
function keysReferencingAncestors(state: EngineState, relation: Relation): ForeignKeyConstraint[] {
  const keys: ForeignKeyConstraint[] = [];
  for (const other of state.relations.values()) {
    for (const foreignKey of other.foreignKeys())
      if (foreignKey.parent === null && foreignKey.referencedRelation.isAncestorOrSelfOf(relation))
        keys.push(foreignKey);
  }
  return keys.sort((left, right) => left.serial - right.serial);
}

/**
 * ATDetachCheckNoForeignKeyRefs: a key that references the parent (or an ancestor) must not
 * have referencing rows whose key lives in the partition being detached, or they would be left
 * pointing at a row their referenced table no longer contains. Orphans of a NOT VALID key that
 * match no row of the partition are not its concern.
 */
function checkNoForeignKeyReferences(state: EngineState, parent: Relation, partition: Relation): void {
  for (const foreignKey of keysReferencingAncestors(state, parent)) {
    for (const leaf of foreignKey.relation.leaves()) {
      for (const tuple of liveTuples(leaf)) {
        const values = valuesOf(tuple.row, foreignKey.columns);
        if (
          values.some((value) => value === null) ||
          findByUniqueKey(state, partition, foreignKey.referencedColumns, values) === undefined
        )
          continue;
        const constraint = foreignKey.referencedPartitionNames.get(partition) ?? foreignKey.name;
        throw new PgError(
          SqlState.foreignKeyViolation,
          `removing partition "${partition.name}" violates foreign key constraint "${constraint}"`,
          {
            detail: `Key (${foreignKey.columns.join(', ')})=(${formatValuesForDetail(values)}) is still referenced from table "${foreignKey.relation.name}".`,
            constraint,
            table: foreignKey.relation.name,
          },
        );
      }
    }
  }
}

/** DETACH: inherited keys, CHECKs, foreign keys and indexes stay as the table's own; cloned triggers go. */
export function detachPartition(state: EngineState, parent: Relation, partition: Relation): void {
  if (partition.parent !== parent)
    throw new PgError(
      SqlState.undefinedTable,
      `relation "${partition.name}" is not a partition of relation "${parent.name}"`,
    );
  checkNoForeignKeyReferences(state, parent, partition);
  const referencingParent = keysReferencingAncestors(state, parent);
  removeFromList(state, parent, 'partitions', partition);
  setField(state, partition, 'parent', null);
  setField(state, partition, 'partitionBound', null);
  for (const constraint of [...partition.constraints]) {
    // DetachPartitionFinalize: what was inherited becomes the table's own (`conislocal`).
    if (constraint.kind === 'notNull') {
      if (constraint.inherited) replaceNotNull(state, partition, constraint, { inherited: false, local: true });
      continue;
    }
    if (constraint.parent === null || constraint.parent.relation !== parent) continue;
    setField(state, constraint, 'parent', null);
    if (constraint.kind === 'foreignKey')
      nameReferencedPartitions(state, constraint, constraint.referencedRelation.partitions);
  }
  // The referenced-side constraints (`<fk>_N`) of keys referencing the parent leave with the
  // partition, but only after the detached keys above were named (DetachPartitionFinalize does
  // the same), so those new names skip the numbers still in use here.
  const detached = [partition, ...descendants(partition)];
  for (const foreignKey of referencingParent) {
    for (const relation of detached)
      if (foreignKey.referencedPartitionNames.has(relation))
        deleteMapEntry(state, foreignKey.referencedPartitionNames, relation);
  }
  for (const index of partition.indexes) {
    if (index.parent !== null && index.parent.relation === parent) setField(state, index, 'parent', null);
  }
  dropClonedTriggers(state, partition, parent);
}

function descendants(relation: Relation): Relation[] {
  return relation.partitions.flatMap((partition) => [partition, ...descendants(partition)]);
}

export function detachPartitionByName(state: EngineState, parentName: string, partitionName: string): void {
  const parent = lookupRelation(state, parentName);
  requirePartitioned(parent, 'DETACH PARTITION');
  detachPartition(state, parent, lookupRelation(state, partitionName));
}

/** ATSimplePermissions: partition commands on an ordinary table fail before their partition is looked up. */
function requirePartitioned(relation: Relation, action: string): void {
  if (!relation.isPartitioned) {
    throw new PgError(
      SqlState.wrongObjectType,
      `ALTER action ${action} cannot be performed on relation "${relation.name}"`,
      { detail: 'This operation is not supported for tables.' },
    );
  }
}
