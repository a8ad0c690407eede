/**
 * Every statement kind the engine knows, listed once. The `Statement` union and each kind's
 * result type are derived from this table, so a new kind is one module in this directory plus
 * one line here; the facade, the oracle's rendering and replay pick it up from the table.
 */
import { assert, fail } from '../assert.js';
import { addColumnKind } from './addColumn.js';
import { addConstraintKind } from './addConstraint.js';
import { attachIndexKind } from './attachIndex.js';
import { attachPartitionKind } from './attachPartition.js';
import { beginKind } from './begin.js';
import { commitKind } from './commit.js';
import { createIndexKind } from './createIndex.js';
import { createSequenceKind } from './createSequence.js';
import { createTableKind } from './createTable.js';
import { createTriggerKind } from './createTrigger.js';
import type { StatementDefinition, StatementValue } from './definition.js';
import { deleteKind } from './delete.js';
import { detachPartitionKind } from './detachPartition.js';
import { disableTriggerKind } from './disableTrigger.js';
import { dropColumnKind } from './dropColumn.js';
import { dropConstraintKind } from './dropConstraint.js';
import { dropIndexKind } from './dropIndex.js';
import { dropSequenceKind } from './dropSequence.js';
import { dropTableKind } from './dropTable.js';
import { dropTriggerKind } from './dropTrigger.js';
import { enableTriggerKind } from './enableTrigger.js';
import { insertKind } from './insert.js';
import { insertSelectKind } from './insertSelect.js';
import { lockTableKind } from './lockTable.js';
import { nextvalKind } from './nextval.js';
import { releaseSavepointKind } from './releaseSavepoint.js';
import { renameColumnKind } from './renameColumn.js';
import { renameConstraintKind } from './renameConstraint.js';
import { renameIndexKind } from './renameIndex.js';
import { renameSequenceKind } from './renameSequence.js';
import { renameTableKind } from './renameTable.js';
import { rollbackKind } from './rollback.js';
import { rollbackToSavepointKind } from './rollbackToSavepoint.js';
import { savepointKind } from './savepoint.js';
import { selectKind } from './select.js';
import { setKind } from './set.js';
import { setColumnDefaultKind } from './setColumnDefault.js';
import { setConstraintsKind } from './setConstraints.js';
import { setColumnNotNullKind } from './setColumnNotNull.js';
import { setSequenceOwnerKind } from './setSequenceOwner.js';
import { setvalKind } from './setval.js';
import { truncateKind } from './truncate.js';
import { updateKind } from './update.js';
import { validateConstraintKind } from './validateConstraint.js';

export const STATEMENT_KINDS = {
  // Data.
  insert: insertKind,
  insertSelect: insertSelectKind,
  update: updateKind,
  delete: deleteKind,
  select: selectKind,
  nextval: nextvalKind,
  setval: setvalKind,
  // Tables and columns.
  createTable: createTableKind,
  dropTable: dropTableKind,
  renameTable: renameTableKind,
  truncate: truncateKind,
  lockTable: lockTableKind,
  addColumn: addColumnKind,
  renameColumn: renameColumnKind,
  dropColumn: dropColumnKind,
  setColumnDefault: setColumnDefaultKind,
  setColumnNotNull: setColumnNotNullKind,
  // Constraints, indexes, partitions, triggers, sequences.
  addConstraint: addConstraintKind,
  validateConstraint: validateConstraintKind,
  dropConstraint: dropConstraintKind,
  renameConstraint: renameConstraintKind,
  createIndex: createIndexKind,
  dropIndex: dropIndexKind,
  renameIndex: renameIndexKind,
  attachIndex: attachIndexKind,
  attachPartition: attachPartitionKind,
  detachPartition: detachPartitionKind,
  createTrigger: createTriggerKind,
  dropTrigger: dropTriggerKind,
  enableTrigger: enableTriggerKind,
  disableTrigger: disableTriggerKind,
  createSequence: createSequenceKind,
  dropSequence: dropSequenceKind,
  renameSequence: renameSequenceKind,
  setSequenceOwner: setSequenceOwnerKind,
  // Transaction control.
  begin: beginKind,
  commit: commitKind,
  rollback: rollbackKind,
  savepoint: savepointKind,
  rollbackToSavepoint: rollbackToSavepointKind,
  releaseSavepoint: releaseSavepointKind,
  // Session settings.
  set: setKind,
  setConstraints: setConstraintsKind,
} as const;

type Registry = typeof STATEMENT_KINDS;
type ValueOf<D> = D extends StatementDefinition<infer S, infer _R> ? S : never;
type ResultOf<D> = D extends StatementDefinition<infer _S, infer R> ? R : never;

export type StatementKind = keyof Registry;

/** Any statement the engine can execute, as a plain-data value. */
export type Statement = { [K in StatementKind]: ValueOf<Registry[K]> }[StatementKind];

/** What executing `S` returns: rows for DML and SELECT, a value for nextval, nothing for most DDL. */
export type StatementResult<S extends Statement> = ResultOf<Registry[S['kind']]>;

for (const [kind, definition] of Object.entries(STATEMENT_KINDS)) {
  assert(definition.kind === kind, `statement kind ${definition.kind} is registered as ${kind}`);
}

/**
 * The registry by kind as a Map: every statement looks its kind up here, and a keyed read of a
 * record of some forty-five kinds by a varying key was a megamorphic property load. Built from
 * the record once, so the two always agree.
 */
const DEFINITIONS: ReadonlyMap<string, StatementDefinition<StatementValue, unknown>> = new Map(
  Object.entries(STATEMENT_KINDS as unknown as Readonly<Record<string, StatementDefinition<StatementValue, unknown>>>),
);

/** The definition of a statement's kind, typed for that statement. */
export function definitionOf<S extends Statement>(statement: S): StatementDefinition<S, StatementResult<S>> {
  const definition = DEFINITIONS.get(statement.kind);
  // The message is formatted only on failure (`fail`): this runs for every statement.
  if (definition === undefined) fail(`unknown statement kind ${String(statement.kind)}`);
  return definition as unknown as StatementDefinition<S, StatementResult<S>>;
}
