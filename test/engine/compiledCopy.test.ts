/**
 * The compiled copy behind repeated database forks (src/engine/compiledCopy.ts): the copy it makes
 * is the one `GraphCopier` makes (same prototypes, fields, shared values and pointers), and a source
 * whose shape changed since it was compiled is not copied (`run` returns null) rather than copied wrong.
 */
import { describe, expect, it } from 'vitest';
import { CompiledCopy } from '../../src/engine/compiledCopy.js';
import { GraphCopier } from '../../src/engine/graphCopy.js';
import { cloneDatabaseState } from '../../src/engine/databaseClone.js';
import type { DatabaseState } from '../../src/engine/databaseState.js';
import { Database } from '../../src/index.js';

/**
 * Whether `left` and `right` (copies of one graph) have the same shape: the same prototypes, field
 * names in order and primitives, the same frozen objects, and a one-to-one match of the others.
 */
function sameShape(left: unknown, right: unknown, pairs = new Map<object, object>()): boolean {
  if (typeof left !== 'object' || left === null || typeof right !== 'object' || right === null) return left === right;
  if (Object.isFrozen(left) || Object.isFrozen(right)) return left === right;
  const known = pairs.get(left);
  if (known !== undefined) return known === right;
  pairs.set(left, right);
  if (Object.getPrototypeOf(left) !== Object.getPrototypeOf(right)) return false;
  if (left instanceof Map && right instanceof Map) {
    const leftEntries = [...left];
    const rightEntries = [...right];
    return (
      leftEntries.length === rightEntries.length &&
      leftEntries.every(
        ([key, value], index) =>
          sameShape(key, rightEntries[index]![0], pairs) && sameShape(value, rightEntries[index]![1], pairs),
      )
    );
  }
  if (left instanceof Set && right instanceof Set) {
    const rightEntries = [...right];
    return left.size === right.size && [...left].every((entry, index) => sameShape(entry, rightEntries[index], pairs));
  }
  if (left instanceof WeakMap || right instanceof WeakMap) return left === right;
  const leftKeys = Object.keys(left);
  if (leftKeys.join() !== Object.keys(right).join()) return false;
  return leftKeys.every((key) =>
    sameShape((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], pairs),
  );
}

class Item {
  label: string;
  next: Item | null = null;
  readonly tags: (string | { readonly note: string })[] = [];
  readonly seen = new Map<string, { count: number }>();
  readonly members = new Set<object>();
  readonly frozen = Object.freeze({ kind: 'constant' });

  constructor(label: string) {
    this.label = label;
  }
}

function graph(): { first: Item; second: Item; plain: { shared: { count: number }; list: number[] } } {
  const first = new Item('first');
  const second = new Item('second');
  first.next = second;
  second.next = first;
  const shared = { count: 1 };
  first.seen.set('a', shared);
  second.seen.set('b', shared);
  first.members.add(shared);
  first.tags.push('x', Object.freeze({ note: 'frozen' }));
  return { first, second, plain: { shared, list: [1, 2, 3] } };
}

const stateOf = (db: Database): DatabaseState =>
  (db as unknown as { readonly state: { readonly shared: DatabaseState } }).state.shared;

describe('CompiledCopy', () => {
  it('makes the copy GraphCopier makes, each time a new one, with primitives as the source holds them now', () => {
    const source = graph();
    const compiled = new CompiledCopy(source);
    const copy = compiled.run<typeof source>()!;
    expect(sameShape(copy, new GraphCopier().copy(source))).toBe(true);
    expect(copy.first).not.toBe(source.first);
    expect(copy.first.next).toBe(copy.second);
    expect(copy.first.seen.get('a')).toBe(copy.plain.shared);
    expect(copy.first.frozen).toBe(source.first.frozen);
    source.first.label = 'renamed';
    source.plain.shared.count = 5;
    const again = compiled.run<typeof source>()!;
    expect(again.first).not.toBe(copy.first);
    expect(again.first.label).toBe('renamed');
    expect(again.plain.shared.count).toBe(5);
    expect(copy.first.label).toBe('first');
  });

  it('makes plain objects with their fields in order, integer-like keys and an own __proto__ field included', () => {
    // Plain objects are made by an object literal per shape. A `__proto__` field (JSON.parse makes
    // one) stays a field in both copies, never the prototype.
    const odd = JSON.parse('{"__proto__": {"inner": 1}, "b": 2, "10": "ten", "2": "two"}') as Record<string, unknown>;
    const source = { odd, ordered: { z: { n: 1 }, a: 'a', 7: 'seven', m: null }, list: [odd] };
    const compiled = new CompiledCopy(source);
    const copy = compiled.run<typeof source>()!;
    expect(sameShape(copy, new GraphCopier().copy(source))).toBe(true);
    expect(Object.keys(copy.ordered)).toEqual(['7', 'z', 'a', 'm']);
    expect(Object.getPrototypeOf(copy.ordered)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copy.odd)).toBe(Object.prototype);
    expect(Object.keys(copy.odd)).toEqual(['2', '10', '__proto__', 'b']);
    expect(copy.odd).not.toBe(odd);
    const ownProto = (object: object): unknown => Object.getOwnPropertyDescriptor(object, '__proto__')?.value;
    expect(ownProto(copy.odd)).toEqual({ inner: 1 });
    expect(ownProto(copy.odd)).not.toBe(ownProto(odd));
    expect(copy.list[0]).toBe(copy.odd);
    expect(copy.ordered.z).not.toBe(source.ordered.z);
  });

  it('copies nothing once the shape changed: a pointer, an object where there was none, an entry, a freeze, a field', () => {
    const changes: ((source: ReturnType<typeof graph>) => void)[] = [
      (source) => {
        source.first.next = new Item('other');
      },
      (source) => {
        source.second.tags.push('y');
      },
      (source) => {
        (source.plain as { extra?: object }).extra = {};
      },
      (source) => {
        source.first.seen.set('c', { count: 3 });
      },
      (source) => {
        source.first.seen.set('a', { count: 1 });
      },
      (source) => {
        source.first.members.delete(source.plain.shared);
      },
      (source) => {
        Object.freeze(source.plain.list);
      },
      (source) => {
        (source.first as Item & { undeclared?: number }).undeclared = 1;
      },
      (source) => {
        Object.freeze(source.plain.shared);
      },
      (source) => {
        // The same fields in another order: a copy would list them in the source's order.
        const { shared } = source.plain;
        delete (source.plain as { shared?: object }).shared;
        source.plain.shared = shared;
      },
      (source) => {
        (source.second as { label: unknown }).label = { now: 'an object' };
      },
    ];
    for (const change of changes) {
      const source = graph();
      const compiled = new CompiledCopy(source);
      expect(compiled.run()).not.toBeNull();
      change(source);
      expect(compiled.run()).toBeNull();
    }
  });

  it('copies a database state as cloneDatabaseState does, and a repeatedly forked database stays independent', () => {
    const db = new Database();
    db.createTable({
      name: 'parents',
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 'kind', type: 'integer', notNull: true },
      ],
      primaryKey: ['id'],
    });
    db.createTable({
      name: 'children',
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 'parent_id', type: 'bigint', notNull: true },
        { name: 'kind', type: 'integer', notNull: true },
      ],
      primaryKey: ['id', 'kind'],
      partitionBy: { list: 'kind' },
      constraints: [
        { kind: 'foreignKey', name: 'fk_parent', columns: ['parent_id'], references: { table: 'parents' } },
      ],
    });
    db.createTable({ name: 'children_1', partitionOf: { parent: 'children', values: [1] } });
    db.insert('parents', [{ kind: 1 }, { kind: 2 }]);
    db.insert('children', [{ parent_id: 1, kind: 1 }]);
    db.fork();
    const state = stateOf(db);
    const compiled = new CompiledCopy(state, new Map([[state.sessions, () => []]]));
    expect(sameShape(compiled.run(), cloneDatabaseState(state))).toBe(true);
    // From the second fork on, forks are made by a compiled copy (databaseClone.ts `RepeatedClones`).
    const forks = [db.fork(), db.fork(), db.fork()];
    forks[2]!.insert('children', [{ parent_id: 2, kind: 1 }]);
    forks[1]!.createTable({ name: 'children_2', partitionOf: { parent: 'children', values: 'default' } });
    expect(forks.map((fork) => fork.rows('children').length)).toEqual([1, 1, 2]);
    expect(forks.map((fork) => fork.tableNames().length)).toEqual([3, 4, 3]);
    expect(db.rows('children').length).toBe(1);
    expect(() => forks[0]!.insert('children', [{ parent_id: 9, kind: 1 }])).toThrow(/fk_parent/);
    // A write to the original changes its data version: the next fork walks it again and sees the row.
    db.insert('parents', [{ kind: 3 }]);
    expect(db.fork().rows('parents').length).toBe(3);
    expect(db.fork().rows('parents').length).toBe(3);
  });
});
