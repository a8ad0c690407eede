import type { JsonObject } from '../../../src/harness/json.js';
import { ScenarioArgumentError } from '../../../src/harness/scenario.js';

/**
 * Operation arguments are small integers and booleans drawn by fast-check and interpreted at
 * run time. A malformed one raises ScenarioArgumentError: a harness bug in a campaign, bad
 * input in a counterexample file.
 */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ScenarioArgumentError(message);
}

export function natArg(args: JsonObject, name: string): number {
  const value = args[name];
  check(
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
    `argument "${name}" must be a natural number, got ${JSON.stringify(value)}`,
  );
  return value;
}

export function intArg(args: JsonObject, name: string, min: number, max: number): number {
  const value = natArg(args, name);
  check(value >= min && value <= max, `argument "${name}" must be from ${min} to ${max}, got ${value}`);
  return value;
}

export function boolArg(args: JsonObject, name: string): boolean {
  const value = args[name];
  check(typeof value === 'boolean', `argument "${name}" must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
