/**
 * CREATE/DROP TRIGGER and ENABLE/DISABLE. Row triggers on a partitioned table are cloned into
 * every partition (present and future), as PostgreSQL does; statement triggers are not, so
 * they fire only for statements that name the table they are on.
 */
import { assert, fail } from '../assert.js';
import { frozenList } from '../catalog.js';
import type { Relation, TriggerDefinition } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { childExpressions } from '../expression.js';
import type { Expr } from '../expression.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { insertIntoList, removeFromList, setField } from './catalogEdits.js';
import type { TriggerSpec } from './specs.js';

function cloneTrigger(trigger: TriggerDefinition, relation: Relation): TriggerDefinition {
  return { ...trigger, relation, parent: trigger };
}

function installTrigger(state: EngineState, relation: Relation, trigger: TriggerDefinition): void {
  if (relation.triggers.some((existing) => existing.name === trigger.name)) {
    throw new PgError(
      SqlState.duplicateObject,
      `trigger "${trigger.name}" for relation "${relation.name}" already exists`,
    );
  }
  insertIntoList(state, relation, 'triggers', trigger);
  if (trigger.level === 'row')
    for (const partition of relation.partitions) installTrigger(state, partition, cloneTrigger(trigger, partition));
}

/** Row triggers of a parent copied into a newly created or attached partition. */
export function clonePartitionTriggers(state: EngineState, parent: Relation, partition: Relation): void {
  for (const trigger of parent.triggers)
    if (trigger.level === 'row') installTrigger(state, partition, cloneTrigger(trigger, partition));
}

/** The OLD and NEW references of a WHEN condition, and whether it reads the row unqualified. */
function whenReferences(expr: Expr): { old: boolean; new: boolean; bare: string | null } {
  const found = { old: false, new: false, bare: null as string | null };
  const walk = (node: Expr): void => {
    if (node.kind === 'triggerRow') found[node.row] = true;
    else if (node.kind === 'column' && found.bare === null) found.bare = node.name;
    else childExpressions(node).forEach(walk);
  };
  walk(expr);
  return found;
}

/** CreateTriggerFiringOn's checks of WHEN and UPDATE OF, in its order (after the transition tables'). */
function checkWhenAndColumns(relation: Relation, spec: TriggerSpec): void {
  if (spec.updateOf !== undefined && spec.level === 'statement' && spec.referencing)
    if (spec.referencing.oldTable || spec.referencing.newTable)
      throw new PgError(
        SqlState.featureNotSupported,
        'transition tables cannot be specified for triggers with column lists',
      );
  if (spec.when !== undefined) {
    const references = whenReferences(spec.when);
    if (spec.level === 'statement') {
      if (references.old || references.new || references.bare !== null)
        throw new PgError(
          SqlState.invalidObjectDefinition,
          "statement trigger's WHEN condition cannot reference column values",
        );
    } else {
      // Unqualified, a column could be OLD's or NEW's: the parser refuses it as ambiguous.
      if (references.bare !== null) throw new PgError('42702', `column reference "${references.bare}" is ambiguous`);
      if (references.old && spec.events.includes('insert'))
        throw new PgError(
          SqlState.invalidObjectDefinition,
          "INSERT trigger's WHEN condition cannot reference OLD values",
        );
      if (references.new && spec.events.includes('delete'))
        throw new PgError(
          SqlState.invalidObjectDefinition,
          "DELETE trigger's WHEN condition cannot reference NEW values",
        );
    }
    for (const column of referencedTriggerColumns(spec.when))
      if (relation.column(column) === undefined)
        throw new PgError(SqlState.undefinedColumn, `column "${column}" does not exist`);
  }
  if (spec.updateOf !== undefined) {
    assert(spec.events.includes('update'), `trigger ${spec.name}: UPDATE OF needs the update event`);
    const seen = new Set<string>();
    for (const column of spec.updateOf) {
      if (relation.column(column) === undefined)
        throw new PgError(SqlState.undefinedColumn, `column "${column}" of relation "${relation.name}" does not exist`);
      if (seen.has(column)) throw new PgError(SqlState.duplicateColumn, `column "${column}" specified more than once`);
      seen.add(column);
    }
  }
}

function referencedTriggerColumns(expr: Expr): string[] {
  const columns: string[] = [];
  const walk = (node: Expr): void => {
    if (node.kind === 'triggerRow') columns.push(node.name);
    else childExpressions(node).forEach(walk);
  };
  walk(expr);
  return columns;
}

export function createTrigger(state: EngineState, spec: TriggerSpec): TriggerDefinition {
  const relation = lookupRelation(state, spec.table);
  if (spec.events.length === 0) fail(`trigger ${spec.name} needs at least one event`);
  let trigger: TriggerDefinition;
  // Each definition is one object literal with every field written out: V8 (Node 20) adds a property
  // to a spread copy (`{ ...common, level }`) through its slow path, some microseconds per trigger.
  if (spec.level === 'statement') {
    const referencing = spec.referencing ?? {};
    if ((referencing.oldTable || referencing.newTable) && spec.timing !== 'after') {
      throw new PgError(SqlState.invalidObjectDefinition, 'transition tables can only be specified for AFTER triggers');
    }
    if (referencing.oldTable && !spec.events.includes('delete') && !spec.events.includes('update')) {
      throw new PgError(
        SqlState.invalidObjectDefinition,
        'OLD TABLE can only be specified for a DELETE or UPDATE trigger',
      );
    }
    checkWhenAndColumns(relation, spec);
    trigger = {
      name: spec.name,
      relation,
      timing: spec.timing,
      // Values the trigger keeps for its lifetime: frozen, so a database fork shares them.
      events: Object.freeze(new Set(spec.events)),
      args: frozenList(spec.args ?? []),
      functionName: spec.functionName ?? spec.name,
      functionBody: spec.functionBody ?? null,
      when: spec.when ?? null,
      updateOf: spec.updateOf === undefined ? null : frozenList(spec.updateOf),
      enabled: true,
      parent: null,
      level: 'statement',
      fn: spec.fn,
      referencingOldTable: referencing.oldTable ?? null,
      referencingNewTable: referencing.newTable ?? null,
    };
  } else {
    checkWhenAndColumns(relation, spec);
    trigger = {
      name: spec.name,
      relation,
      timing: spec.timing,
      // Values the trigger keeps for its lifetime: frozen, so a database fork shares them.
      events: Object.freeze(new Set(spec.events)),
      args: frozenList(spec.args ?? []),
      functionName: spec.functionName ?? spec.name,
      functionBody: spec.functionBody ?? null,
      when: spec.when ?? null,
      updateOf: spec.updateOf === undefined ? null : frozenList(spec.updateOf),
      enabled: true,
      parent: null,
      level: 'row',
      fn: spec.fn,
    };
  }
  installTrigger(state, relation, trigger);
  return trigger;
}

export function findTrigger(relation: Relation, name: string): TriggerDefinition | undefined {
  return relation.triggers.find((trigger) => trigger.name === name);
}

/** The triggers of `relation` (not partition clones) whose UPDATE OF list or WHEN condition reads `column`. */
export function triggersUsingColumn(relation: Relation, column: string): TriggerDefinition[] {
  return relation.triggers.filter(
    (trigger) =>
      trigger.parent === null &&
      (trigger.updateOf?.includes(column) === true ||
        (trigger.when !== null && referencedTriggerColumns(trigger.when).includes(column))),
  );
}

export function removeTriggerTree(state: EngineState, trigger: TriggerDefinition): void {
  for (const partition of trigger.relation.partitions) {
    for (const child of partition.triggers.filter((candidate) => candidate.parent === trigger))
      removeTriggerTree(state, child);
  }
  const relation = trigger.relation;
  removeFromList(state, relation, 'triggers', trigger);
}

export function dropTrigger(
  state: EngineState,
  table: string,
  name: string,
  options: { readonly ifExists?: boolean } = {},
): void {
  const relation = lookupRelation(state, table);
  const trigger = findTrigger(relation, name);
  if (trigger === undefined) {
    if (options.ifExists) {
      state.notices.push(`NOTICE: trigger "${name}" for relation "${table}" does not exist, skipping`);
      return;
    }
    throw new PgError(SqlState.undefinedObject, `trigger "${name}" for table "${table}" does not exist`);
  }
  if (trigger.parent !== null) {
    throw new PgError(
      SqlState.dependentObjectsStillExist,
      `cannot drop trigger ${name} on table ${table} because trigger ${name} on table ${trigger.parent.relation.name} requires it`,
    );
  }
  removeTriggerTree(state, trigger);
}

/** ALTER TABLE … ENABLE/DISABLE TRIGGER; on a partitioned table it recurses to the clones. */
export function setTriggerEnabled(state: EngineState, table: string, name: string, enabled: boolean): void {
  const relation = lookupRelation(state, table);
  const trigger = findTrigger(relation, name);
  if (trigger === undefined)
    throw new PgError(SqlState.undefinedObject, `trigger "${name}" for table "${table}" does not exist`);
  const visit = (current: TriggerDefinition): void => {
    setField(state, current, 'enabled', enabled);
    for (const partition of current.relation.partitions)
      for (const child of partition.triggers.filter((candidate) => candidate.parent === current)) visit(child);
  };
  visit(trigger);
}

/** Cloned triggers leave with DETACH PARTITION, as in PostgreSQL 14+. */
export function dropClonedTriggers(state: EngineState, partition: Relation, parent: Relation): void {
  for (const trigger of [...partition.triggers]) {
    if (trigger.parent !== null && trigger.parent.relation === parent) removeTriggerTree(state, trigger);
  }
}
