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
   * for its lifetime; a WeakMap, so a caller's throwaway array never pins an entry.
   */
  readonly uniqueKeyLookups: WeakMap<readonly string[], UniqueKeyLookup>;
}

/** How to probe a unique index for a key given as values in some column list's order. */
export interface UniqueKeyLookup {
  readonly entries: Map<IndexKey, Tuple>;
  /** For each index column, its position in the column list the values come in. */
  readonly positions: readonly number[];
}

const byName = <T extends { name: string }>(left: T, right: T): number =>
  left.name < right.name ? -1 : left.name > right.name ? 1 : 0;

/** RI trigger names sort among user triggers the way PostgreSQL's `RI_ConstraintTrigger_*` do. */
export function riTriggerName(kind: 'a' | 'c', foreignKey: ForeignKeyConstraint): string {
  return `RI_ConstraintTrigger_${kind}_${String(foreignKey.serial).padStart(8, '0')}`;
}

/**
 * What each plan was built from (`collectInputs`). Kept beside the plans rather than in them, so that
 * forking a database does not copy it: a forked plan is rebuilt at its first catalog change.
 */
const planInputs = new WeakMap<RelationPlan, readonly unknown[]>();
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
  if (cached !== null) {
    const inputs = planInputs.get(cached);
    if (inputs !== undefined && sameInputs(inputs, scratchInputs)) {
      cached.version = version;
      return cached;
    }
  }
  const plan = buildPlan(state, relation, rootKeys);
  planInputs.set(plan, scratchInputs.slice());
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

/** The catalog's root foreign keys (not clones on partitions) at one catalog version, per database. */
const rootForeignKeysCache = new WeakMap<
  EngineState['shared'],
  { readonly version: number; readonly foreignKeys: readonly ForeignKeyConstraint[] }
>();

/** Every root foreign key, in catalog order, found once per catalog version for every plan built at it. */
function rootForeignKeys(state: EngineState): readonly ForeignKeyConstraint[] {
  const cached = rootForeignKeysCache.get(state.shared);
  if (cached !== undefined && cached.version === state.catalogVersion) return cached.foreignKeys;
  const foreignKeys: ForeignKeyConstraint[] = [];
  for (const other of state.relations.values())
    for (const constraint of other.constraints)
      if (constraint.kind === 'foreignKey' && constraint.parent === null) foreignKeys.push(constraint);
  rootForeignKeysCache.set(state.shared, { version: state.catalogVersion, foreignKeys });
  return foreignKeys;
}

function buildPlan(state: EngineState, relation: Relation, rootKeys: readonly ForeignKeyConstraint[]): RelationPlan {
  const foreignKeys = relation.foreignKeys();
  const referencedBy = rootKeys.filter((foreignKey) => foreignKey.referencedRelation.isAncestorOrSelfOf(relation));
  const rowTriggers = (timing: TriggerTiming, event: TriggerEvent): RowTriggerDefinition[] =>
    relation.triggers
      .filter(
        (trigger): trigger is RowTriggerDefinition =>
          trigger.level === 'row' && trigger.timing === timing && trigger.events.has(event),
      )
      .sort(byName);
  const statementTriggers = (timing: TriggerTiming, event: TriggerEvent): StatementTriggerDefinition[] =>
    relation.triggers
      .filter(
        (trigger): trigger is StatementTriggerDefinition =>
          trigger.level === 'statement' && trigger.timing === timing && trigger.events.has(event),
      )
      .sort(byName);
  const userAfter = (event: TriggerEvent): AfterRowAction[] =>
    rowTriggers('after', event).map((trigger) => ({
      kind: 'user',
      name: trigger.name,
      trigger,
      conditional: trigger.when !== null || trigger.updateOf !== null,
    }));
  const conditional = (timing: TriggerTiming, event: TriggerEvent): boolean =>
    statementTriggers(timing, event).some((trigger) => trigger.when !== null || trigger.updateOf !== null);
  const checksOn = foreignKeys.map(
    (foreignKey): AfterRowAction => ({ kind: 'riCheck', name: riTriggerName('c', foreignKey), foreignKey }),
  );
  const actionsOn = referencedBy.map(
    (foreignKey): AfterRowAction => ({ kind: 'riAction', name: riTriggerName('a', foreignKey), foreignKey }),
  );
  const capture = (event: TriggerEvent): boolean =>
    statementTriggers('after', event).some(
      (trigger) => trigger.referencingOldTable !== null || trigger.referencingNewTable !== null,
    );
  return {
    version: state.catalogVersion,
    checks: relation.checks().sort(byName),
    uniqueIndexes: relation.indexes.filter((index) => index.unique && index.entries !== null),
    foreignKeys,
    referencedBy,
    beforeRow: {
      insert: rowTriggers('before', 'insert'),
      update: rowTriggers('before', 'update'),
      delete: rowTriggers('before', 'delete'),
    },
    afterRow: {
      insert: [...userAfter('insert'), ...checksOn].sort(byName),
      update: [...userAfter('update'), ...checksOn, ...actionsOn].sort(byName),
      delete: [...userAfter('delete'), ...actionsOn].sort(byName),
    },
    statement: {
      'before:insert': statementTriggers('before', 'insert'),
      'before:update': statementTriggers('before', 'update'),
      'before:delete': statementTriggers('before', 'delete'),
      'after:insert': statementTriggers('after', 'insert'),
      'after:update': statementTriggers('after', 'update'),
      'after:delete': statementTriggers('after', 'delete'),
    },
    conditionalStatement: {
      'before:insert': conditional('before', 'insert'),
      'before:update': conditional('before', 'update'),
      'before:delete': conditional('before', 'delete'),
      'after:insert': conditional('after', 'insert'),
      'after:update': conditional('after', 'update'),
      'after:delete': conditional('after', 'delete'),
    },
    capturesTransitions: { insert: capture('insert'), update: capture('update'), delete: capture('delete') },
    uniqueKeyLookups: new WeakMap(),
  };
}
