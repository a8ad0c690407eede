/**
 * Firing triggers: BEFORE row and statement triggers as a statement reaches them, AFTER events
 * queued on the statement's query level and fired at its end, with the internal RI triggers of
 * foreign keys among them. Trigger functions receive the session's `SessionHandle` as `db`.
 */
import type {
  AfterEvent,
  AfterRowAction,
  AfterRowEvent,
  AfterStatementEvent,
  TransitionRows,
} from './afterTriggerQueue.js';
import type {
  Relation,
  StatementTriggerDefinition,
  TriggerDefinition,
  TriggerEvent,
  TriggerOperation,
} from './catalog.js';
import { evaluate } from './expression.js';
import { checkReference, runReferentialAction, updateCheckRequired } from './foreignKeyRuntime.js';
import { planFor } from './relationPlan.js';
import { assert } from './assert.js';
import { PgError, SqlState } from './errors.js';
import { normalizeTriggerRow } from './rowBuilding.js';
import { satisfiesPartitionConstraint } from './rowConstraints.js';
import { installAfterTriggerRuntime } from './session.js';
import type { EngineState } from './session.js';
import { replayable } from './sessions/suspension.js';
import type { Resumable } from './sessions/suspension.js';
import type { Row } from './values.js';

const OPERATION: Record<TriggerEvent, TriggerOperation> = { insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };
/** The plan's statement-trigger keys as constants, so no key string is built per statement. */
const BEFORE_STATEMENT: Record<TriggerEvent, `before:${TriggerEvent}`> = {
  insert: 'before:insert',
  update: 'before:update',
  delete: 'before:delete',
};
const AFTER_STATEMENT: Record<TriggerEvent, `after:${TriggerEvent}`> = {
  insert: 'after:insert',
  update: 'after:update',
  delete: 'after:delete',
};

/**
 * Runs `body` (an UPDATE's execution) with its SET list as the session's updated columns, which
 * `UPDATE OF col` triggers read (PostgreSQL's ExecGetAllUpdatedCols: the target list, not the
 * columns a BEFORE trigger happens to change). The previous list is restored, so an UPDATE run
 * from a trigger function or a referential action does not leak its own list to its caller.
 */
export function withUpdatedColumns<T>(state: EngineState, columns: readonly string[] | null, body: () => T): T {
  const previous = state.updatedColumns;
  state.updatedColumns = columns;
  try {
    return body();
  } finally {
    state.updatedColumns = previous;
  }
}

const NO_ROW: Row = Object.freeze({});

/** `withUpdatedColumns` for an execution that may wait: the list stays set across its waits. */
export function* withUpdatedColumnsResumable<T>(
  state: EngineState,
  columns: readonly string[] | null,
  execution: Resumable<T>,
): Resumable<T> {
  const previous = state.updatedColumns;
  state.updatedColumns = columns;
  try {
    return yield* execution;
  } finally {
    state.updatedColumns = previous;
  }
}

/**
 * PostgreSQL's TriggerEnabled: an `UPDATE OF` trigger fires for an UPDATE only when its SET list
 * names one of the trigger's columns, and a trigger with `WHEN (…)` only when the condition is
 * true (NULL counts as false) for the row's OLD and NEW. Other events ignore `UPDATE OF`.
 */
export function triggerEnabledFor(
  state: EngineState,
  trigger: TriggerDefinition,
  event: TriggerEvent,
  oldRow: Row | null,
  newRow: Row | null,
): boolean {
  if (!trigger.enabled) return false;
  if (trigger.updateOf !== null && event === 'update') {
    const updated = state.updatedColumns;
    assert(updated !== null, `UPDATE trigger ${trigger.name} fired outside an UPDATE`);
    if (!trigger.updateOf.some((column) => updated.includes(column))) return false;
  }
  if (trigger.when === null) return true;
  return (
    evaluate(trigger.when, { row: newRow ?? oldRow ?? NO_ROW, triggerRows: { old: oldRow, new: newRow } }) === true
  );
}

/**
 * BEFORE ROW triggers in name order. Each sees the row the previous one returned; a `null`
 * return skips the row (and the remaining triggers), as in PostgreSQL.
 */
export function fireBeforeRowTriggers(
  state: EngineState,
  relation: Relation,
  event: TriggerEvent,
  oldRow: Row | null,
  newRow: Row | null,
): Row | null {
  const triggers = planFor(state, relation).beforeRow[event];
  let current = event === 'delete' ? oldRow : newRow;
  // Indexed: most relations' lists are the shared frozen empty one, which for…of walks slowly (docs/performance.md).
  for (let position = 0; position < triggers.length; position++) {
    const trigger = triggers[position]!;
    if (!triggerEnabledFor(state, trigger, event, oldRow, event === 'delete' ? null : current)) continue;
    const result = trigger.fn({
      operation: OPERATION[event],
      timing: 'before',
      tableName: relation.name,
      triggerName: trigger.name,
      args: trigger.args,
      oldRow,
      newRow: event === 'delete' ? null : current,
      db: state.handle,
    });
    if (result === null) return null;
    if (result !== undefined && event !== 'delete') {
      const replaced = result !== current;
      current = normalizeTriggerRow(relation, result);
      // ExecBRInsertTriggers: after a trigger cloned from a partitioned parent hands back a
      // changed row, the partition constraint is re-checked at once, so a row that does not
      // fit this partition fails here with 0A000 (found by the PGlite oracle).
      if (
        replaced &&
        event === 'insert' &&
        trigger.parent !== null &&
        !satisfiesPartitionConstraint(relation, current)
      ) {
        throw new PgError(
          SqlState.featureNotSupported,
          'moving row to another partition during a BEFORE FOR EACH ROW trigger is not supported',
          {
            detail: `Before executing trigger "${trigger.name}", the row was to be in partition "${relation.name}".`,
            table: relation.name,
          },
        );
      }
    }
  }
  return current;
}

export function fireBeforeStatementTriggers(state: EngineState, relation: Relation, event: TriggerEvent): void {
  const triggers = planFor(state, relation).statement[BEFORE_STATEMENT[event]];
  if (triggers.length === 0 || !state.currentLevel.claimBeforeStatement(relation, OPERATION[event])) return;
  for (const trigger of triggers) {
    if (!triggerEnabledFor(state, trigger, event, null, null)) continue;
    trigger.fn({
      operation: OPERATION[event],
      timing: 'before',
      tableName: relation.name,
      triggerName: trigger.name,
      args: trigger.args,
      oldTable: [],
      newTable: [],
      db: state.handle,
    });
  }
}

/** The transition rows to fill for a statement on `relation`, or null when no trigger reads them. */
export function transitionFor(state: EngineState, relation: Relation, event: TriggerEvent): TransitionRows | null {
  return planFor(state, relation).capturesTransitions[event]
    ? state.currentLevel.transitionFor(relation, OPERATION[event])
    : null;
}

export function queueStatementEnd(state: EngineState, relation: Relation, event: TriggerEvent): void {
  const plan = planFor(state, relation);
  let triggers = plan.statement[AFTER_STATEMENT[event]];
  if (triggers.length === 0) return;
  // AfterTriggerSaveEvent decides UPDATE OF and WHEN of statement triggers when it queues the event,
  // after cancelling the unfired event of an earlier statement on the relation at this level: an
  // RI action's UPDATE whose SET list enables none of them still silences the UPDATE OF triggers
  // its outer UPDATE had queued (src/backend/commands/trigger.c, cancel_prior_stmt_triggers).
  if (plan.conditionalStatement[AFTER_STATEMENT[event]])
    triggers = triggers.filter((trigger) => triggerEnabledFor(state, trigger, event, null, null));
  state.currentLevel.queueStatementEvent(relation, OPERATION[event], triggers);
}

const EVENT_OF: Record<TriggerOperation, TriggerEvent> = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete' };

/** AfterTriggerSaveEvent evaluates UPDATE OF and WHEN of AFTER ROW triggers when it queues the row's event. */
function enabledAfterActions(
  state: EngineState,
  operation: TriggerOperation,
  actions: readonly AfterRowAction[],
  oldRow: Row | null,
  newRow: Row | null,
): readonly AfterRowAction[] {
  let conditional = false;
  for (let position = 0; position < actions.length; position++) {
    const action = actions[position]!;
    if (action.kind === 'user' && action.conditional) conditional = true;
  }
  if (!conditional) return actions;
  return actions.filter(
    (action) =>
      action.kind !== 'user' ||
      !action.conditional ||
      triggerEnabledFor(state, action.trigger, EVENT_OF[operation], oldRow, newRow),
  );
}

export function queueAfterRow(
  state: EngineState,
  relation: Relation,
  operation: TriggerOperation,
  actions: readonly AfterRowAction[],
  oldRow: Row | null,
  oldXmin: number,
  newRow: Row | null,
  newTid: number,
  movedWithin: Relation | null = null,
): void {
  if (actions.length === 0) return;
  actions = enabledAfterActions(state, operation, actions, oldRow, newRow);
  if (actions.length === 0) return;
  state.currentLevel.events.push({
    kind: 'row',
    relation,
    operation,
    actions,
    oldRow,
    oldXmin,
    newRow,
    newTid,
    movedWithin,
  });
}

/**
 * Fires one queued AFTER event; installed into the session as its after-trigger hook. The RI
 * actions of a row event whose constraint is deferred go to the transaction's deferred queue
 * instead, unless the event is being fired from that queue (`deferredNow`).
 */
export function fireAfterEvent(state: EngineState, queued: AfterEvent, deferredNow = false): void {
  const event = queued.kind === 'row' && !deferredNow ? state.deferred.split(queued) : queued;
  if (event.kind === 'row' && event.actions.length === 0) return;
  if (event.kind === 'statement') {
    for (const trigger of event.triggers) fireAfterStatementTrigger(state, event, trigger);
    return;
  }
  const actions = event.actions;
  for (let position = 0; position < actions.length; position++) fireAfterRowAction(state, event, actions[position]!);
}

/**
 * The same for a statement that may wait: each trigger and each RI action is a replayable segment,
 * so a nested statement's wait suspends the firing statement, not the trigger (sessions/suspension.ts).
 */
export function* fireAfterEventResumable(state: EngineState, queued: AfterEvent): Resumable<void> {
  // Deferred RI actions wait for COMMIT here too (see fireAfterEvent).
  const event = queued.kind === 'row' ? state.deferred.split(queued) : queued;
  if (event.kind === 'statement') {
    for (const trigger of event.triggers)
      yield* replayable(state, () => fireAfterStatementTrigger(state, event, trigger));
    return;
  }
  for (const action of event.actions) yield* replayable(state, () => fireAfterRowAction(state, event, action));
}

/** BEFORE STATEMENT triggers of a statement that may wait: claimed once, each trigger a replayable segment. */
export function* fireBeforeStatementResumable(
  state: EngineState,
  relation: Relation,
  event: TriggerEvent,
): Resumable<void> {
  const triggers = planFor(state, relation).statement[BEFORE_STATEMENT[event]];
  if (triggers.length === 0 || !state.currentLevel.claimBeforeStatement(relation, OPERATION[event])) return;
  for (const trigger of triggers) {
    if (!triggerEnabledFor(state, trigger, event, null, null)) continue;
    yield* replayable(state, () =>
      trigger.fn({
        operation: OPERATION[event],
        timing: 'before',
        tableName: relation.name,
        triggerName: trigger.name,
        args: trigger.args,
        oldTable: [],
        newTable: [],
        db: state.handle,
      }),
    );
  }
}

function fireAfterStatementTrigger(
  state: EngineState,
  event: AfterStatementEvent,
  trigger: StatementTriggerDefinition,
): void {
  if (!trigger.enabled) return;
  trigger.fn({
    operation: event.operation,
    timing: 'after',
    tableName: event.relation.name,
    triggerName: trigger.name,
    args: trigger.args,
    oldTable: trigger.referencingOldTable === null ? [] : event.transition.oldRows,
    newTable: trigger.referencingNewTable === null ? [] : event.transition.newRows,
    db: state.handle,
  });
}

function fireAfterRowAction(state: EngineState, event: AfterRowEvent, action: AfterRowAction): void {
  const relation = event.relation;
  switch (action.kind) {
    case 'user':
      if (!action.trigger.enabled) break;
      action.trigger.fn({
        operation: event.operation,
        timing: 'after',
        tableName: relation.name,
        triggerName: action.name,
        args: action.trigger.args,
        oldRow: event.oldRow,
        newRow: event.newRow,
        db: state.handle,
      });
      break;
    case 'riCheck': {
      // RI_FKey_check skips a row version that a later action of the statement already replaced.
      if (relation.heap!.get(event.newTid)?.row !== event.newRow) break;
      if (
        event.operation === 'UPDATE' &&
        !updateCheckRequired(state, action.foreignKey, event.oldRow!, event.oldXmin, event.newRow!)
      )
        break;
      checkReference(state, action.foreignKey, relation, event.newRow!);
      break;
    }
    case 'riAction': {
      // The halves of a cross-partition UPDATE are one UPDATE to keys that reference the UPDATE's target.
      if (
        event.operation === 'DELETE' &&
        event.movedWithin !== null &&
        action.foreignKey.referencedRelation.isAncestorOrSelfOf(event.movedWithin)
      )
        break;
      const firedOn = event.operation === 'UPDATE' && event.movedWithin !== null ? event.movedWithin : relation;
      runReferentialAction(
        state,
        action.foreignKey,
        firedOn,
        event.oldRow!,
        event.operation === 'DELETE' ? null : event.newRow,
      );
      break;
    }
  }
}

installAfterTriggerRuntime({ fire: fireAfterEvent, fireResumable: fireAfterEventResumable });
