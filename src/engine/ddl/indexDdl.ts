/**
 * CREATE INDEX / DROP INDEX / ALTER INDEX RENAME. Only unique indexes keep entries (they
 * enforce something and serve look-ups); a plain index is catalog-only, since the engine's
 * foreign keys keep their own referencing maps and scans always re-check predicates.
 */
import type { IndexDefinition, Relation } from '../catalog.js';
import { truncateIdentifier } from '../identifier.js';
import { PgError, SqlState } from '../errors.js';
import { referencedColumns, renderExpr } from '../expression.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { removeItem, setField } from './catalogEdits.js';
import { createIndexObject } from './constraintDdl.js';
import { chooseRelationName, isRelationNameTaken } from './naming.js';
import type { IndexSpec } from './specs.js';

function samePredicate(left: IndexDefinition['predicate'], right: IndexDefinition['predicate']): boolean {
  return (
    (left === null && right === null) || (left !== null && right !== null && renderExpr(left) === renderExpr(right))
  );
}

function createIndexTree(
  state: EngineState,
  relation: Relation,
  name: string,
  spec: IndexSpec,
  parent: IndexDefinition | null,
): IndexDefinition {
  // ON ONLY builds the partitioned table's index alone, INVALID until every partition has one attached.
  const only = spec.only === true && relation.isPartitioned;
  const index = createIndexObject(state, relation, {
    name,
    columns: spec.columns,
    unique: spec.unique ?? false,
    predicate: spec.where ?? null,
    parent,
    valid: !only || relation.partitions.length === 0,
  });
  if (only) return index;
  for (const partition of relation.partitions) attachOrCreatePartitionIndex(state, index, partition, 'create');
  return index;
}

/** Whether a partition's index can be attached to `parent`: CompareIndexInfo on the engine's index shapes. */
export function indexMatches(index: IndexDefinition, parent: IndexDefinition): boolean {
  return (
    index.unique === parent.unique &&
    index.columns.join() === parent.columns.join() &&
    samePredicate(index.predicate, parent.predicate)
  );
}

/**
 * On a partitioned table, CREATE INDEX adopts a matching unattached index of each partition or
 * builds one. DefineIndex adopts an INVALID one too and then marks the new parent INVALID
 * (`invalidate_parent`); ATTACH PARTITION (AttachPartitionEnsureIndexes) skips INVALID ones.
 */
export function attachOrCreatePartitionIndex(
  state: EngineState,
  parent: IndexDefinition,
  partition: Relation,
  by: 'create' | 'attach',
): void {
  const existing = partition.indexes.find(
    (index) => index.parent === null && (index.valid || by === 'create') && indexMatches(index, parent),
  );
  if (existing !== undefined) {
    setField(state, existing, 'parent', parent);
    if (!existing.valid) setField(state, parent, 'valid', false);
    return;
  }
  const name = chooseRelationName(state, partition.name, parent.columns.join('_'), 'idx');
  createIndexTree(
    state,
    partition,
    name,
    {
      table: partition.name,
      columns: parent.columns,
      unique: parent.unique,
      ...(parent.predicate ? { where: parent.predicate } : {}),
    },
    parent,
  );
}

export function createIndex(state: EngineState, rawSpec: IndexSpec): IndexDefinition {
  const prepared = prepareIndex(state, rawSpec, false);
  return createIndexTree(state, prepared.relation, prepared.name, prepared.spec, null);
}

/** An index to be built: its table, its name (chosen now when omitted) and its spec. */
export interface PreparedIndex {
  readonly relation: Relation;
  readonly name: string;
  readonly spec: IndexSpec;
}

/**
 * DefineIndex's checks before anything is built: the table, CONCURRENTLY on a partitioned table
 * (0A000), the columns, the partition key in a unique index, the name.
 */
export function prepareIndex(state: EngineState, rawSpec: IndexSpec, concurrently: boolean): PreparedIndex {
  const spec: IndexSpec = rawSpec.name === undefined ? rawSpec : { ...rawSpec, name: truncateIdentifier(rawSpec.name) };
  const relation = lookupRelation(state, spec.table);
  if (concurrently && relation.isPartitioned)
    throw new PgError(
      SqlState.featureNotSupported,
      `cannot create index on partitioned table "${relation.name}" concurrently`,
    );
  for (const column of [...spec.columns, ...(spec.where ? referencedColumns(spec.where) : [])]) {
    if (relation.column(column) === undefined)
      throw new PgError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  }
  if (spec.unique && relation.isPartitioned && !spec.columns.includes(relation.partitionKey!)) {
    throw new PgError(
      SqlState.featureNotSupported,
      'unique constraint on partitioned table must include all partitioning columns',
      {
        detail: `UNIQUE constraint on table "${relation.name}" lacks column "${relation.partitionKey}" which is part of the partition key.`,
      },
    );
  }
  const name = spec.name ?? chooseRelationName(state, relation.name, spec.columns.join('_'), 'idx');
  if (isRelationNameTaken(state, name)) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
  return { relation, name, spec };
}

/** Builds a prepared index (the entries of a unique one: 23505 on a duplicate key). */
export function buildIndex(state: EngineState, prepared: PreparedIndex): IndexDefinition {
  return createIndexTree(state, prepared.relation, prepared.name, prepared.spec, null);
}

/**
 * What a failed CREATE INDEX CONCURRENTLY leaves: its catalog entry, committed before the build,
 * INVALID and not ready (the build failed in its first scan), so nothing maintains or enforces it.
 */
export function leaveInvalidIndex(state: EngineState, prepared: PreparedIndex): IndexDefinition {
  return createIndexObject(state, prepared.relation, {
    name: prepared.name,
    columns: prepared.spec.columns,
    unique: prepared.spec.unique ?? false,
    predicate: prepared.spec.where ?? null,
    parent: null,
    valid: false,
  });
}

export function findIndex(state: EngineState, rawName: string): IndexDefinition | undefined {
  const name = truncateIdentifier(rawName);
  for (const relation of state.relations.values()) {
    const index = relation.indexes.find((candidate) => candidate.name === name);
    if (index !== undefined) return index;
  }
  return undefined;
}

function dropIndexTree(state: EngineState, index: IndexDefinition): void {
  for (const partition of index.relation.partitions) {
    for (const child of partition.indexes.filter((candidate) => candidate.parent === index))
      dropIndexTree(state, child);
  }
  removeItem(state, index.relation.indexes, index);
}

export function dropIndex(state: EngineState, name: string, options: { readonly ifExists?: boolean } = {}): void {
  const index = findIndex(state, name);
  if (index === undefined) {
    if (options.ifExists) return;
    throw new PgError(SqlState.undefinedObject, `index "${name}" does not exist`);
  }
  if (index.constraint !== null) {
    throw new PgError(
      SqlState.dependentObjectsStillExist,
      `cannot drop index ${name} because constraint ${index.constraint.name} on table ${index.relation.name} requires it`,
    );
  }
  if (index.parent !== null) {
    throw new PgError(
      SqlState.dependentObjectsStillExist,
      `cannot drop index ${name} because index ${index.parent.name} requires it`,
    );
  }
  dropIndexTree(state, index);
}

export function renameIndex(state: EngineState, name: string, rawNewName: string): void {
  const newName = truncateIdentifier(rawNewName);
  const index = findIndex(state, name);
  if (index === undefined) throw new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  if (isRelationNameTaken(state, newName))
    throw new PgError(SqlState.duplicateTable, `relation "${newName}" already exists`);
  setField(state, index, 'name', newName);
  // A constraint's index and the constraint share one name in PostgreSQL; renaming either renames both.
  if (index.constraint !== null) setField(state, index.constraint, 'name', newName);
}
