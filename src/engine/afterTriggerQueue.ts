import { assert, MAX_LOOP_ITERATIONS } from './assert.js';
import type {
  ForeignKeyConstraint,
  Relation,
  RowTriggerDefinition,
  StatementTriggerDefinition,
  TriggerOperation,
} from './catalog.js';
import type { LockWait } from './sessions/suspension.js';
import type { Row } from './values.js';

/**
 * PostgreSQL queues AFTER ROW events (user triggers and the internal RI triggers alike) while a
 * statement runs and fires them when it ends, event by event, each event's triggers in name
 * order. RI actions (cascades) run their statements without a query level of their own, so
 * their events join the same queue; statements run from user trigger functions get a new level.
 */
export type AfterRowAction =
  /** `conditional`: the trigger has `UPDATE OF` or `WHEN`, decided per row when the event is queued. */
  | {
      readonly kind: 'user';
      readonly name: string;
      readonly trigger: RowTriggerDefinition;
      readonly conditional: boolean;
    }
  | { readonly kind: 'riCheck'; readonly name: string; readonly foreignKey: ForeignKeyConstraint }
  | { readonly kind: 'riAction'; readonly name: string; readonly foreignKey: ForeignKeyConstraint };

export interface AfterRowEvent {
  readonly kind: 'row';
  readonly relation: Relation;
  readonly operation: TriggerOperation;
  readonly oldRow: Row | null;
  readonly oldXmin: number;
  readonly newRow: Row | null;
  readonly newTid: number;
  readonly actions: readonly AfterRowAction[];
  /** For the halves of a cross-partition UPDATE: the UPDATE's target, which RI treats as one update. */
  readonly movedWithin: Relation | null;
}

export interface TransitionRows {
  readonly oldRows: Row[];
  readonly newRows: Row[];
  /** Set once the statement event that reads these rows has fired; later statements start anew. */
  fired: boolean;
}

export interface AfterStatementEvent {
  readonly kind: 'statement';
  readonly relation: Relation;
  readonly operation: TriggerOperation;
  readonly triggers: readonly StatementTriggerDefinition[];
  readonly transition: TransitionRows;
  cancelled: boolean;
}

export type AfterEvent = AfterRowEvent | AfterStatementEvent;

/**
 * One query level's AFTER-trigger state. Every statement opens one, and most statements touch
 * no statement trigger, so the per-(relation, operation) maps are created on first use.
 */
export class QueryLevel {
  readonly events: AfterEvent[] = [];
  private transitions: Map<string, TransitionRows> | null = null;
  private pendingStatementEvents: Map<string, AfterStatementEvent> | null = null;
  private beforeStatementFired: Set<string> | null = null;

  /** BEFORE STATEMENT triggers fire once per relation and operation in a query level (FK cascades included). */
  claimBeforeStatement(relation: Relation, operation: TriggerOperation): boolean {
    const key = `${relation.oid}:${operation}`;
    this.beforeStatementFired ??= new Set();
    if (this.beforeStatementFired.has(key)) return false;
    this.beforeStatementFired.add(key);
    return true;
  }

  /** The transition rows shared by every statement on (relation, operation) at this level. */
  transitionFor(relation: Relation, operation: TriggerOperation): TransitionRows {
    const key = `${relation.oid}:${operation}`;
    this.transitions ??= new Map();
    let rows = this.transitions.get(key);
    if (rows === undefined || rows.fired) {
      rows = { oldRows: [], newRows: [], fired: false };
      this.transitions.set(key, rows);
    }
    return rows;
  }

  /**
   * Queues an AFTER STATEMENT event. An unfired event for the same relation and operation at
   * this level is cancelled, so FK cascades fire the statement trigger once with all rows.
   */
  queueStatementEvent(
    relation: Relation,
    operation: TriggerOperation,
    triggers: readonly StatementTriggerDefinition[],
  ): void {
    const key = `${relation.oid}:${operation}`;
    this.pendingStatementEvents ??= new Map();
    const previous = this.pendingStatementEvents.get(key);
    if (previous && !previous.transition.fired) previous.cancelled = true;
    // No trigger enabled for this statement: the earlier event stays cancelled and none is queued.
    if (triggers.length === 0) return;
    const event: AfterStatementEvent = {
      kind: 'statement',
      relation,
      operation,
      triggers,
      transition: this.transitionFor(relation, operation),
      cancelled: false,
    };
    this.pendingStatementEvents.set(key, event);
    this.events.push(event);
  }

  /** `drain` for statements that may wait: each event is fired by a resumable execution. */
  *drainResumable(fire: (event: AfterEvent) => Generator<LockWait, void, void>): Generator<LockWait, void, void> {
    for (let index = 0; index < this.events.length; index++) {
      assert(index < MAX_LOOP_ITERATIONS, 'AFTER trigger queue exceeded its bound: a runaway cascade');
      const event = this.events[index]!;
      if (event.kind === 'statement') {
        if (event.cancelled) continue;
        event.transition.fired = true;
      }
      yield* fire(event);
    }
  }

  /** Fires every queued event, including those queued while firing, until the queue is empty. */
  drain(fire: (event: AfterEvent) => void): void {
    for (let index = 0; index < this.events.length; index++) {
      assert(index < MAX_LOOP_ITERATIONS, 'AFTER trigger queue exceeded its bound: a runaway cascade');
      const event = this.events[index]!;
      if (event.kind === 'statement') {
        if (event.cancelled) continue;
        event.transition.fired = true;
      }
      fire(event);
    }
  }
}
