/**
 * ALTER TABLE … ADD [CONSTRAINT name] { PRIMARY KEY | UNIQUE } USING INDEX idx: an existing unique
 * index (typically built CONCURRENTLY first, as GitLab's migrations do to avoid holding a lock
 * while it builds) becomes the constraint's, without a new build. The checks follow
 * transformIndexConstraint, then ATExecAddIndexConstraint: the index renamed to the constraint's
 * name when one is given, a second primary key refused, and a primary key's columns set NOT NULL
 * by a scan of the rows (23502 when one is NULL).
 */
import type { KeyConstraint, Relation } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { truncateIdentifier } from '../identifier.js';
import type { EngineState } from '../session.js';
import { pushItem, setField } from './catalogEdits.js';
import { markColumnsNotNull } from './constraintDdl.js';
import { findIndex } from './indexDdl.js';
import { isRelationNameTaken } from './naming.js';
import type { PrimaryKeySpec, UniqueSpec } from './specs.js';

const SUCH_AN_INDEX = 'Cannot create a primary key or unique constraint using such an index.';

export function addKeyConstraintUsingIndex(
  state: EngineState,
  relation: Relation,
  spec: PrimaryKeySpec | UniqueSpec,
  rawIndexName: string,
): KeyConstraint {
  const indexName = truncateIdentifier(rawIndexName);
  const index = findIndex(state, indexName);
  if (index === undefined) {
    if (state.relations.has(indexName)) throw new PgError(SqlState.wrongObjectType, `"${indexName}" is not an index`);
    throw new PgError(SqlState.undefinedObject, `index "${indexName}" does not exist`);
  }
  if (index.constraint !== null)
    throw new PgError(
      SqlState.objectNotInPrerequisiteState,
      `index "${indexName}" is already associated with a constraint`,
    );
  if (index.relation !== relation)
    throw new PgError(
      SqlState.objectNotInPrerequisiteState,
      `index "${indexName}" does not belong to table "${relation.name}"`,
    );
  if (!index.valid) throw new PgError(SqlState.objectNotInPrerequisiteState, `index "${indexName}" is not valid`);
  if (!index.unique)
    throw new PgError(SqlState.wrongObjectType, `"${indexName}" is not a unique index`, { detail: SUCH_AN_INDEX });
  if (index.predicate !== null)
    throw new PgError(SqlState.wrongObjectType, `"${indexName}" is a partial index`, { detail: SUCH_AN_INDEX });
  if (relation.isPartitioned)
    throw new PgError(
      SqlState.featureNotSupported,
      'ALTER TABLE / ADD CONSTRAINT USING INDEX is not supported on partitioned tables',
    );
  // The constraint takes the index's name, or gives the index its own (a NOTICE in PostgreSQL).
  const name = spec.name ?? indexName;
  if (name !== indexName) {
    if (isRelationNameTaken(state, name))
      throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
    setField(state, index, 'name', name);
  }
  if (spec.kind === 'primaryKey') {
    if (relation.primaryKey() !== undefined)
      throw new PgError(
        SqlState.invalidTableDefinition,
        `multiple primary keys for table "${relation.name}" are not allowed`,
      );
    markColumnsNotNull(state, relation, index.columns);
  }
  const constraint: KeyConstraint = {
    kind: spec.kind,
    name,
    relation,
    columns: index.columns,
    index,
    parent: null,
  };
  setField(state, index, 'constraint', constraint);
  pushItem(state, relation.constraints, constraint);
  return constraint;
}
