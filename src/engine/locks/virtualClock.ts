/**
 * Virtual time for the lock manager: milliseconds that pass only when the caller says so. A
 * schedule's waits, lock_timeouts and deadlock checks are then a function of the schedule alone,
 * so it replays byte for byte; no wall clock is ever read.
 */
import { assert } from '../assert.js';

export class VirtualClock {
  #now: number;

  constructor(start = 0) {
    assert(Number.isSafeInteger(start) && start >= 0, `a virtual clock starts at a whole millisecond, not ${start}`);
    this.#now = start;
  }

  /** The current virtual instant, in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward to `at` (never backward); the lock manager fires its timers on the way. */
  advanceTo(at: number): void {
    assert(Number.isSafeInteger(at), `virtual time is whole milliseconds, not ${at}`);
    assert(at >= this.#now, `virtual time cannot go back from ${this.#now} to ${at}`);
    this.#now = at;
  }
}
