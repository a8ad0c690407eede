/**
 * ALTER INDEX parent ATTACH PARTITION child (tablecmds.c, ATExecAttachPartitionIdx): links a
 * partition's index to its table's partitioned index, the second half of GitLab's
 * `add_concurrent_partitioned_index` (CREATE INDEX … ON ONLY the parent, then each partition's
 * index built CONCURRENTLY and attached). Once every partition has a valid index attached, the
 * partitioned index becomes valid, and so, in turn, may the index it is itself attached to
 * (validatePartitionedIndex).
 */
import type { IndexDefinition, Relation } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { truncateIdentifier } from '../identifier.js';
import type { EngineState } from '../session.js';
import { setField } from './catalogEdits.js';
import { findIndex, indexMatches } from './indexDdl.js';

function missingRelation(name: string): PgError {
  return new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
}

/** The index ALTER INDEX names: 42P01 when nothing has that name, 42809 when a table has it. */
function alteredIndex(state: EngineState, name: string): IndexDefinition {
  const index = findIndex(state, name);
  if (index !== undefined) return index;
  if (state.relations.has(truncateIdentifier(name)))
    throw new PgError(SqlState.wrongObjectType, `"${truncateIdentifier(name)}" is not an index`);
  throw missingRelation(truncateIdentifier(name));
}

function cannotAttach(code: string, child: IndexDefinition, parent: IndexDefinition, detail: string): PgError {
  return new PgError(code, `cannot attach index "${child.name}" as a partition of index "${parent.name}"`, { detail });
}

export function attachIndex(state: EngineState, parentName: string, childName: string): void {
  const parent = alteredIndex(state, parentName);
  if (!parent.relation.isPartitioned)
    throw new PgError(
      SqlState.wrongObjectType,
      `ALTER action ATTACH PARTITION cannot be performed on relation "${parent.name}"`,
      { detail: 'This operation is not supported for indexes.' },
    );
  const child = findIndex(state, childName);
  if (child === undefined) {
    // RangeVarCallbackForAttachIndex: a table of that name is not an index (42P17).
    if (state.relations.has(truncateIdentifier(childName)))
      throw new PgError(SqlState.invalidObjectDefinition, `"${truncateIdentifier(childName)}" is not an index`);
    throw missingRelation(truncateIdentifier(childName));
  }
  // Attaching an index to the parent it already has is silently accepted.
  if (child.parent === parent) return;
  const table = child.relation;
  const sibling = table.indexes.find((index) => index.parent === parent);
  if (sibling !== undefined)
    throw cannotAttach(
      SqlState.objectNotInPrerequisiteState,
      child,
      parent,
      `Another index is already attached for partition "${table.name}".`,
    );
  if (child.parent !== null)
    throw cannotAttach(
      SqlState.objectNotInPrerequisiteState,
      child,
      parent,
      `Index "${child.name}" is already attached to another index.`,
    );
  if (table.parent !== parent.relation)
    throw cannotAttach(
      SqlState.objectNotInPrerequisiteState,
      child,
      parent,
      `Index "${child.name}" is not an index on any partition of table "${parent.relation.name}".`,
    );
  if (!indexMatches(child, parent))
    throw cannotAttach(SqlState.invalidObjectDefinition, child, parent, 'The index definitions do not match.');
  if (parent.constraint !== null && child.constraint === null)
    throw cannotAttach(
      SqlState.invalidObjectDefinition,
      child,
      parent,
      `The index "${parent.name}" belongs to a constraint in table "${parent.relation.name}" but no constraint exists for index "${child.name}".`,
    );
  if (parent.constraint?.kind === 'primaryKey') requireNotNull(child, table);
  setField(state, child, 'parent', parent);
  if (parent.constraint !== null && child.constraint !== null)
    setField(state, child.constraint, 'parent', parent.constraint);
  validatePartitionedIndex(state, parent);
}

/** verifyPartitionIndexNotNull: a primary key's partition index needs NOT NULL columns. */
function requireNotNull(child: IndexDefinition, table: Relation): void {
  for (const name of child.columns) {
    if (table.column(name)?.notNull !== true)
      throw new PgError(SqlState.invalidTableDefinition, 'invalid primary key definition', {
        detail: `Column "${name}" of relation "${table.name}" is not marked NOT NULL.`,
      });
  }
}

/** Marks a partitioned index valid once every partition has a valid index attached to it, then tries its parent. */
function validatePartitionedIndex(state: EngineState, index: IndexDefinition): void {
  let attached = 0;
  for (const partition of index.relation.partitions)
    for (const candidate of partition.indexes) if (candidate.parent === index && candidate.valid) attached++;
  if (attached !== index.relation.partitions.length) return;
  setField(state, index, 'valid', true);
  if (index.parent !== null && !index.parent.valid) validatePartitionedIndex(state, index.parent);
}
