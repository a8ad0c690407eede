import type { JsonObject } from '../../../src/harness/json.js';
import { assert } from '../../../src/engine/assert.js';

/**
 * Operation arguments are small integers and booleans drawn by fast-check and interpreted at
 * run time; a malformed argument is a harness bug, so it fails an assertion.
 */
export function natArg(args: JsonObject, name: string): number {
  const value = args[name];
  assert(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0, `argument "${name}" must be a natural number, got ${JSON.stringify(value)}`);
  return value;
}

export function intArg(args: JsonObject, name: string, min: number, max: number): number {
  const value = natArg(args, name);
  assert(value >= min && value <= max, `argument "${name}" must be from ${min} to ${max}, got ${value}`);
  return value;
}

export function boolArg(args: JsonObject, name: string): boolean {
  const value = args[name];
  assert(typeof value === 'boolean', `argument "${name}" must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
