/**
 * SET CONSTRAINTS { ALL | name, … } { DEFERRED | IMMEDIATE }, as PostgreSQL's
 * AfterTriggerSetState: a named constraint includes its partitions' copies; an unknown name is
 * 42704, and DEFERRED of a constraint that is not DEFERRABLE 42809 (IMMEDIATE passes over it);
 * IMMEDIATE fires at once the deferred
 * events of the constraints it names. Outside a transaction block it warns and lasts only for
 * its own (autocommit) transaction.
 */
import type { ForeignKeyConstraint } from '../catalog.js';
import type { ConstraintMode } from '../deferredConstraints.js';
import { PgError, SqlState } from '../errors.js';
import { truncateIdentifier } from '../identifier.js';
import type { EngineState } from '../session.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface SetConstraintsStatement {
  readonly kind: 'setConstraints';
  /** `'all'`, or the constraint names. */
  readonly constraints: 'all' | readonly string[];
  readonly mode: ConstraintMode;
}

/** The foreign keys a name denotes: constraints of that name and their partitions' copies. */
function foreignKeysNamed(state: EngineState, rawName: string, mode: ConstraintMode): ForeignKeyConstraint[] {
  const name = truncateIdentifier(rawName);
  const found: ForeignKeyConstraint[] = [];
  let exists = false;
  for (const relation of state.relations.values()) {
    for (const constraint of relation.constraints) {
      const isCopyName =
        constraint.kind === 'foreignKey' && [...constraint.referencedPartitionNames.values()].includes(name);
      if (constraint.name !== name && !isCopyName) continue;
      exists = true;
      // A constraint that cannot be deferred is already immediate: only DEFERRED refuses it.
      if (constraint.kind === 'foreignKey' && constraint.deferrable) found.push(constraint);
      else if (mode === 'deferred')
        throw new PgError(SqlState.wrongObjectType, `constraint "${name}" is not deferrable`);
    }
  }
  if (!exists) throw new PgError(SqlState.undefinedObject, `constraint "${name}" does not exist`);
  // Copies on partitions (conparentid) follow the constraint they were cloned from.
  for (let index = 0; index < found.length; index++) {
    const parent = found[index]!;
    for (const partition of parent.relation.partitions)
      for (const child of partition.foreignKeys()) if (child.parent === parent) found.push(child);
  }
  return found;
}

export function setConstraints(state: EngineState, statement: SetConstraintsStatement): void {
  if (!state.inTransactionBlock) state.notices.push('WARNING: SET CONSTRAINTS can only be used in transaction blocks');
  if (statement.constraints === 'all') state.deferred.setAll(statement.mode);
  else {
    const keys = statement.constraints.flatMap((name) => foreignKeysNamed(state, name, statement.mode));
    for (const key of keys) state.deferred.setMode(key, statement.mode);
  }
  if (statement.mode === 'immediate') state.fireDeferred(false);
}

export const setConstraintsKind = defineStatement<SetConstraintsStatement, void>({
  kind: 'setConstraints',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, statement) => setConstraints(session, statement),
  render: ({ constraints, mode }) =>
    `SET CONSTRAINTS ${constraints === 'all' ? 'ALL' : constraints.map(ident).join(', ')} ${mode.toUpperCase()}`,
});
