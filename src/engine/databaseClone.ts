/**
 * A deep copy of a quiet database's shared state (catalog, heaps, indexes, referencing maps,
 * sequences, counters, clock), independent of the original from then on. Building a schema by
 * running its DDL costs far more than copying the objects it produced, so callers that run many
 * programs over one schema (the permutation driver, a harness running thousands of scenarios) build
 * it once and fork it per run (`Database.fork`).
 *
 * The copy is structural: every object reachable from the state is copied once (with its
 * prototype), so objects that point at each other (a constraint and its relation, a column default
 * and its sequence, a unique index entry and the tuple in the heap) point at each other's copies.
 * Frozen objects (row values) and functions (trigger bodies) are immutable and shared. A new kind
 * of object in the catalog is copied without a change here; one that cannot be copied faithfully
 * (a WeakMap, a Promise) fails loudly instead of being shared by accident.
 */
import { assert, fail } from './assert.js';
import { Relation } from './catalog.js';
import type { DatabaseState } from './databaseState.js';
import type { RelationPlan } from './relationPlan.js';

/** Bound on the objects one copy visits: far above any schema and data a program builds. */
const MAX_OBJECTS = 50_000_000;

class GraphCopier {
  readonly copies = new Map<object, unknown>();
  private visited = 0;

  copy<T>(value: T): T {
    if (typeof value !== 'object' || value === null) return value;
    const known = this.copies.get(value);
    if (known !== undefined) return known as T;
    if (Object.isFrozen(value)) return value;
    assert(++this.visited < MAX_OBJECTS, 'a database copy visited more objects than its bound');
    if (Array.isArray(value)) {
      const copy: unknown[] = new Array(value.length);
      this.copies.set(value, copy);
      for (let index = 0; index < value.length; index++) copy[index] = this.copy(value[index]);
      return copy as T;
    }
    if (value instanceof Map) {
      const copy = new Map();
      this.copies.set(value, copy);
      for (const [key, entry] of value) copy.set(this.copy(key), this.copy(entry));
      return copy as T;
    }
    if (value instanceof Set) {
      const copy = new Set();
      this.copies.set(value, copy);
      for (const entry of value) copy.add(this.copy(entry));
      return copy as T;
    }
    if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof Date)
      fail(`a database copy met a ${value.constructor.name}, which it cannot copy faithfully`);
    const prototype = Object.getPrototypeOf(value) as object | null;
    const copy = Object.create(prototype) as Record<string, unknown>;
    this.copies.set(value, copy);
    const source = value as Record<string, unknown>;
    const relation = value instanceof Relation;
    for (const key of Object.keys(source))
      copy[key] =
        relation && key === 'cachedPlan' ? this.copyPlan(source[key] as RelationPlan | null) : this.copy(source[key]);
    return copy as T;
  }

  /**
   * A relation's plan names catalog objects, so it is copied like them (the copy's catalog version is
   * the original's, so the plan stays valid), except its lookup cache: a WeakMap keyed by the
   * original's column lists, which the copy fills anew on first use.
   */
  private copyPlan(plan: RelationPlan | null): RelationPlan | null {
    if (plan === null) return null;
    const copy: Record<string, unknown> = {};
    const source = plan as unknown as Record<string, unknown>;
    for (const key of Object.keys(source)) if (key !== 'uniqueKeyLookups') copy[key] = this.copy(source[key]);
    copy.uniqueKeyLookups = new WeakMap();
    return copy as unknown as RelationPlan;
  }
}

/**
 * Copies a database's shared state. The database must be quiet: one session (no row versions
 * kept), no transaction open, no scheduler attached. The copy has no sessions yet; the caller
 * opens its first one over it.
 */
export function cloneDatabaseState(source: DatabaseState): DatabaseState {
  assert(!source.versioning, 'only a database with one session can be copied');
  assert(source.running.size === 0 && source.versionedRelations.size === 0, 'a copied database keeps no versions');
  assert(
    source.observer === null && source.tableLocks === null && source.lockNow === null,
    'a database with a scheduler attached cannot be copied',
  );
  for (const session of source.sessions)
    assert(session.openXid === null && session.activeSnapshot === null, 'a database is copied between transactions');
  const copier = new GraphCopier();
  // The sessions belong to the original; the copy starts with none.
  copier.copies.set(source.sessions, []);
  return copier.copy(source);
}
