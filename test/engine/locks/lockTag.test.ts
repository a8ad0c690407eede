import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LockTag } from '../../../src/engine/locks/lockTag.js';
import { tagKey, tagNumber } from '../../../src/engine/locks/lockTag.js';

/** Numbers up to `max`, often tiny, so that two tags drawn are often the same or differ in one field. */
const upTo = (max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(max), fc.integer({ min: 0, max }));

const tag: fc.Arbitrary<LockTag> = fc.oneof(
  fc.record({ kind: fc.constant('relation' as const), oid: upTo(2 ** 21 - 1) }),
  fc.record({ kind: fc.constant('transaction' as const), xid: upTo(2 ** 50 - 1) }),
  fc.record({ kind: fc.constant('tuple' as const), oid: upTo(2 ** 21 - 1), tid: upTo(2 ** 28 - 1) }),
);

describe('lock tag numbers (the lock table keys)', () => {
  it('two tags have the same number exactly when they have the same name', () => {
    let same = 0;
    fc.assert(
      fc.property(tag, tag, (left, right) => {
        expect(Number.isSafeInteger(tagNumber(left))).toBe(true);
        expect(tagNumber(left) === tagNumber(right)).toBe(tagKey(left) === tagKey(right));
        if (tagKey(left) === tagKey(right)) same++;
      }),
      { seed: 20241031, numRuns: 2000 },
    );
    // The interesting case, equal tags drawn apart, happens.
    expect(same).toBeGreaterThan(20);
  });

  it('the same oid as a relation, a transaction id and a tuple gives three numbers', () => {
    const numbers = [
      tagNumber({ kind: 'relation', oid: 16384 }),
      tagNumber({ kind: 'transaction', xid: 16384 }),
      tagNumber({ kind: 'tuple', oid: 16384, tid: 0 }),
      tagNumber({ kind: 'tuple', oid: 0, tid: 16384 }),
    ];
    expect(new Set(numbers).size).toBe(4);
  });

  it('refuses a tag outside the bounds that keep numbers distinct', () => {
    expect(() => tagNumber({ kind: 'relation', oid: 2 ** 21 })).toThrow(/bad lock tag oid/);
    expect(() => tagNumber({ kind: 'tuple', oid: 1, tid: 2 ** 28 })).toThrow(/bad lock tag tid/);
    expect(() => tagNumber({ kind: 'transaction', xid: -1 })).toThrow(/bad lock tag xid/);
  });
});
