/**
 * The one way invariants report what they found: the invariant's stable id and one sentence
 * saying why, with the ids involved.
 */
import type { Violation } from '../src/harness/domain.js';

export function violation(invariant: string, message: string): Violation {
  return { invariant, message };
}
