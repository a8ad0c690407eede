/**
 * ALTER TABLE … ADD/VALIDATE/DROP/RENAME CONSTRAINT. A constraint on a partitioned table is
 * cloned into every partition with the parent link PostgreSQL keeps in `conparentid`, so each
 * partition has its own validity and a later DROP on the parent removes exactly the clones.
 */
import { assert } from '../assert.js';
import { truncateIdentifier } from '../identifier.js';
import { frozenList, isInherited } from '../catalog.js';
import type {
  CheckConstraint,
  Constraint,
  ForeignKeyConstraint,
  IndexDefinition,
  KeyConstraint,
  NotNullConstraint,
  Relation,
} from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { isSatisfiedAsCheck, referencedColumns, renderExpr } from '../expression.js';
import { firstViolation, missingReferenceError, sameColumnSet } from '../foreignKeyRuntime.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { addReference, fillIndex, liveTuples } from '../storage.js';
import { deleteMapEntry, pushItem, removeItem, setField, setMapEntry } from './catalogEdits.js';
import { addKeyConstraintUsingIndex } from './keyUsingIndex.js';
import {
  addNotNull,
  childNotNulls,
  removeNotNullTree,
  replaceNotNull,
  requireValidForPrimaryKey,
  validateNotNullTree,
} from './notNullDdl.js';
import {
  chooseConstraintName,
  chooseRelationName,
  isRelationNameTaken,
  makeObjectName,
  schemaConstraintNames,
} from './naming.js';
import type { CheckSpec, ConstraintSpec, ForeignKeySpec, PrimaryKeySpec, UniqueSpec } from './specs.js';

/** How a constraint comes into being besides its spec. */
export interface ConstraintCreation {
  /**
   * Declared in CREATE TABLE: there are no rows to scan, and PostgreSQL ignores NOT VALID there
   * (the constraint is valid from the start).
   */
  readonly atCreation?: boolean;
}

/** How a partitioned table's constraint reaches one of its partitions. */
export interface CloneOptions {
  /**
   * ATTACH PARTITION rather than CREATE TABLE … PARTITION OF: the partition may already hold an
   * equivalent constraint to adopt, and it has rows to check.
   */
  readonly attaching: boolean;
}

export function addConstraint(
  state: EngineState,
  relation: Relation,
  rawSpec: ConstraintSpec,
  creation: ConstraintCreation = {},
): Constraint {
  // Copied only when truncation changes the name: the spec is read, never written.
  const name = rawSpec.name === undefined ? undefined : truncateIdentifier(rawSpec.name);
  const spec: ConstraintSpec = name === rawSpec.name ? rawSpec : { ...rawSpec, name };
  switch (spec.kind) {
    case 'primaryKey':
    case 'unique':
      if (spec.usingIndex !== undefined) {
        if (creation.atCreation === true)
          throw new PgError(SqlState.featureNotSupported, 'cannot use an existing index in CREATE TABLE');
        return addKeyConstraintUsingIndex(state, relation, spec, spec.usingIndex);
      }
      return addKeyConstraint(state, relation, spec, null, creation.atCreation ?? false);
    case 'check':
      return addCheckConstraint(state, relation, spec, null, creation);
    case 'foreignKey':
      return addForeignKey(state, relation, spec, null, creation);
    case 'notNull':
      return addNotNull(
        state,
        relation,
        spec.column,
        {
          kind: 'addConstraint',
          ...(spec.name === undefined ? {} : { name: spec.name }),
          notValid: spec.notValid === true && creation.atCreation !== true,
          noInherit: spec.noInherit === true,
        },
        { scan: creation.atCreation !== true },
      );
  }
}

function requireColumns(relation: Relation, columns: readonly string[], message: (column: string) => string): void {
  for (const column of columns) {
    if (relation.column(column) === undefined) throw new PgError(SqlState.undefinedColumn, message(column));
  }
}

function requireFreeConstraintName(relation: Relation, name: string): void {
  if (relation.constraints.some((constraint) => constraint.name === name)) {
    throw new PgError(SqlState.duplicateObject, `constraint "${name}" for relation "${relation.name}" already exists`);
  }
}

function checkPartitionKeyIncluded(relation: Relation, columns: readonly string[], kind: string): void {
  if (relation.isPartitioned && !columns.includes(relation.partitionKey!)) {
    throw new PgError(
      SqlState.featureNotSupported,
      'unique constraint on partitioned table must include all partitioning columns',
      {
        detail: `${kind} constraint on table "${relation.name}" lacks column "${relation.partitionKey}" which is part of the partition key.`,
      },
    );
  }
}

/** Creates a unique or plain index on one relation (no recursion), filling leaf storage. */
export interface IndexObjectSpec {
  /**
   * False for the leftover of a failed CREATE INDEX CONCURRENTLY (catalog only, no entries) and for
   * a partitioned index built ON ONLY a table that has partitions.
   */
  readonly valid?: boolean;
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly predicate: IndexDefinition['predicate'];
  /** The partitioned index this one is attached to. */
  readonly parent: IndexDefinition | null;
}

export function createIndexObject(state: EngineState, relation: Relation, spec: IndexObjectSpec): IndexDefinition {
  const { name, columns, unique, predicate, parent } = spec;
  if (isRelationNameTaken(state, name)) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
  const index: IndexDefinition = {
    name,
    relation,
    columns: frozenList(columns),
    unique,
    predicate,
    parent,
    constraint: null,
    valid: spec.valid ?? true,
    entries: unique && relation.heap !== null && spec.valid !== false ? new Map() : null,
  };
  if (index.entries !== null) fillIndex(relation, index);
  pushItem(state, relation.indexes, index);
  return index;
}

export function addKeyConstraint(
  state: EngineState,
  relation: Relation,
  spec: PrimaryKeySpec | UniqueSpec,
  parent: KeyConstraint | null,
  atCreation = true,
): KeyConstraint {
  const label = spec.kind === 'primaryKey' ? 'PRIMARY KEY' : 'UNIQUE';
  assert(spec.columns.length > 0, 'a key needs at least one column');
  // ALTER TABLE ADD PRIMARY KEY first sets its columns NOT NULL (PostgreSQL 18), and that step
  // names the relation when a column is missing; CREATE TABLE and UNIQUE check the key itself.
  requireColumns(relation, spec.columns, (column) =>
    spec.kind === 'primaryKey' && !atCreation
      ? `column "${column}" of relation "${relation.name}" does not exist`
      : `column "${column}" named in key does not exist`,
  );
  checkPartitionKeyIncluded(relation, spec.columns, label);
  if (spec.kind === 'primaryKey') {
    if (relation.primaryKey() !== undefined)
      throw new PgError(
        SqlState.invalidTableDefinition,
        `multiple primary keys for table "${relation.name}" are not allowed`,
      );
    markColumnsNotNull(state, relation, spec.columns);
  }
  const name =
    spec.name ??
    (spec.kind === 'primaryKey'
      ? chooseRelationName(state, relation.name, null, 'pkey')
      : chooseRelationName(state, relation.name, spec.columns.join('_'), 'key'));
  // The backing index is created first, so a name taken by any relation or index is 42P07 before
  // a clash with another constraint of the table is 42710, as in PostgreSQL.
  if (isRelationNameTaken(state, name)) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
  requireFreeConstraintName(relation, name);
  const index = createIndexObject(state, relation, {
    name,
    columns: spec.columns,
    unique: true,
    predicate: null,
    parent: parent?.index ?? null,
  });
  const constraint: KeyConstraint = { kind: spec.kind, name, relation, columns: index.columns, index, parent };
  setField(state, index, 'constraint', constraint);
  pushItem(state, relation.constraints, constraint);
  for (const partition of relation.partitions) cloneKeyConstraint(state, constraint, partition);
  return constraint;
}

/**
 * A primary key's columns become NOT NULL: each gets a not-null constraint unless it has a valid
 * one (a NOT VALID one refuses the key, 55000), and existing NULLs make that fail as in PostgreSQL.
 */
export function markColumnsNotNull(state: EngineState, relation: Relation, columns: readonly string[]): void {
  requireValidForPrimaryKey(relation, columns);
  for (const leaf of relation.leaves()) {
    for (const tuple of liveTuples(leaf)) {
      const column = columns.find((name) => tuple.row[name] === null);
      if (column !== undefined)
        throw new PgError(
          SqlState.notNullViolation,
          `column "${column}" of relation "${leaf.name}" contains null values`,
          { table: leaf.name, column },
        );
    }
  }
  for (const column of columns) addNotNull(state, relation, column, { kind: 'column' }, { scan: false });
}

/** Clones (or, when attaching, adopts a matching index of) a parent key constraint into a partition. */
export function cloneKeyConstraint(state: EngineState, parent: KeyConstraint, partition: Relation): void {
  // As AttachPartitionEnsureIndexes: only an index with the same columns in the same order that
  // backs a constraint of the same kind is adopted, so a UNIQUE constraint never stands in for a
  // PRIMARY KEY (PostgreSQL then creates <partition>_pkey next to it).
  const existing = partition.indexes.find(
    (index) =>
      index.unique &&
      index.parent === null &&
      index.predicate === null &&
      index.columns.join() === parent.columns.join() &&
      index.constraint?.kind === parent.kind,
  );
  if (existing === undefined) {
    const name =
      parent.kind === 'primaryKey'
        ? chooseRelationName(state, partition.name, null, 'pkey')
        : chooseRelationName(state, partition.name, parent.columns.join('_'), 'key');
    addKeyConstraint(state, partition, { kind: parent.kind, name, columns: parent.columns }, parent);
    return;
  }
  setField(state, existing, 'parent', parent.index);
  setField(state, existing.constraint!, 'parent', parent);
}

function checkViolationOnValidate(name: string, relation: Relation): PgError {
  return new PgError(
    SqlState.checkViolation,
    `check constraint "${name}" of relation "${relation.name}" is violated by some row`,
    { constraint: name, table: relation.name },
  );
}

export function addCheckConstraint(
  state: EngineState,
  relation: Relation,
  spec: CheckSpec,
  parent: CheckConstraint | null,
  creation: ConstraintCreation = {},
): CheckConstraint {
  const atCreation = creation.atCreation ?? false;
  const columns = [...referencedColumns(spec.expr)];
  requireColumns(relation, columns, (column) => `column "${column}" does not exist`);
  if (spec.noInherit && relation.isPartitioned) {
    throw new PgError(
      SqlState.invalidTableDefinition,
      `cannot add NO INHERIT constraint to partitioned table "${relation.name}"`,
    );
  }
  // AddRelationNewConstraints names a CHECK after its column only when it reads exactly one.
  const name = spec.name ?? chooseConstraintName(state, relation, columns.length === 1 ? columns[0]! : null, 'check');
  requireFreeConstraintName(relation, name);
  const skipScan = atCreation || spec.notValid === true;
  if (!skipScan) {
    for (const leaf of relation.leaves()) {
      for (const tuple of liveTuples(leaf)) {
        if (!isSatisfiedAsCheck(spec.expr, { row: tuple.row })) throw checkViolationOnValidate(name, leaf);
      }
    }
  }
  const check: CheckConstraint = {
    kind: 'check',
    name,
    relation,
    expr: spec.expr,
    valid: atCreation || !spec.notValid,
    parent,
    noInherit: spec.noInherit ?? false,
  };
  pushItem(state, relation.constraints, check);
  for (const partition of relation.partitions) cloneCheckConstraint(state, check, partition, { attaching: false });
  return check;
}

/** Clones a parent CHECK into a new partition, or adopts the same-named CHECK of an attached one. */
/**
 * `creating` is CREATE TABLE … PARTITION OF: the new, empty partition's copy is valid even under
 * a NOT VALID parent constraint, as PostgreSQL marks it (there is nothing to validate). Adding a
 * NOT VALID constraint to a parent with partitions is not creating: their copies stay NOT VALID.
 */
export function cloneCheckConstraint(
  state: EngineState,
  parent: CheckConstraint,
  partition: Relation,
  { attaching, creating = false }: CloneOptions & { readonly creating?: boolean },
): void {
  if (parent.noInherit) return;
  const existing = partition.checks().find((check) => check.name === parent.name);
  if (attaching) {
    if (existing === undefined) throw new PgError('42804', `child table is missing constraint "${parent.name}"`);
    if (renderExpr(existing.expr) !== renderExpr(parent.expr))
      throw new PgError(
        '42804',
        `child table "${partition.name}" has different definition for check constraint "${parent.name}"`,
      );
    if (!existing.valid && parent.valid)
      throw new PgError(
        SqlState.invalidObjectDefinition,
        `constraint "${parent.name}" conflicts with NOT VALID constraint on child table "${partition.name}"`,
      );
    setField(state, existing, 'parent', parent);
    return;
  }
  addCheckConstraint(
    state,
    partition,
    { kind: 'check', name: parent.name, expr: parent.expr, notValid: !parent.valid && !creating },
    parent,
  );
}

function resolveReferencedColumns(referenced: Relation, columns: readonly string[] | undefined): readonly string[] {
  if (columns !== undefined) return columns;
  const primaryKey = referenced.primaryKey();
  if (primaryKey === undefined)
    throw new PgError(SqlState.invalidForeignKey, `there is no primary key for referenced table "${referenced.name}"`);
  return primaryKey.columns;
}

function hasMatchingUniqueIndex(relation: Relation, columns: readonly string[]): boolean {
  return relation.indexes.some(
    (index) => index.unique && index.valid && index.predicate === null && sameColumnSet(index.columns, columns),
  );
}

export interface ForeignKeyCreation extends ConstraintCreation {
  /** Check the existing rows even when the key is NOT VALID: a clone made while attaching a partition. */
  readonly scanEvenIfNotValid?: boolean;
}

/**
 * ADD FOREIGN KEY. Existing rows are scanned unless the key is NOT VALID; a clone made while
 * attaching a partition is scanned even then, as PostgreSQL does.
 */
export function addForeignKey(
  state: EngineState,
  relation: Relation,
  spec: ForeignKeySpec,
  parent: ForeignKeyConstraint | null,
  creation: ForeignKeyCreation = {},
): ForeignKeyConstraint {
  // The parser refuses this before anything else is looked at.
  if (spec.initiallyDeferred === true && spec.deferrable === false)
    throw new PgError(SqlState.syntaxError, 'constraint declared INITIALLY DEFERRED must be DEFERRABLE');
  const atCreation = creation.atCreation ?? false;
  const scanEvenIfNotValid = creation.scanEvenIfNotValid ?? false;
  const referenced = lookupRelation(state, spec.references.table);
  const referencedColumns = resolveReferencedColumns(referenced, spec.references.columns);
  assert(spec.columns.length > 0, 'a foreign key needs at least one column');
  requireColumns(
    relation,
    spec.columns,
    (column) => `column "${column}" referenced in foreign key constraint does not exist`,
  );
  requireColumns(
    referenced,
    referencedColumns,
    (column) => `column "${column}" referenced in foreign key constraint does not exist`,
  );
  if (referencedColumns.length !== spec.columns.length) {
    throw new PgError(
      SqlState.invalidForeignKey,
      'number of referencing and referenced columns for foreign key disagree',
    );
  }
  if (!hasMatchingUniqueIndex(referenced, referencedColumns)) {
    throw new PgError(
      SqlState.invalidForeignKey,
      `there is no unique constraint matching given keys for referenced table "${referenced.name}"`,
    );
  }
  const notValid = !atCreation && spec.notValid === true;
  if (notValid && relation.isPartitioned && parent === null && state.options.serverVersion < 18) {
    throw new PgError(
      SqlState.featureNotSupported,
      `cannot add NOT VALID foreign key on partitioned table "${relation.name}" referencing relation "${referenced.name}"`,
      {
        detail: 'This feature is not yet supported on partitioned tables.',
      },
    );
  }
  const name = spec.name ?? chooseConstraintName(state, relation, spec.columns.join('_'), 'fkey');
  requireFreeConstraintName(relation, name);
  const foreignKey: ForeignKeyConstraint = {
    kind: 'foreignKey',
    name,
    relation,
    columns: frozenList(spec.columns),
    referencedRelation: referenced,
    referencedColumns: frozenList(referencedColumns),
    onDelete: spec.onDelete ?? 'no action',
    onUpdate: spec.onUpdate ?? 'no action',
    deferrable: spec.deferrable === true || spec.initiallyDeferred === true,
    initiallyDeferred: spec.initiallyDeferred === true,
    valid: !notValid,
    parent,
    serial: state.allocateSerial(),
    referencing: relation.heap !== null ? new Map() : null,
    referencedPartitionNames: new Map(),
  };
  if (relation.heap !== null) {
    if (!notValid || scanEvenIfNotValid) {
      const violation = firstViolation(state, foreignKey, relation, liveTuples(relation));
      if (violation !== null) throw missingReferenceError(foreignKey, relation, violation);
    }
    for (const tuple of liveTuples(relation)) addReference(foreignKey, tuple);
  }
  pushItem(state, relation.constraints, foreignKey);
  if (parent === null) nameReferencedPartitions(state, foreignKey, referenced.partitions);
  for (const partition of relation.partitions) cloneForeignKey(state, foreignKey, partition, { attaching: false });
  return foreignKey;
}

/** PostgreSQL's ChooseConstraintName(base, NULL, ""): `base`, else `base_1`, `base_2`, … unused schema-wide. */
function chooseCopyName(state: EngineState, base: string): string {
  const taken = schemaConstraintNames(state);
  let name = base;
  for (let pass = 1; taken.has(name); pass++) name = makeObjectName(base, null, String(pass));
  return name;
}

/**
 * Gives a top-level key the per-partition constraint names PostgreSQL creates on the referenced
 * side (addFkRecurseReferenced). Every partition below `partitions` is named from the same
 * `base`: the key's own name when it is added, but the name of the parent partition's copy when
 * a partition is created in or attached to an already referenced partitioned table
 * (CloneFkReferenced starts from that copy), hence `fk_1_1` under `fk_1`.
 */
export function nameReferencedPartitions(
  state: EngineState,
  foreignKey: ForeignKeyConstraint,
  partitions: readonly Relation[],
  base: string = foreignKey.name,
): void {
  for (const partition of partitions) {
    setMapEntry(state, foreignKey.referencedPartitionNames, partition, chooseCopyName(state, base));
    nameReferencedPartitions(state, foreignKey, partition.partitions, base);
  }
}

function forgetReferencedPartitionNames(state: EngineState, foreignKey: ForeignKeyConstraint): void {
  for (const partition of [...foreignKey.referencedPartitionNames.keys()])
    deleteMapEntry(state, foreignKey.referencedPartitionNames, partition);
}

function equivalentForeignKey(left: ForeignKeyConstraint, right: ForeignKeyConstraint): boolean {
  return (
    left.referencedRelation === right.referencedRelation &&
    left.columns.join() === right.columns.join() &&
    left.referencedColumns.join() === right.referencedColumns.join() &&
    left.onDelete === right.onDelete &&
    left.onUpdate === right.onUpdate &&
    left.deferrable === right.deferrable &&
    left.initiallyDeferred === right.initiallyDeferred
  );
}

/**
 * Clones a parent foreign key into a partition. When attaching, an equivalent key the partition
 * already has is adopted instead (and validated if the parent's is valid); a clone is checked
 * against the partition's rows unless the parent's key is NOT VALID.
 */
export function cloneForeignKey(
  state: EngineState,
  parent: ForeignKeyConstraint,
  partition: Relation,
  { attaching }: CloneOptions,
): void {
  // CloneFkReferencing: a table cannot become a partition of a table whose key references it.
  if (parent.referencedRelation === partition) {
    throw new PgError(
      SqlState.featureNotSupported,
      `cannot attach table "${partition.name}" as a partition because it is referenced by foreign key "${parent.name}"`,
    );
  }
  if (partition.isAncestorOrSelfOf(parent.referencedRelation)) {
    // PostgreSQL has no explicit check for a key referencing one of the attached table's own
    // partitions; cloning the key then trips CheckTableNotInUse on that partition.
    throw new PgError(
      '55006',
      `cannot ALTER TABLE "${parent.referencedRelation.name}" because it is being used by active queries in this session`,
    );
  }
  const existing = partition
    .foreignKeys()
    .find((candidate) => candidate.parent === null && equivalentForeignKey(candidate, parent));
  if (existing !== undefined) {
    // An identical key the partition already has is adopted under its own name.
    if (parent.valid && !existing.valid) validateForeignKeyTree(state, existing);
    setField(state, existing, 'parent', parent);
    forgetReferencedPartitionNames(state, existing);
    return;
  }
  // A partition that already has a constraint of that name gets the copy as `<name>_1` (addFkRecurseReferencing).
  const taken = partition.constraints.some((constraint) => constraint.name === parent.name);
  addForeignKey(
    state,
    partition,
    {
      kind: 'foreignKey',
      name: taken ? chooseCopyName(state, parent.name) : parent.name,
      columns: parent.columns,
      references: { table: parent.referencedRelation.name, columns: parent.referencedColumns },
      onDelete: parent.onDelete,
      onUpdate: parent.onUpdate,
      notValid: !parent.valid,
      deferrable: parent.deferrable,
      initiallyDeferred: parent.initiallyDeferred,
    },
    parent,
    { scanEvenIfNotValid: attaching },
  );
}

/** The partitions' clones of a constraint that points at its parent (a not-null one does not: `childNotNulls`). */
function childConstraints<T extends Exclude<Constraint, NotNullConstraint>>(constraint: T): T[] {
  return constraint.relation.partitions.flatMap((partition) =>
    partition.constraints.filter(
      (candidate): candidate is T => candidate.kind !== 'notNull' && candidate.parent === constraint,
    ),
  );
}

function validateForeignKeyTree(state: EngineState, foreignKey: ForeignKeyConstraint): void {
  if (foreignKey.relation.heap !== null && !foreignKey.valid) {
    const violation = firstViolation(state, foreignKey, foreignKey.relation, liveTuples(foreignKey.relation));
    if (violation !== null) throw missingReferenceError(foreignKey, foreignKey.relation, violation);
  }
  for (const child of childConstraints(foreignKey)) validateForeignKeyTree(state, child);
  setField(state, foreignKey, 'valid', true);
}

function validateCheckTree(state: EngineState, check: CheckConstraint): void {
  if (check.relation.heap !== null && !check.valid) {
    for (const tuple of liveTuples(check.relation))
      if (!isSatisfiedAsCheck(check.expr, { row: tuple.row }))
        throw checkViolationOnValidate(check.name, check.relation);
  }
  for (const child of childConstraints(check)) validateCheckTree(state, child);
  setField(state, check, 'valid', true);
}

export function findConstraint(relation: Relation, rawName: string): Constraint {
  const name = truncateIdentifier(rawName);
  const constraint = relation.constraints.find((candidate) => candidate.name === name);
  if (constraint === undefined)
    throw new PgError(SqlState.undefinedObject, `constraint "${name}" of relation "${relation.name}" does not exist`);
  return constraint;
}

/** VALIDATE CONSTRAINT: scans every row (of every partition); on failure the key stays NOT VALID. */
export function validateConstraint(state: EngineState, relation: Relation, name: string): void {
  const constraint = findConstraint(relation, name);
  if (constraint.kind === 'foreignKey') validateForeignKeyTree(state, constraint);
  else if (constraint.kind === 'check') validateCheckTree(state, constraint);
  else if (constraint.kind === 'notNull') validateNotNullTree(state, relation, constraint);
  else if (state.options.serverVersion >= 18)
    throw new PgError(SqlState.wrongObjectType, `cannot validate constraint "${name}" of relation "${relation.name}"`, {
      detail: 'This operation is not supported for this type of constraint.',
    });
  else
    throw new PgError(
      SqlState.wrongObjectType,
      `constraint "${name}" of relation "${relation.name}" is not a foreign key or check constraint`,
    );
}

function removeConstraintTree(state: EngineState, relation: Relation, constraint: Constraint): void {
  if (constraint.kind === 'notNull') {
    removeNotNullTree(state, relation, constraint);
    return;
  }
  for (const child of childConstraints(constraint)) removeConstraintTree(state, child.relation, child);
  removeItem(state, constraint.relation.constraints, constraint);
  if (constraint.kind === 'primaryKey' || constraint.kind === 'unique')
    removeItem(state, constraint.relation.indexes, constraint.index);
}

/** DROP CONSTRAINT: removes the clones made from it; keys added separately on partitions stay. */
export function dropConstraint(
  state: EngineState,
  relation: Relation,
  rawName: string,
  options: { readonly ifExists?: boolean } = {},
): void {
  const name = truncateIdentifier(rawName);
  const constraint = relation.constraints.find((candidate) => candidate.name === name);
  if (constraint === undefined) {
    if (options.ifExists) {
      state.notices.push(`NOTICE: constraint "${name}" of relation "${relation.name}" does not exist, skipping`);
      return;
    }
    findConstraint(relation, name);
    return;
  }
  if (isInherited(constraint)) {
    throw new PgError(
      SqlState.invalidTableDefinition,
      `cannot drop inherited constraint "${name}" of relation "${relation.name}"`,
    );
  }
  // dropconstraint_internal: a primary key column keeps its not-null constraint.
  if (constraint.kind === 'notNull' && relation.primaryKey()?.columns.includes(constraint.columns[0]))
    throw new PgError(SqlState.invalidTableDefinition, `column "${constraint.columns[0]}" is in a primary key`);
  if (constraint.kind === 'primaryKey' || constraint.kind === 'unique') {
    for (const other of state.relations.values()) {
      const dependent = other
        .foreignKeys()
        .find(
          (foreignKey) =>
            foreignKey.referencedRelation === relation &&
            sameColumnSet(foreignKey.referencedColumns, constraint.columns),
        );
      if (
        dependent !== undefined &&
        relation.indexes.filter(
          (index) => index.unique && index.predicate === null && sameColumnSet(index.columns, constraint.columns),
        ).length === 1
      ) {
        throw new PgError(
          SqlState.dependentObjectsStillExist,
          `cannot drop constraint ${name} on table ${relation.name} because other objects depend on it`,
          {
            detail: `constraint ${dependent.name} on table ${other.name} depends on index ${name}`,
          },
        );
      }
    }
  }
  removeConstraintTree(state, relation, constraint);
}

export function renameConstraint(state: EngineState, relation: Relation, rawName: string, rawNewName: string): void {
  const name = truncateIdentifier(rawName);
  const newName = truncateIdentifier(rawNewName);
  const constraint = relation.constraints.find((candidate) => candidate.name === name);
  // RenameConstraint words the miss differently from VALIDATE/DROP ("for table", not "of relation").
  if (constraint === undefined)
    throw new PgError(SqlState.undefinedObject, `constraint "${name}" for table "${relation.name}" does not exist`);
  requireFreeConstraintName(relation, newName);
  if (constraint.kind === 'primaryKey' || constraint.kind === 'unique') {
    if (isRelationNameTaken(state, newName))
      throw new PgError(SqlState.duplicateTable, `relation "${newName}" already exists`);
    setField(state, constraint.index, 'name', newName);
  }
  // RenameConstraint recurses into partitions for CHECK and NOT NULL, by name (a partition's
  // differently named copy is then a 42704, as in PostgreSQL).
  if (constraint.kind === 'notNull') {
    replaceNotNull(state, relation, constraint, { name: newName });
    for (const child of childNotNulls(relation, constraint.columns[0]))
      renameConstraint(state, child.relation, name, newName);
    return;
  }
  setField(state, constraint, 'name', newName);
  if (constraint.kind === 'check')
    for (const child of childConstraints(constraint)) renameConstraint(state, child.relation, name, newName);
}

export type { IndexDefinition };
