import type { JsonObject } from '../../../src/harness/json.js';
import { ScenarioArgumentError } from '../../../src/harness/scenario.js';

/**
 * Operation arguments are small integers and booleans drawn by fast-check and interpreted at
 * run time. A malformed one raises ScenarioArgumentError: a harness bug in a campaign, bad
 * input in a counterexample file.
 */
function reject(message: string): never {
  throw new ScenarioArgumentError(message);
}

export function natArg(args: JsonObject, name: string): number {
  const value = args[name];
  // Every operation reads its arguments through these: the message is built only when one is wrong.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    reject(`argument "${name}" must be a natural number, got ${JSON.stringify(value)}`);
  return value;
}

export function intArg(args: JsonObject, name: string, min: number, max: number): number {
  const value = natArg(args, name);
  if (value < min || value > max) reject(`argument "${name}" must be from ${min} to ${max}, got ${value}`);
  return value;
}

export function boolArg(args: JsonObject, name: string): boolean {
  const value = args[name];
  if (typeof value !== 'boolean') reject(`argument "${name}" must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
