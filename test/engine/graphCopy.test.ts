/**
 * The structural copy behind database forks (src/engine/graphCopy.ts): class instances are copied
 * field by field by a copier written out for their class, plain objects, arrays, maps and sets
 * generically; shared and cyclic references stay shared and cyclic in the copy, frozen objects are
 * shared, and neither side sees a write on the other afterwards.
 */
import { describe, expect, it } from 'vitest';
import { GraphCopier } from '../../src/engine/graphCopy.js';

class Node {
  label: string;
  next: Node | null = null;
  readonly tags: string[] = [];
  readonly seen = new Map<string, { count: number }>();
  readonly frozen = Object.freeze({ kind: 'constant' });

  constructor(label: string) {
    this.label = label;
  }

  describe(): string {
    return `${this.label}:${this.tags.join(',')}`;
  }
}

describe('GraphCopier', () => {
  it('copies class instances with their prototype, keeping cycles and shared objects as they were', () => {
    const first = new Node('first');
    const second = new Node('second');
    first.next = second;
    second.next = first;
    const shared = { count: 1 };
    first.seen.set('a', shared);
    second.seen.set('b', shared);
    first.tags.push('x');
    const copy = new GraphCopier().copy({ first, second });
    expect(copy.first).toBeInstanceOf(Node);
    expect(copy.first).not.toBe(first);
    expect(copy.first.describe()).toBe('first:x');
    expect(copy.first.next).toBe(copy.second);
    expect(copy.second.next).toBe(copy.first);
    expect(copy.first.seen.get('a')).toBe(copy.second.seen.get('b'));
    expect(copy.first.seen.get('a')).not.toBe(shared);
    expect(copy.first.frozen).toBe(first.frozen);
    expect(Object.keys(copy.first)).toEqual(Object.keys(first));
  });

  it('keeps each side its own: a write on the copy is not seen by the original, nor the other way', () => {
    const original = new Node('original');
    original.seen.set('a', { count: 1 });
    const copy = new GraphCopier().copy(original);
    copy.tags.push('copy');
    copy.seen.get('a')!.count = 2;
    copy.label = 'changed';
    original.seen.set('b', { count: 3 });
    expect(original.tags).toEqual([]);
    expect(original.seen.get('a')!.count).toBe(1);
    expect(original.label).toBe('original');
    expect(copy.seen.has('b')).toBe(false);
    // A second copy of the same class (its copier is made once) is as independent.
    const again = new GraphCopier().copy(copy);
    again.tags.push('again');
    expect(copy.tags).toEqual(['copy']);
    expect(again.describe()).toBe('changed:copy,again');
  });

  it('fails loudly on an instance given a field its class does not declare', () => {
    new GraphCopier().copy(new Node('declared'));
    const odd = new Node('odd') as Node & { extra?: object };
    odd.extra = { hidden: true };
    expect(() => new GraphCopier().copy(odd)).toThrow(/field its class does not declare/);
  });

  it('fails loudly on objects it cannot copy faithfully', () => {
    expect(() => new GraphCopier().copy({ cache: new WeakMap() })).toThrow(/WeakMap/);
  });
});
