/**
 * A structural copy of an object graph: every object reachable from the root is copied once (with
 * its prototype), so objects that point at each other point at each other's copies. Frozen objects
 * (row values) and functions (trigger bodies) are immutable and shared. Objects that cannot be
 * copied faithfully (a WeakMap, a Promise) fail loudly instead of being shared by accident; class
 * instances with private (`#`) fields must not be reached (the lock manager copies itself,
 * `LockManager.copy`). Used for database forks (`databaseClone.ts`). The instances of each class
 * are copied by a function written out once for the class's fields (`instanceCopierOf`), the
 * other objects by one generic loop; a copy is the same either way.
 */
import { assert, fail } from './assert.js';
import { Relation } from './catalog.js';
import type { RelationPlan } from './relationPlan.js';

/** Bound on the objects one copy visits: far above any schema and data a program builds. */
const MAX_OBJECTS = 50_000_000;

export type Shell = new (source: Record<string, unknown>) => Record<string, unknown>;

/** One shell constructor per prototype (prototypes are few: the engine's classes and Object). */
const shells = new Map<object, Shell>();

/**
 * Fails unless `prototype` and its chain have no enumerable fields: the copier reads an object's
 * fields with `for … in`, which would otherwise also meet inherited ones. Class methods and
 * accessors are not enumerable, so this holds for every prototype the engine builds.
 */
/** A relation plan whose fields the copier may still replace. */
export type PlanShell = { -readonly [Field in keyof RelationPlan]: RelationPlan[Field] };

/**
 * A shallow copy of a relation's plan without its lookup cache (a WeakMap keyed by the original's
 * column lists, which the copy makes anew on first use), for both copiers to fill in. Written out
 * field by field: a plan is a plain object of fixed fields, so a field added to `RelationPlan`
 * fails to compile here until it is copied.
 */
export function planShellOf(plan: RelationPlan): PlanShell {
  return {
    version: plan.version,
    checks: plan.checks,
    uniqueIndexes: plan.uniqueIndexes,
    foreignKeys: plan.foreignKeys,
    referencedBy: plan.referencedBy,
    beforeRow: plan.beforeRow,
    afterRow: plan.afterRow,
    statement: plan.statement,
    conditionalStatement: plan.conditionalStatement,
    capturesTransitions: plan.capturesTransitions,
    uniqueKeyLookups: null,
    inputs: plan.inputs,
  };
}

/**
 * Gives `target` the source's own fields in order as own fields. For an object with an own
 * `__proto__` field (JSON.parse makes one from untrusted text), which `Object.assign` and a plain
 * store would take for the prototype; once the copy has it as its own field, stores to it are
 * stores to that field.
 */
function defineOwnFields(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key in source)
    Object.defineProperty(target, key, { value: source[key], writable: true, enumerable: true, configurable: true });
}

function assertNoInheritedFields(prototype: object): void {
  for (const key in prototype) fail(`a database copy met an object inheriting the enumerable field ${key}`);
}

/**
 * A constructor whose instances have `prototype` and the source's own fields in its order.
 * Objects built by `Object.create` and then given their fields one keyed store at a time drop to
 * slow (dictionary) properties past a dozen fields, and the engine's hottest objects (a session's
 * state) have more; a constructor's instances keep fast properties, so code running on a copy runs
 * as fast as on the original.
 */
export function shellOf(prototype: object): Shell {
  let shell = shells.get(prototype);
  if (shell === undefined) {
    assertNoInheritedFields(prototype);
    // Object.assign copies the own enumerable fields in order in one native call, where a loop of
    // keyed stores in this one function, shared by every shape, would go through a megamorphic cache.
    const made = function (this: Record<string, unknown>, source: Record<string, unknown>): void {
      if (Object.hasOwn(source, '__proto__')) defineOwnFields(this, source);
      else Object.assign(this, source);
    } as unknown as Shell & { prototype: object };
    made.prototype = prototype;
    shell = made;
    shells.set(prototype, shell);
  }
  return shell;
}

/** Copies one instance of a class: its fields in order, each holding an object replaced by its copy. */
type InstanceCopier = (source: Record<string, unknown>, copier: GraphCopier) => Record<string, unknown>;

/** One instance copier per class prototype, made from the fields of the first instance met. */
const instanceCopiers = new Map<object, InstanceCopierRecord>();

interface InstanceCopierRecord {
  readonly fields: number;
  /** The class's field names, in declaration order. */
  readonly keys: readonly string[];
  /** Makes an instance holding the source's fields (values still the source's). */
  readonly shell: Shell;
  readonly copy: InstanceCopier;
}

/**
 * The copier of a class's instances. An instance of a TypeScript class (ES2022 fields) has every
 * field its class declares, in declaration order, from its construction on, so the fields of the
 * first instance met are every instance's; a copier written out for them reads and stores each
 * field by name, which V8 keeps monomorphic, where the generic loop's keyed loads and stores go
 * through its megamorphic caches for each of some four hundred fields a run's copy visits. Field
 * names are the engine's own identifiers, quoted as JSON. An instance with another number of
 * fields (one given an undeclared field) fails loudly (`copyInstance`).
 */
function instanceCopierOf(prototype: object, sample: Record<string, unknown>): InstanceCopierRecord {
  let made = instanceCopiers.get(prototype);
  if (made === undefined) {
    assertNoInheritedFields(prototype);
    const names = Object.keys(sample);
    const keys = names.map((key) => JSON.stringify(key));
    const plan = prototype === Relation.prototype;
    const shell = new Function(
      `return function shell(source) { ${keys.map((key) => `this[${key}] = source[${key}];`).join(' ')} };`,
    )() as Shell & { prototype: object };
    shell.prototype = prototype;
    const owned = ownedContainersOf(prototype);
    const body = keys
      .map((key, index) => {
        const copied =
          plan && key === '"cachedPlan"'
            ? 'copier.copyPlan(field)'
            : owned.has(names[index]!)
              ? 'copier.copyOwned(field)'
              : 'copier.copy(field)';
        return `field = source[${key}]; if (typeof field === 'object' && field !== null) copy[${key}] = ${copied};`;
      })
      .join('\n');
    const copy = new Function(
      'Shell',
      `return function copyInstance(source, copier) { const copy = new Shell(source); copier.copies.set(source, copy); let field;\n${body}\nreturn copy; };`,
    )(shell) as InstanceCopier;
    made = { fields: keys.length, keys: names, shell, copy };
    instanceCopiers.set(prototype, made);
  }
  return made;
}

/**
 * A class that lists, in a static `ownedContainers`, fields each holding an array or Map no other
 * object ever points at (made by the instance, mutated only through it, never handed out to be
 * kept): such a container, when empty, is copied as a fresh empty one without the identity map
 * (`GraphCopier.copyOwned`). Sound only because nothing else can reach the container: were it
 * reached by a second path, that path's copy would be another object.
 */
interface OwningClass {
  readonly ownedContainers?: readonly string[];
}

function ownedContainersOf(prototype: object): ReadonlySet<string> {
  const owner = (prototype as { constructor?: OwningClass }).constructor;
  return new Set(owner?.ownedContainers ?? []);
}

/** Fails on an object the copier cannot copy faithfully (one whose prototype is not Object's, nor null). */
export function refuseUncopyable(value: object): void {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set)
    fail(`a database copy met a subclass of ${value.constructor.name}, which it cannot copy faithfully`);
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof Date)
    fail(`a database copy met a ${value.constructor.name}, which it cannot copy faithfully`);
}

/** The copier of `source`'s class, once `source` is found to have exactly the fields the class declares. */
export function checkedInstanceCopier(prototype: object, source: Record<string, unknown>): InstanceCopierRecord {
  const instance = instanceCopierOf(prototype, source);
  let fields = 0;
  for (const _ in source) fields++;
  if (fields !== instance.fields) fail(`a ${source.constructor?.name} has a field its class does not declare`);
  return instance;
}

export class GraphCopier {
  readonly copies = new Map<object, unknown>();
  private visited = 0;

  copy<T>(value: T): T {
    if (typeof value !== 'object' || value === null) return value;
    const known = this.copies.get(value);
    if (known !== undefined) return known as T;
    if (Object.isFrozen(value)) {
      // Shared, and remembered as its own copy: a fork meets most frozen values several times (the
      // shared empty lists, a column list in every constraint and plan naming it), and a look-up
      // costs less than asking again whether the value is frozen (which it stays for good).
      this.copies.set(value, value);
      return value;
    }
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
    if (prototype !== Object.prototype) refuseUncopyable(value);
    const source = value as Record<string, unknown>;
    if (prototype !== Object.prototype && prototype !== null)
      return checkedInstanceCopier(prototype, source).copy(source, this) as T;
    // The shell has the original's fields (values still the original's), so it has its shape; each
    // field holding an object is then overwritten with its copy, once the shell is registered
    // (cycles lead back to it). Fields holding primitives keep the shell's value. No prototype the
    // copier meets has enumerable fields (`assertNoInheritedFields`), so `for … in` sees own ones.
    const copy =
      prototype === null
        ? (Object.assign(Object.create(null), source) as Record<string, unknown>)
        : new (shellOf(prototype))(source);
    this.copies.set(value, copy);
    for (const key in source) {
      const field = source[key];
      if (typeof field === 'object' && field !== null) copy[key] = this.copy(field);
    }
    return copy as T;
  }

  /**
   * An owned container (`OwningClass`): one that is empty becomes a new empty one, skipping the
   * identity map, the frozen test and the dispatch (a session between statements holds half a dozen
   * of them); any other value is copied as `copy` copies it.
   */
  copyOwned<T>(value: T): T {
    if (Array.isArray(value)) {
      if (value.length === 0 && Object.getPrototypeOf(value) === Array.prototype) return [] as T;
    } else if (value instanceof Map) {
      if (value.size === 0 && Object.getPrototypeOf(value) === Map.prototype) return new Map() as T;
    }
    return this.copy(value);
  }

  /**
   * A relation's plan names catalog objects, so it is copied like them (the copy's catalog version is
   * the original's, so the plan stays valid), except its lookup cache: a WeakMap keyed by the
   * original's column lists, which the copy makes anew on first use (`planShellOf`, shared with the
   * compiled copy); the copy is registered before its fields are, as the catalog objects they name
   * lead back to it.
   */
  copyPlan(plan: RelationPlan | null): RelationPlan | null {
    if (plan === null) return null;
    const known = this.copies.get(plan);
    if (known !== undefined) return known as RelationPlan;
    const copy = planShellOf(plan);
    this.copies.set(plan, copy);
    copy.checks = this.copy(plan.checks);
    copy.uniqueIndexes = this.copy(plan.uniqueIndexes);
    copy.foreignKeys = this.copy(plan.foreignKeys);
    copy.referencedBy = this.copy(plan.referencedBy);
    copy.beforeRow = this.copy(plan.beforeRow);
    copy.afterRow = this.copy(plan.afterRow);
    copy.statement = this.copy(plan.statement);
    copy.conditionalStatement = this.copy(plan.conditionalStatement);
    copy.capturesTransitions = this.copy(plan.capturesTransitions);
    copy.inputs = this.copy(plan.inputs);
    return copy;
  }
}
