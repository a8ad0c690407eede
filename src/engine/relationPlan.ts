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

/** A relation's plan; cached on the relation itself (`Relation.cachedPlan`) until the catalog changes. */
export interface RelationPlan {
  readonly version: number;
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

export function planFor(state: EngineState, relation: Relation): RelationPlan {
  const cached = relation.cachedPlan;
  if (cached !== null && cached.version === state.catalogVersion) return cached;
  const plan = buildPlan(state, relation);
  relation.cachedPlan = plan;
  return plan;
}

function buildPlan(state: EngineState, relation: Relation): RelationPlan {
  const foreignKeys = relation.foreignKeys();
  const referencedBy: ForeignKeyConstraint[] = [];
  for (const other of state.relations.values()) {
    for (const foreignKey of other.foreignKeys()) {
      if (foreignKey.parent === null && foreignKey.referencedRelation.isAncestorOrSelfOf(relation))
        referencedBy.push(foreignKey);
    }
  }
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
