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
  return Object.values(record).every((list) => list === NONE) ? Object.freeze(record) : record;
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
  for (const lists of [row.before, row.after, statement.before, statement.after])
    for (const list of [lists.insert, lists.update, lists.delete]) if (list.length > 1) list.sort(byName);
  return { row, statement };
}

function buildPlan(
  state: EngineState,
  relation: Relation,
  rootKeys: readonly ForeignKeyConstraint[],
  inputs: readonly unknown[],
): RelationPlan {
  const foreignKeys = relation.foreignKeys();
  const referencedBy = rootKeys.filter((foreignKey) => foreignKey.referencedRelation.isAncestorOrSelfOf(relation));
  const { row, statement } = triggerLists(relation);
  const userAfter = (event: TriggerEvent): AfterRowAction[] =>
    row.after[event].map((trigger) => ({
      kind: 'user',
      name: trigger.name,
      trigger,
      conditional: trigger.when !== null || trigger.updateOf !== null,
    }));
  const conditional = (timing: TriggerTiming, event: TriggerEvent): boolean =>
    statement[timing][event].some((trigger) => trigger.when !== null || trigger.updateOf !== null);
  const checksOn = foreignKeys.map(
    (foreignKey): AfterRowAction => ({ kind: 'riCheck', name: riTriggerName('c', foreignKey), foreignKey }),
  );
  const actionsOn = referencedBy.map(
    (foreignKey): AfterRowAction => ({ kind: 'riAction', name: riTriggerName('a', foreignKey), foreignKey }),
  );
  const capture = (event: TriggerEvent): boolean =>
    statement.after[event].some(
      (trigger) => trigger.referencingOldTable !== null || trigger.referencingNewTable !== null,
    );
  return {
    version: state.catalogVersion,
    checks: orNone(relation.checks().sort(byName)),
    uniqueIndexes: orNone(relation.indexes.filter((index) => index.unique && index.entries !== null)),
    foreignKeys: orNone(foreignKeys),
    referencedBy: orNone(referencedBy),
    beforeRow: frozenWhenEmpty({
      insert: orNone(row.before.insert),
      update: orNone(row.before.update),
      delete: orNone(row.before.delete),
    }),
    afterRow: frozenWhenEmpty({
      insert: orNone([...userAfter('insert'), ...checksOn].sort(byName)),
      update: orNone([...userAfter('update'), ...checksOn, ...actionsOn].sort(byName)),
      delete: orNone([...userAfter('delete'), ...actionsOn].sort(byName)),
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
      'before:insert': conditional('before', 'insert'),
      'before:update': conditional('before', 'update'),
      'before:delete': conditional('before', 'delete'),
      'after:insert': conditional('after', 'insert'),
      'after:update': conditional('after', 'update'),
      'after:delete': conditional('after', 'delete'),
    }),
    capturesTransitions: Object.freeze({
      insert: capture('insert'),
      update: capture('update'),
      delete: capture('delete'),
    }),
    uniqueKeyLookups: null,
    inputs,
  };
}
