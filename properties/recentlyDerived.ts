/**
 * What was derived from the last few inputs, by identity. Invariants derive maps and sets from a
 * table's rows (`db.rows`, the same frozen array while the table is unchanged) and several
 * invariants of one check read the same arrays; a new array (a write) comes with every step, so a
 * WeakMap keyed on them paid an insertion and its garbage-collector bookkeeping per write for
 * look-ups that all happen within a check or two. A handful of slots compared by identity keep
 * every hit that matters and hold on to a handful of arrays at most (until they are pushed out).
 */
import { assert } from '../src/engine/assert.js';

export class RecentlyDerived<Input extends object, Derived> {
  private readonly inputs: (Input | null)[];
  private readonly derived: (Derived | null)[];
  /** The slot the next new input goes to: the oldest one. */
  private next = 0;

  constructor(
    private readonly derive: (input: Input) => Derived,
    slots: number,
  ) {
    assert(Number.isInteger(slots) && slots >= 1 && slots <= 64, `a recently-derived cache of ${slots} slots`);
    this.inputs = new Array<Input | null>(slots).fill(null);
    this.derived = new Array<Derived | null>(slots).fill(null);
  }

  /**
   * `derive(input)`, or what it gave for this very input while it is among the last few: the
   * derived value depends on the input alone, and inputs are frozen, so it would give the same.
   */
  of(input: Input): Derived {
    const inputs = this.inputs;
    for (let slot = 0; slot < inputs.length; slot++) if (inputs[slot] === input) return this.derived[slot]!;
    const value = this.derive(input);
    inputs[this.next] = input;
    this.derived[this.next] = value;
    this.next = (this.next + 1) % inputs.length;
    return value;
  }
}
