import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, plainJsonEqual } from '../../src/oracle/server/expectation.js';

/** The same value with every object's keys in another order (and undefined-valued keys added). */
function reordered(value: unknown, flip: boolean): unknown {
  if (Array.isArray(value)) return value.map((element) => reordered(element, !flip));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, reordered(inner, !flip)] as const);
  const object = Object.fromEntries(flip ? entries.reverse() : entries) as Record<string, unknown>;
  if (flip) object['absent'] ??= undefined;
  return object;
}

/** Values as outcomes hold them, small enough for two draws to meet, with the odd non-JSON value. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(null, true, false, 0, -0, 1, 2.5, '', 'a', '1', 'null'),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, undefined),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'absent'), tie('node'), { maxKeys: 3 }),
  ),
})).node;

describe('comparing outcomes without writing their canonical JSON', () => {
  it('answers as the canonical JSON does, or leaves the question to it', () => {
    let decided = 0;
    let equal = 0;
    fc.assert(
      fc.property(value, value, fc.boolean(), (left, other, sameShape) => {
        const right = sameShape ? reordered(left, true) : other;
        const answer = plainJsonEqual(left, right);
        if (answer === null) return;
        decided++;
        if (answer) equal++;
        expect(answer).toBe(canonical(left) === canonical(right));
      }),
      { seed: 20241031, numRuns: 3000 },
    );
    // Both answers are reached, and most pairs are decided without the canonical text.
    expect(equal).toBeGreaterThan(300);
    expect(decided - equal).toBeGreaterThan(300);
  });

  it('decides outcome-shaped values, and leaves values JSON would rewrite to the canonical text', () => {
    const rows = [{ id: 1, name: 'x', parent: null }, { id: 2 }];
    expect(
      plainJsonEqual(rows, [
        { parent: null, name: 'x', id: 1 },
        { id: 2, gone: undefined },
      ]),
    ).toBe(true);
    expect(plainJsonEqual(rows, [{ id: 1, name: 'x' }, { id: 2 }])).toBe(false);
    expect(plainJsonEqual([1, 2], [2, 1])).toBe(false);
    expect(plainJsonEqual({}, [])).toBe(false);
    expect(plainJsonEqual(['1'], [1])).toBe(false);
    expect(plainJsonEqual([Number.NaN], [null])).toBeNull();
    expect(plainJsonEqual([undefined], [null])).toBeNull();
    expect(plainJsonEqual(new Date(0), new Date(0).toISOString())).toBeNull();
  });
});
