/**
 * What executing a statement on a relation needs, derived from the catalog once per catalog
 * version instead of per row: checks in name order (PostgreSQL tests CHECKs alphabetically),
 * triggers in name order, and the internal RI triggers merged among them by name.
 */
import type { AfterRowAction } from './afterTriggerQueue.js';
import type {
  CheckConstraint,
  ForeignKeyConstraint,
  IndexDefinition,
  Relation,
  RowTriggerDefinition,
  StatementTriggerDefinition,
  TriggerEvent,
  TriggerTiming,
  Tuple,
} from './catalog.js';
import type { IndexKey } from './keys.js';
import type { EngineState } from './session.js';

/**
 * A relation's plan; cached on the relation itself (`Relation.cachedPlan`) until the catalog changes
 * in a way that changes it. `version` is the catalog version it was last found to hold at.
 */
export interface RelationPlan {
  version: number;
  readonly checks: readonly CheckConstraint[];
  readonly uniqueIndexes: readonly IndexDefinition[];
  readonly foreignKeys: readonly ForeignKeyConstraint[];
  /** Root foreign keys whose referenced relation contains this leaf. */
  readonly referencedBy: readonly ForeignKeyConstraint[];
  readonly beforeRow: Readonly<Record<TriggerEvent, readonly RowTriggerDefinition[]>>;
  readonly afterRow: Readonly<Record<TriggerEvent, readonly AfterRowAction[]>>;
  readonly statement: Readonly<Record<`${TriggerTiming}:${TriggerEvent}`, readonly StatementTriggerDefinition[]>>;
  /** True when some statement trigger of that timing and event has `UPDATE OF` or `WHEN`. */
  readonly conditionalStatement: Readonly<Record<`${TriggerTiming}:${TriggerEvent}`, boolean>>;
  /** True when some AFTER statement trigger on the relation reads transition tables. */
  readonly capturesTransitions: Readonly<Record<TriggerEvent, boolean>>;
  /**
   * The unique index serving each column list a foreign key looks keys up by, filled on first use
   * (see foreignKeyRuntime.ts). Keyed by the column-list array itself, which a constraint keeps
   * for its lifetime; a WeakMap, so a caller's throwaway array never pins an entry. Null until the
   * first look-up: most plans (and most copies of a plan in a forked database) never make one.
   */
  uniqueKeyLookups: WeakMap<readonly string[], UniqueKeyLookup> | null;
  /**
   * What the plan was built from (`collectInputs`), so a catalog change that leaves them as they
   * were keeps the plan. In the plan rather than in a WeakMap beside it: a fork copies them with the
   * plan (each catalog object as its copy), and an old WeakMap whose keys are a fork's young plans
   * would keep every such fork alive through the collector's young-generation collections, which
   * treat the values of an old table's entries as reachable.
   */
  inputs: readonly unknown[];
}

/** How to probe a unique index for a key given as values in some column list's order. */
export interface UniqueKeyLookup {
  readonly entries: Map<IndexKey, Tuple>;
  /** For each index column, its position in the column list the values come in. */
  readonly positions: readonly number[];
}

/**
 * The plan's parts that hold no catalog object are shared, frozen: an empty list, a record of empty
 * lists, a record of flags. A database fork copies every unfrozen object it reaches (graphCopy.ts),
 * and most of a plan's lists are empty (a relation without triggers has fourteen), so a plan of
 * shared parts costs a fork a few objects instead of some thirty. A list or record that names a
 * catalog object is never frozen: the fork must point it at its own copies.
 */
const NONE: readonly never[] = Object.freeze([]);

/** `list`, or the shared empty list when it is empty. */
function orNone<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NONE : list;
}

/** `record`, frozen when each of its lists is the shared empty one (then it names no catalog object). */
function frozenWhenEmpty<R extends Readonly<Record<string, readonly unknown[]>>>(record: R): R {
  for (const key in record) if ((record[key] as readonly unknown[]) !== NONE) return record;
  return Object.freeze(record);
}

const byName = <T extends { name: string }>(left: T, right: T): number =>
  left.name < right.name ? -1 : left.name > right.name ? 1 : 0;

/** RI trigger names sort among user triggers the way PostgreSQL's `RI_ConstraintTrigger_*` do. */
export function riTriggerName(kind: 'a' | 'c', foreignKey: ForeignKeyConstraint): string {
  return `RI_ConstraintTrigger_${kind}_${String(foreignKey.serial).padStart(8, '0')}`;
}

/** Where `planFor` collects a relation's inputs; reused, as most look-ups find the plan still holds. */
const scratchInputs: unknown[] = [];

export function planFor(state: EngineState, relation: Relation): RelationPlan {
  const cached = relation.cachedPlan;
  if (cached !== null && cached.version === state.catalogVersion) return cached;
  return refreshPlan(state, relation, cached);
}

/** The plan after a catalog change: the cached one if it still holds, else a new one (kept out of the hot path). */
function refreshPlan(state: EngineState, relation: Relation, cached: RelationPlan | null): RelationPlan {
  const version = state.catalogVersion;
  // Most catalog changes are to other relations: the plan holds while everything it was built from is
  // as it was, and is only stamped with the new version.
  const rootKeys = rootForeignKeys(state);
  scratchInputs.length = 0;
  collectInputs(relation, rootKeys, scratchInputs);
  if (cached !== null && sameInputs(cached.inputs, scratchInputs)) {
    cached.version = version;
    return cached;
  }
  const plan = buildPlan(state, relation, rootKeys, scratchInputs.slice());
  relation.cachedPlan = plan;
  return plan;
}

/**
 * Everything `buildPlan` derives the plan from, in a fixed order: the relation's constraints (checks
 * run in name order), indexes (with their column lists, which the unique-key look-ups are built on),
 * triggers (with what filters and sorts them that DDL can change in place: the name, WHEN and UPDATE
 * OF), and the root foreign keys referencing the relation or an ancestor. Every other field the plan
 * depends on is fixed when its object is created.
 */
function collectInputs(relation: Relation, rootKeys: readonly ForeignKeyConstraint[], out: unknown[]): void {
  out.push(relation.constraints.length);
  for (const constraint of relation.constraints) out.push(constraint, constraint.name);
  out.push(relation.indexes.length);
  for (const index of relation.indexes) out.push(index, index.columns);
  out.push(relation.triggers.length);
  for (const trigger of relation.triggers) out.push(trigger, trigger.name, trigger.when, trigger.updateOf);
  for (const foreignKey of rootKeys)
    if (foreignKey.referencedRelation.isAncestorOrSelfOf(relation)) out.push(foreignKey);
}

function sameInputs(left: readonly unknown[], right: readonly unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/**
 * Every root foreign key (not clones on partitions), in catalog order, found once per catalog
 * version for every plan built at it and kept on the database (`DatabaseState.rootForeignKeys`; not in
 * a WeakMap keyed by the database, for the reason `RelationPlan.inputs` gives).
 */
function rootForeignKeys(state: EngineState): readonly ForeignKeyConstraint[] {
  const cached = state.shared.rootForeignKeys;
  if (cached !== null && cached.version === state.catalogVersion) return cached.foreignKeys;
  const foreignKeys: ForeignKeyConstraint[] = [];
  for (const other of state.relations.values())
    for (const constraint of other.constraints)
      if (constraint.kind === 'foreignKey' && constraint.parent === null) foreignKeys.push(constraint);
  state.shared.rootForeignKeys = { version: state.catalogVersion, foreignKeys };
  return foreignKeys;
}

/** A relation's triggers of one level, by timing and event, in name order; built in one pass. */
type TriggerLists<T> = Record<TriggerTiming, Record<TriggerEvent, T[]>>;

function emptyTriggerLists<T>(): TriggerLists<T> {
  return {
    before: { insert: [], update: [], delete: [] },
    after: { insert: [], update: [], delete: [] },
  };
}

function sortLists<T extends { name: string }>(lists: Record<TriggerEvent, T[]>): void {
  if (lists.insert.length > 1) lists.insert.sort(byName);
  if (lists.update.length > 1) lists.update.sort(byName);
  if (lists.delete.length > 1) lists.delete.sort(byName);
}

/**
 * Sorts the triggers into their lists with one walk over them (names are unique on a relation, so
 * name order is the only order); a plan is rebuilt in every scenario after its relation's DDL.
 */
function triggerLists(relation: Relation): {
  readonly row: TriggerLists<RowTriggerDefinition>;
  readonly statement: TriggerLists<StatementTriggerDefinition>;
} {
  const row = emptyTriggerLists<RowTriggerDefinition>();
  const statement = emptyTriggerLists<StatementTriggerDefinition>();
  for (const trigger of relation.triggers) {
    if (trigger.level === 'row') for (const event of trigger.events) row[trigger.timing][event].push(trigger);
    else for (const event of trigger.events) statement[trigger.timing][event].push(trigger);
  }
  sortLists(row.before);
  sortLists(row.after);
  sortLists(statement.before);
  sortLists(statement.after);
  return { row, statement };
}

/** The user AFTER row triggers of one event, then RI actions, as one list in name order (the shared empty one when none). */
function afterRowActions(
  user: readonly RowTriggerDefinition[],
  first: readonly AfterRowAction[],
  second: readonly AfterRowAction[],
): readonly AfterRowAction[] {
  if (user.length + first.length + second.length === 0) return NONE;
  const actions: AfterRowAction[] = [];
  for (const trigger of user)
    actions.push({
      kind: 'user',
      name: trigger.name,
      trigger,
      conditional: trigger.when !== null || trigger.updateOf !== null,
    });
  for (const action of first) actions.push(action);
  for (const action of second) actions.push(action);
  // Stable, over the same concatenation as before: user triggers, then checks, then actions.
  if (actions.length > 1) actions.sort(byName);
  return actions;
}

/** Whether some statement trigger of the list has `UPDATE OF` or `WHEN`. */
function someConditional(triggers: readonly StatementTriggerDefinition[]): boolean {
  for (const trigger of triggers) if (trigger.when !== null || trigger.updateOf !== null) return true;
  return false;
}

/** Whether some AFTER statement trigger of the list reads a transition table. */
function someCapturing(triggers: readonly StatementTriggerDefinition[]): boolean {
  for (const trigger of triggers)
    if (trigger.referencingOldTable !== null || trigger.referencingNewTable !== null) return true;
  return false;
}

/** The RI trigger actions of some foreign keys, named as PostgreSQL's of that kind (`c` checks, `a` actions). */
function riActions(kind: 'a' | 'c', foreignKeys: readonly ForeignKeyConstraint[]): readonly AfterRowAction[] {
  if (foreignKeys.length === 0) return NONE;
  const actions: AfterRowAction[] = [];
  for (const foreignKey of foreignKeys)
    actions.push(
      kind === 'c'
        ? { kind: 'riCheck', name: riTriggerName('c', foreignKey), foreignKey }
        : { kind: 'riAction', name: riTriggerName('a', foreignKey), foreignKey },
    );
  return actions;
}

/**
 * A plan from its inputs. Written with loops rather than spreads, closures and `map`/`filter`
 * chains: every scenario builds some ten plans after its steps' DDL, and their garbage was most of
 * the cost. The lists and their order are those of the declarative form it replaced.
 */
function buildPlan(
  state: EngineState,
  relation: Relation,
  rootKeys: readonly ForeignKeyConstraint[],
  inputs: readonly unknown[],
): RelationPlan {
  const foreignKeys = relation.foreignKeys();
  const referencedBy: ForeignKeyConstraint[] = [];
  for (const foreignKey of rootKeys)
    if (foreignKey.referencedRelation.isAncestorOrSelfOf(relation)) referencedBy.push(foreignKey);
  const uniqueIndexes: IndexDefinition[] = [];
  for (const index of relation.indexes) if (index.unique && index.entries !== null) uniqueIndexes.push(index);
  const { row, statement } = triggerLists(relation);
  const checksOn = riActions('c', foreignKeys);
  const actionsOn = riActions('a', referencedBy);
  return {
    version: state.catalogVersion,
    checks: orNone(relation.checks().sort(byName)),
    uniqueIndexes: orNone(uniqueIndexes),
    foreignKeys: orNone(foreignKeys),
    referencedBy: orNone(referencedBy),
    beforeRow: frozenWhenEmpty({
      insert: orNone(row.before.insert),
      update: orNone(row.before.update),
      delete: orNone(row.before.delete),
    }),
    afterRow: frozenWhenEmpty({
      insert: afterRowActions(row.after.insert, checksOn, NONE),
      update: afterRowActions(row.after.update, checksOn, actionsOn),
      delete: afterRowActions(row.after.delete, actionsOn, NONE),
    }),
    statement: frozenWhenEmpty({
      'before:insert': orNone(statement.before.insert),
      'before:update': orNone(statement.before.update),
      'before:delete': orNone(statement.before.delete),
      'after:insert': orNone(statement.after.insert),
      'after:update': orNone(statement.after.update),
      'after:delete': orNone(statement.after.delete),
    }),
    conditionalStatement: Object.freeze({
      'before:insert': someConditional(statement.before.insert),
      'before:update': someConditional(statement.before.update),
      'before:delete': someConditional(statement.before.delete),
      'after:insert': someConditional(statement.after.insert),
      'after:update': someConditional(statement.after.update),
      'after:delete': someConditional(statement.after.delete),
    }),
    capturesTransitions: Object.freeze({
      insert: someCapturing(statement.after.insert),
      update: someCapturing(statement.after.update),
      delete: someCapturing(statement.after.delete),
    }),
    uniqueKeyLookups: null,
    inputs,
  };
}
