/**
 * A structural copy (graphCopy.ts) worked out once for a graph that is copied again and again while
 * it stays as it is: a built schema a campaign forks for every run (`Database.fork`). The walk that
 * finds the graph (which objects to copy, which of their fields and entries point at which, which
 * values are shared) is done once and kept as a list of nodes; each copy then makes every node's
 * object and points its fields at the other copies by position in that list, without the walk's
 * look-ups (an identity map probed for every object met, asking whether each value is frozen). The
 * copy is the one `GraphCopier` makes: the same objects copied (each once, with its prototype and
 * its fields in order), the same values shared, the same fields pointing at the same copies.
 *
 * A copy checks the source against what was compiled as it goes: every field, slot and entry holding
 * an object must hold the very object it held then (the copy of a node, or a shared frozen value),
 * and no other field may hold one, objects keep their fields in the same order, maps and sets hold
 * the same entries in the same order, arrays keep their length, and no object copied has been frozen
 * since. Primitives are read from the source as it is. So a copy is made exactly
 * as the walk would make it now, or not at all (`run` returns null, and the caller walks): a
 * compiled copy cannot hand out a stale shape, whatever changed since it was compiled.
 */
import { fail } from './assert.js';
import { Relation } from './catalog.js';
import type { RelationPlan } from './relationPlan.js';
import { checkedInstanceCopier, planShellOf, refuseUncopyable, shellOf } from './graphCopy.js';
import type { Shell } from './graphCopy.js';

/** A reference to a value the copy shares with the source (a primitive, a frozen value, a function). */
const SHARED = -1;

enum NodeKind {
  Array,
  Map,
  Set,
  /** A class instance or a plain object: made by a shell holding the source's fields. */
  Shell,
  /** An object without a prototype. */
  NullPrototype,
  /** A relation's plan, copied as `GraphCopier.copyPlan` copies it. */
  Plan,
  /** An object the copy replaces by a value made for each copy (`CompiledCopy`'s `replacements`). */
  Replaced,
}

/** The fields of a relation's plan that may name other objects, as `GraphCopier.copyPlan` copies them. */
const PLAN_FIELDS = [
  'checks',
  'uniqueIndexes',
  'foreignKeys',
  'referencedBy',
  'beforeRow',
  'afterRow',
  'statement',
  'conditionalStatement',
  'capturesTransitions',
  'inputs',
] as const;

interface CopyNode {
  readonly kind: NodeKind;
  readonly source: object;
  /** Shell: the constructor of the copy. */
  readonly shell: Shell | null;
  /** Replaced: makes the value standing for the source in one copy. */
  readonly replacement: (() => unknown) | null;
  /** Shell (of a class): the class's fields in order, which are every instance's. */
  readonly fields: readonly string[] | null;
  /**
   * Array, Shell, NullPrototype, Plan: every field (or index) holding an object, the object it held,
   * and the node copying it (SHARED: the object itself, frozen).
   */
  readonly slots: (string | number)[];
  readonly held: object[];
  readonly targets: number[];
  /** Array: its length. Map, Set: the entry count. */
  readonly size: number;
  /** Map, Set: the entries as compiled (a map's key, then its value) and the node copying each, or SHARED. */
  readonly entries: unknown[];
  readonly entryRefs: number[];
  /** Shell, NullPrototype: the code written out for the node's shape, once its fields are recorded. */
  code: ShapeCode | null;
}

/** A link written out for one shape of object (`shapeCode`): `link`'s checks and stores, field by field by name. */
type ShapeLink = (
  source: Record<string, unknown>,
  copy: Record<string, unknown>,
  copies: readonly unknown[],
  held: readonly object[],
  targets: readonly number[],
) => boolean;

/** Makes a plain object with the source's fields of one shape, in order (`shapeCode`). */
type ShapeMake = (source: Record<string, unknown>) => Record<string, unknown>;

interface ShapeCode {
  readonly link: ShapeLink;
  /**
   * Plain objects only: an object literal of the shape's fields, where the shared shell's
   * `Object.assign` builds every shape through one constructor, store by store (a `__proto__` field
   * is written as a computed key, which a literal makes an own field, not the prototype). Null for
   * other prototypes, whose shells are per class already.
   */
  readonly make: ShapeMake | null;
}

/**
 * The code for each shape met, by prototype (null: no prototype), then by the shape's field names and
 * which of them held objects. A copy visits some three hundred objects of a few dozen shapes; the generic
 * link's keyed loads and stores by field name go through V8's megamorphic caches, where code written out
 * for the shape reads and writes each field by name, as graphCopy.ts's instance copiers do. Field names
 * are the engine's own identifiers, quoted as JSON. Bounded: past it, nodes link generically.
 */
const shapeCodes = new Map<object | null, Map<string, ShapeCode>>();
let shapeCodeCount = 0;
const MAX_SHAPE_CODES = 10_000;

/**
 * The code for objects whose own enumerable fields are `keys`, in that order, of which `slots` (in the
 * same order) held objects. Its link fails (false) unless the source has exactly these fields in this
 * order (so the shell's fields are the source's), is still extensible, holds in each slot the object it
 * held (`held`) and no object in any other field; then it points the copy's slots at their copies.
 */
function shapeCode(prototype: object | null, keys: readonly string[], slots: readonly string[]): ShapeCode | null {
  let byShape = shapeCodes.get(prototype);
  const shape = `${JSON.stringify(keys)}${JSON.stringify(slots)}`;
  const known = byShape?.get(shape);
  if (known !== undefined) return known;
  if (shapeCodeCount >= MAX_SHAPE_CODES) return null;
  const slotOf = new Map(slots.map((slot, position) => [slot, position]));
  const body = keys
    .map((key) => {
      const name = JSON.stringify(key);
      const position = slotOf.get(key);
      return position === undefined
        ? `value = source[${name}]; if (typeof value === 'object' && value !== null) return false;`
        : `if (source[${name}] !== held[${position}]) return false; if (targets[${position}] !== ${SHARED}) copy[${name}] = copies[targets[${position}]];`;
    })
    .join('\n');
  const link = new Function(
    'KEYS',
    `return function linkShape(source, copy, copies, held, targets) {
      if (!Object.isExtensible(source)) return false;
      let position = 0;
      for (const key in source) { if (key !== KEYS[position]) return false; position++; }
      if (position !== ${keys.length}) return false;
      let value;
      ${body}
      return true;
    };`,
  )(keys) as ShapeLink;
  const literalKey = (key: string): string => (key === '__proto__' ? '["__proto__"]' : JSON.stringify(key));
  const make =
    prototype === Object.prototype
      ? (new Function(
          `return function makeShape(source) { return { ${keys.map((key) => `${literalKey(key)}: source[${JSON.stringify(key)}]`).join(', ')} }; };`,
        )() as ShapeMake)
      : null;
  const code: ShapeCode = { link, make };
  if (byShape === undefined) {
    byShape = new Map();
    shapeCodes.set(prototype, byShape);
  }
  byShape.set(shape, code);
  shapeCodeCount++;
  return code;
}

/** Bound on the nodes one compiled copy holds, as `GraphCopier` bounds its walk. */
const MAX_NODES = 50_000_000;

/** Map keys and set entries are compared as the collections compare them (SameValueZero). */
const sameEntry = (left: unknown, right: unknown): boolean =>
  left === right ||
  (typeof left === 'number' && typeof right === 'number' && Number.isNaN(left) && Number.isNaN(right));

export class CompiledCopy {
  private readonly nodes: CopyNode[] = [];
  private readonly index = new Map<object, number>();
  private readonly root: number;

  /**
   * Compiles the copy of `root`'s graph. Each object keyed in `replacements` is not copied: each copy
   * holds what its function makes instead (as objects put in `GraphCopier.copies` before a copy).
   */
  constructor(root: object, replacements: ReadonlyMap<object, () => unknown> = new Map()) {
    for (const [original, make] of replacements) this.add(NodeKind.Replaced, original, null, make, null, 0);
    const position = this.ref(root);
    if (position === SHARED) fail('a compiled copy needs a root it copies');
    this.root = position;
  }

  /** A new copy of the graph as `new GraphCopier().copy(root)` would make it now, or null if its shape changed. */
  run<T>(): T | null {
    const nodes = this.nodes;
    const copies: unknown[] = new Array(nodes.length);
    for (let position = 0; position < nodes.length; position++) copies[position] = make(nodes[position]!);
    for (let position = 0; position < nodes.length; position++)
      if (!link(nodes[position]!, copies[position], copies)) return null;
    return copies[this.root] as T;
  }

  private add(
    kind: NodeKind,
    source: object,
    shell: Shell | null,
    replacement: (() => unknown) | null,
    fields: readonly string[] | null,
    size: number,
  ): CopyNode {
    if (this.nodes.length >= MAX_NODES) fail('a compiled copy met more objects than its bound');
    const node: CopyNode = {
      kind,
      source,
      shell,
      replacement,
      fields,
      slots: [],
      held: [],
      targets: [],
      size,
      entries: [],
      entryRefs: [],
      code: null,
    };
    this.index.set(source, this.nodes.length);
    this.nodes.push(node);
    return node;
  }

  /** The node copying `value`, compiled now if it is new, or SHARED: `GraphCopier.copy`'s cases, in its order. */
  private ref(value: unknown): number {
    if (typeof value !== 'object' || value === null) return SHARED;
    const known = this.index.get(value);
    if (known !== undefined) return known;
    if (Object.isFrozen(value)) return SHARED;
    const position = this.nodes.length;
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Array.prototype) {
      const source = value as unknown[];
      const node = this.add(NodeKind.Array, source, null, null, null, source.length);
      for (let slot = 0; slot < source.length; slot++) this.point(node, slot, source[slot]);
      return position;
    }
    if (prototype === Map.prototype) {
      const source = value as Map<unknown, unknown>;
      const node = this.add(NodeKind.Map, source, null, null, null, source.size);
      for (const [key, entry] of source) {
        node.entries.push(key, entry);
        node.entryRefs.push(this.ref(key), this.ref(entry));
      }
      return position;
    }
    if (prototype === Set.prototype) {
      const source = value as Set<unknown>;
      const node = this.add(NodeKind.Set, source, null, null, null, source.size);
      for (const entry of source) {
        node.entries.push(entry);
        node.entryRefs.push(this.ref(entry));
      }
      return position;
    }
    if (prototype !== Object.prototype) refuseUncopyable(value);
    const source = value as Record<string, unknown>;
    if (prototype !== Object.prototype && prototype !== null) {
      const instance = checkedInstanceCopier(prototype, source);
      const node = this.add(NodeKind.Shell, source, instance.shell, null, instance.keys, 0);
      const isRelation = prototype === Relation.prototype;
      for (const key of instance.keys) {
        const field = source[key];
        if (isRelation && key === 'cachedPlan' && typeof field === 'object' && field !== null)
          this.record(node, key, field, this.planRef(field as RelationPlan));
        else this.point(node, key, field);
      }
      node.code = shapeCode(prototype, instance.keys, node.slots as string[]);
      return position;
    }
    const shell = prototype === null ? null : shellOf(prototype);
    const node = this.add(prototype === null ? NodeKind.NullPrototype : NodeKind.Shell, source, shell, null, null, 0);
    const keys: string[] = [];
    for (const key in source) {
      keys.push(key);
      this.point(node, key, source[key]);
    }
    node.code = shapeCode(prototype, keys, node.slots as string[]);
    return position;
  }

  /** A relation's plan, as `GraphCopier.copyPlan` copies it (its unique-key look-ups are made anew). */
  private planRef(plan: RelationPlan): number {
    const known = this.index.get(plan);
    if (known !== undefined) return known;
    const position = this.nodes.length;
    const node = this.add(NodeKind.Plan, plan, null, null, null, 0);
    for (const key of PLAN_FIELDS) this.point(node, key, plan[key]);
    return position;
  }

  /** Records `node`'s `slot` when it holds an object. */
  private point(node: CopyNode, slot: string | number, value: unknown): void {
    if (typeof value === 'object' && value !== null) this.record(node, slot, value, this.ref(value));
  }

  private record(node: CopyNode, slot: string | number, value: object, target: number): void {
    node.slots.push(slot);
    node.held.push(value);
    node.targets.push(target);
  }
}

/** A node's object, its fields still the source's (a shell, a slice), or empty (a map, a set). */
function make(node: CopyNode): unknown {
  switch (node.kind) {
    case NodeKind.Array:
      return (node.source as unknown[]).slice();
    case NodeKind.Map:
      return new Map();
    case NodeKind.Set:
      return new Set();
    case NodeKind.Shell:
      return node.code?.make
        ? node.code.make(node.source as Record<string, unknown>)
        : new node.shell!(node.source as Record<string, unknown>);
    case NodeKind.NullPrototype:
      return Object.assign(Object.create(null) as object, node.source);
    case NodeKind.Plan:
      return planShellOf(node.source as RelationPlan);
    case NodeKind.Replaced:
      return node.replacement!();
  }
}

/** How many of `source`'s fields (those `node` copies) hold an object; -1 for an instance with an undeclared field. */
function objectFields(node: CopyNode, source: Record<string | number, unknown>): number {
  let count = 0;
  if (node.kind === NodeKind.Array) {
    const array = source as unknown as unknown[];
    for (let slot = 0; slot < array.length; slot++) {
      const value = array[slot];
      if (typeof value === 'object' && value !== null) count++;
    }
  } else if (node.kind === NodeKind.Plan) {
    for (const key of PLAN_FIELDS) {
      const value = source[key];
      if (typeof value === 'object' && value !== null) count++;
    }
  } else if (node.fields !== null) {
    // An instance given a field its class does not declare is the walk's loud failure: not copied here.
    let fields = 0;
    for (const _ in source) fields++;
    if (fields !== node.fields.length) return -1;
    for (const key of node.fields) {
      const value = source[key];
      if (typeof value === 'object' && value !== null) count++;
    }
  } else {
    for (const key in source) {
      const value = source[key];
      if (typeof value === 'object' && value !== null) count++;
    }
  }
  return count;
}

/**
 * Points the copy's fields (or entries) at the other copies. False when the source is not as
 * compiled: a field holds another object than it did, or an object where it held none, or a
 * collection's entries changed.
 */
function link(node: CopyNode, copy: unknown, copies: readonly unknown[]): boolean {
  switch (node.kind) {
    case NodeKind.Replaced:
      return true;
    case NodeKind.Map: {
      const source = node.source as Map<unknown, unknown>;
      if (!Object.isExtensible(source) || source.size !== node.size) return false;
      const target = copy as Map<unknown, unknown>;
      const { entries, entryRefs } = node;
      let position = 0;
      for (const [key, entry] of source) {
        if (!sameEntry(key, entries[position]) || entry !== entries[position + 1]) return false;
        const keyRef = entryRefs[position]!;
        const entryRef = entryRefs[position + 1]!;
        target.set(keyRef === SHARED ? key : copies[keyRef], entryRef === SHARED ? entry : copies[entryRef]);
        position += 2;
      }
      return true;
    }
    case NodeKind.Set: {
      const source = node.source as Set<unknown>;
      if (!Object.isExtensible(source) || source.size !== node.size) return false;
      const target = copy as Set<unknown>;
      const { entries, entryRefs } = node;
      let position = 0;
      for (const entry of source) {
        if (!sameEntry(entry, entries[position])) return false;
        const entryRef = entryRefs[position]!;
        target.add(entryRef === SHARED ? entry : copies[entryRef]);
        position++;
      }
      return true;
    }
    default: {
      if (node.code !== null)
        return node.code.link(
          node.source as Record<string, unknown>,
          copy as Record<string, unknown>,
          copies,
          node.held,
          node.targets,
        );
      const source = node.source as Record<string | number, unknown>;
      // An object frozen since would be shared by the walk (frozen means not extensible, so one still
      // extensible is not frozen: the cheaper question).
      if (!Object.isExtensible(source)) return false;
      if (node.kind === NodeKind.Array && (source as unknown as unknown[]).length !== node.size) return false;
      const { slots, held, targets } = node;
      if (objectFields(node, source) !== slots.length) return false;
      const target = copy as Record<string | number, unknown>;
      for (let position = 0; position < slots.length; position++) {
        const slot = slots[position]!;
        if (source[slot] !== held[position]) return false;
        const pointed = targets[position]!;
        if (pointed !== SHARED) target[slot] = copies[pointed];
      }
      return true;
    }
  }
}
