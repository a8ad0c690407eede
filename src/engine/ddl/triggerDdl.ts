/**
 * CREATE/DROP TRIGGER and ENABLE/DISABLE. Row triggers on a partitioned table are cloned into
 * every partition (present and future), as PostgreSQL does; statement triggers are not, so
 * they fire only for statements that name the table they are on.
 */
import { assert } from '../assert.js';
import type { Relation, TriggerDefinition } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { pushItem, removeItem, setField } from './catalogEdits.js';
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
  pushItem(state, relation.triggers, trigger);
  if (trigger.level === 'row')
    for (const partition of relation.partitions) installTrigger(state, partition, cloneTrigger(trigger, partition));
}

/** Row triggers of a parent copied into a newly created or attached partition. */
export function clonePartitionTriggers(state: EngineState, parent: Relation, partition: Relation): void {
  for (const trigger of parent.triggers)
    if (trigger.level === 'row') installTrigger(state, partition, cloneTrigger(trigger, partition));
}

export function createTrigger(state: EngineState, spec: TriggerSpec): TriggerDefinition {
  const relation = lookupRelation(state, spec.table);
  assert(spec.events.length > 0, `trigger ${spec.name} needs at least one event`);
  const common = {
    name: spec.name,
    relation,
    timing: spec.timing,
    events: new Set(spec.events),
    args: spec.args ?? [],
    functionName: spec.functionName ?? spec.name,
    functionBody: spec.functionBody ?? null,
    enabled: true,
    parent: null,
  };
  let trigger: TriggerDefinition;
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
    trigger = {
      ...common,
      level: 'statement',
      fn: spec.fn,
      referencingOldTable: referencing.oldTable ?? null,
      referencingNewTable: referencing.newTable ?? null,
    };
  } else {
    trigger = { ...common, level: 'row', fn: spec.fn };
  }
  installTrigger(state, relation, trigger);
  return trigger;
}

export function findTrigger(relation: Relation, name: string): TriggerDefinition | undefined {
  return relation.triggers.find((trigger) => trigger.name === name);
}

function removeTriggerTree(state: EngineState, trigger: TriggerDefinition): void {
  for (const partition of trigger.relation.partitions) {
    for (const child of partition.triggers.filter((candidate) => candidate.parent === trigger))
      removeTriggerTree(state, child);
  }
  removeItem(state, trigger.relation.triggers, trigger);
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
