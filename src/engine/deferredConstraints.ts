/**
 * DEFERRABLE foreign keys and SET CONSTRAINTS, as PostgreSQL's trigger.c keeps them per
 * transaction: the RI events of a constraint that is deferred when its statement ends wait in a
 * transaction-wide queue and fire at COMMIT, or when SET CONSTRAINTS … IMMEDIATE names their
 * constraint; a savepoint rolled back discards the events queued and the modes set after it.
 *
 * Only RI events can be deferred: the check on the referencing side, and NO ACTION on the
 * referenced side (RESTRICT, CASCADE and SET NULL fire at once even on a deferrable key, as
 * createForeignKeyActionTriggers makes them not deferrable). User triggers are never deferred
 * (constraint triggers are not modelled).
 */
import type { AfterRowAction, AfterRowEvent } from './afterTriggerQueue.js';
import { assert } from './assert.js';
import type { ForeignKeyConstraint, Relation } from './catalog.js';
import { PgError } from './errors.js';
import { truncateIdentifier } from './identifier.js';
import type { EngineState } from './session.js';

export type ConstraintMode = 'deferred' | 'immediate';

/** What a savepoint remembers, to restore on ROLLBACK TO. */
export interface DeferredMark {
  /**
   * The queue as it was: events fired by a later SET CONSTRAINTS … IMMEDIATE wait again after
   * ROLLBACK TO, as AfterTriggerEndSubXact un-marks the events a rolled-back subtransaction fired.
   */
  readonly queue: readonly AfterRowEvent[];
  readonly all: ConstraintMode | null;
  readonly modes: ReadonlyMap<ForeignKeyConstraint, ConstraintMode>;
}

/** The foreign key whose deferrability governs an RI action, or null for actions that never wait. */
export function deferrableKeyOf(
  action: AfterRowAction,
  operation: AfterRowEvent['operation'],
): ForeignKeyConstraint | null {
  if (action.kind === 'user' || !action.foreignKey.deferrable) return null;
  if (action.kind === 'riCheck') return action.foreignKey;
  const referencedAction = operation === 'DELETE' ? action.foreignKey.onDelete : action.foreignKey.onUpdate;
  return referencedAction === 'no action' ? action.foreignKey : null;
}

export class DeferredConstraints {
  /**
   * The queue and the modes are made here (a savepoint's mark and a rollback to it copy them, never
   * share them) and changed only through this object: a copy makes an empty one afresh (graphCopy.ts).
   */
  static readonly ownedContainers: readonly string[] = ['queue', 'modes'];
  /** Events (restricted to their deferred actions) waiting for COMMIT, in the order they were deferred. */
  private queue: AfterRowEvent[] = [];
  /** `SET CONSTRAINTS ALL …` in this transaction, or null. */
  private all: ConstraintMode | null = null;
  /** `SET CONSTRAINTS name …` in this transaction, after the last ALL. */
  private modes = new Map<ForeignKeyConstraint, ConstraintMode>();

  get pending(): number {
    return this.queue.length;
  }

  /** Whether an event of `relation` waits in the queue (AfterTriggerPendingOnRel). */
  hasPendingOn(relation: Relation): boolean {
    return this.queue.some((event) => event.relation === relation);
  }

  isDeferred(foreignKey: ForeignKeyConstraint): boolean {
    if (!foreignKey.deferrable) return false;
    const mode = this.modes.get(foreignKey) ?? this.all ?? (foreignKey.initiallyDeferred ? 'deferred' : 'immediate');
    return mode === 'deferred';
  }

  /**
   * Splits a row event at the end of its statement: returns the event with the actions that fire
   * now, and queues a copy holding the actions whose constraint is deferred. The shared event is
   * returned as is when nothing is deferred (the common case: no deferrable key).
   */
  split(event: AfterRowEvent): AfterRowEvent {
    let deferred: AfterRowAction[] | null = null;
    for (const action of event.actions) {
      const key = deferrableKeyOf(action, event.operation);
      if (key === null || !this.isDeferred(key)) continue;
      deferred ??= [];
      deferred.push(action);
    }
    if (deferred === null) return event;
    this.queue.push({ ...event, actions: deferred });
    return { ...event, actions: event.actions.filter((action) => !deferred.includes(action)) };
  }

  /** SET CONSTRAINTS ALL: forgets the per-constraint modes, as AfterTriggerSetState does. */
  setAll(mode: ConstraintMode): void {
    this.all = mode;
    this.modes = new Map();
  }

  setMode(foreignKey: ForeignKeyConstraint, mode: ConstraintMode): void {
    assert(foreignKey.deferrable, `SET CONSTRAINTS on ${foreignKey.name}, which is not deferrable`);
    this.modes.set(foreignKey, mode);
  }

  /**
   * Takes out of the queue the events (or the actions of events) whose constraint is no longer
   * deferred, in queue order, for the caller to fire; at COMMIT that is all of them.
   */
  takeImmediate(everything: boolean): AfterRowEvent[] {
    const ready: AfterRowEvent[] = [];
    const waiting: AfterRowEvent[] = [];
    for (const event of this.queue) {
      const now = everything
        ? event.actions
        : event.actions.filter((action) => {
            const key = deferrableKeyOf(action, event.operation);
            return key === null || !this.isDeferred(key);
          });
      if (now.length > 0) ready.push(now.length === event.actions.length ? event : { ...event, actions: now });
      if (now.length < event.actions.length)
        waiting.push(now.length === 0 ? event : { ...event, actions: event.actions.filter((a) => !now.includes(a)) });
    }
    this.queue = waiting;
    return ready;
  }

  mark(): DeferredMark {
    return { queue: [...this.queue], all: this.all, modes: new Map(this.modes) };
  }

  /** ROLLBACK TO: the events queued and the modes set since the savepoint are undone. */
  restore(mark: DeferredMark): void {
    this.queue = [...mark.queue];
    this.all = mark.all;
    this.modes = new Map(mark.modes);
  }

  /** The transaction ended (COMMIT after firing, or ROLLBACK): nothing carries over. */
  reset(): void {
    this.queue = [];
    this.all = null;
    this.modes = new Map();
  }
}

/**
 * CheckTableNotInUse: a command that rewrites or re-describes a table (ALTER TABLE, CREATE and
 * DROP INDEX, TRUNCATE, DROP TABLE) is refused while one of its rows has a deferred RI event
 * waiting, since the event would fire against a table that changed under it. With `recurse` the
 * partitions below are checked too, as the command recurses into them.
 */
export function checkNotPendingTriggerEvents(
  deferred: DeferredConstraints,
  relation: Relation,
  command: string,
  recurse: boolean,
): void {
  if (deferred.pending === 0) return;
  const visit = (current: Relation): void => {
    if (deferred.hasPendingOn(current))
      throw new PgError('55006', `cannot ${command} "${current.name}" because it has pending trigger events`);
    if (recurse) current.partitions.forEach(visit);
  };
  visit(relation);
}

/** The same for a table named by a statement; a missing table is left to the statement's own error. */
export function guardTableNotInUse(state: EngineState, table: string, command: string, recurse: boolean): void {
  if (state.deferred.pending === 0) return;
  const relation = state.relations.get(truncateIdentifier(table));
  if (relation !== undefined) checkNotPendingTriggerEvents(state.deferred, relation, command, recurse);
}
