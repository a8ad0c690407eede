/**
 * A structural copy of an object graph: every object reachable from the root is copied once (with
 * its prototype), so objects that point at each other point at each other's copies. Frozen objects
 * (row values) and functions (trigger bodies) are immutable and shared. Objects that cannot be
 * copied faithfully (a WeakMap, a Promise) fail loudly instead of being shared by accident; class
 * instances with private (`#`) fields must not be reached (the lock manager copies itself,
 * `LockManager.copy`). Used for database forks (`databaseClone.ts`).
 */
import { assert, fail } from './assert.js';
import { Relation } from './catalog.js';
import type { RelationPlan } from './relationPlan.js';

/** Bound on the objects one copy visits: far above any schema and data a program builds. */
const MAX_OBJECTS = 50_000_000;

type Shell = new (source: Record<string, unknown>) => Record<string, unknown>;

/** One shell constructor per prototype (prototypes are few: the engine's classes and Object). */
const shells = new Map<object, Shell>();

/**
 * A constructor whose instances have `prototype` and the source's own fields in its order.
 * Objects built by `Object.create` and then given their fields one keyed store at a time drop to
 * slow (dictionary) properties past a dozen fields, and the engine's hottest objects (a session's
 * state) have more; a constructor's instances keep fast properties, so code running on a copy runs
 * as fast as on the original.
 */
function shellOf(prototype: object): Shell {
  let shell = shells.get(prototype);
  if (shell === undefined) {
    // Object.assign copies the own enumerable fields in order in one native call, where a loop of
    // keyed stores in this one function, shared by every shape, would go through a megamorphic cache.
    const made = function (this: Record<string, unknown>, source: Record<string, unknown>): void {
      Object.assign(this, source);
    } as unknown as Shell & { prototype: object };
    made.prototype = prototype;
    shell = made;
    shells.set(prototype, shell);
  }
  return shell;
}

export class GraphCopier {
  readonly copies = new Map<object, unknown>();
  private visited = 0;

  copy<T>(value: T): T {
    if (typeof value !== 'object' || value === null) return value;
    const known = this.copies.get(value);
    if (known !== undefined) return known as T;
    if (Object.isFrozen(value)) return value;
    assert(++this.visited < MAX_OBJECTS, 'a database copy visited more objects than its bound');
    // Dispatch on the prototype: one lookup instead of a chain of instanceof tests.
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Array.prototype) {
      const source = value as unknown as unknown[];
      const length = source.length;
      const copy = source.slice();
      this.copies.set(value, copy);
      // Primitives (most entries of the engine's arrays) are kept as sliced.
      for (let index = 0; index < length; index++) {
        const entry = source[index];
        if (typeof entry === 'object' && entry !== null) copy[index] = this.copy(entry);
      }
      return copy as T;
    }
    if (prototype === Map.prototype) {
      const copy = new Map();
      this.copies.set(value, copy);
      for (const [key, entry] of value as unknown as Map<unknown, unknown>) copy.set(this.copy(key), this.copy(entry));
      return copy as T;
    }
    if (prototype === Set.prototype) {
      const copy = new Set();
      this.copies.set(value, copy);
      for (const entry of value as unknown as Set<unknown>) copy.add(this.copy(entry));
      return copy as T;
    }
    if (prototype !== Object.prototype) {
      if (Array.isArray(value) || value instanceof Map || value instanceof Set)
        fail(`a database copy met a subclass of ${value.constructor.name}, which it cannot copy faithfully`);
      if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof Date)
        fail(`a database copy met a ${value.constructor.name}, which it cannot copy faithfully`);
    }
    const source = value as Record<string, unknown>;
    // The shell has the original's fields (values still the original's), so it has its shape; each
    // field holding an object is then overwritten with its copy, once the shell is registered
    // (cycles lead back to it). Fields holding primitives keep the shell's value.
    const copy =
      prototype === null
        ? (Object.assign(Object.create(null), source) as Record<string, unknown>)
        : new (shellOf(prototype))(source);
    this.copies.set(value, copy);
    const relation = prototype === Relation.prototype;
    for (const key in source) {
      const field = source[key];
      if (typeof field !== 'object' || field === null || !Object.hasOwn(source, key)) continue;
      copy[key] = relation && key === 'cachedPlan' ? this.copyPlan(field as RelationPlan | null) : this.copy(field);
    }
    return copy as T;
  }

  /**
   * A relation's plan names catalog objects, so it is copied like them (the copy's catalog version is
   * the original's, so the plan stays valid), except its lookup cache: a WeakMap keyed by the
   * original's column lists, which the copy makes anew on first use.
   */
  private copyPlan(plan: RelationPlan | null): RelationPlan | null {
    if (plan === null) return null;
    const known = this.copies.get(plan);
    if (known !== undefined) return known as RelationPlan;
    const source = plan as unknown as Record<string, unknown>;
    const copy = new (shellOf(Object.prototype))(source);
    this.copies.set(plan, copy);
    for (const key of Object.keys(source)) if (key !== 'uniqueKeyLookups') copy[key] = this.copy(source[key]);
    copy.uniqueKeyLookups = null;
    return copy as unknown as RelationPlan;
  }
}
