import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FoundFailure } from './checkPlan.js';
import type { Plan } from './domain.js';
import type { JsonObject, JsonValue } from './json.js';
import { stableStringify } from './json.js';
import type { OperationCall, Scenario } from './scenario.js';
import { UserInputError } from './userInputError.js';

/**
 * Counterexamples on disk: the concrete scenario (not only the seed), so a saved failure
 * replays identically even after the generators change. Files are written atomically.
 */
export const COUNTEREXAMPLE_FORMAT = 'pgdrill-counterexample/1';

export interface Counterexample {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly plan: string;
  /** The invariant the scenario breaks, or `safe` once a design change fixed it. */
  readonly outcome: string;
  readonly message: string;
  readonly seed: number;
  readonly path: string;
  readonly shrunkSteps: number;
  readonly scenario: Scenario;
}

export function counterexampleOf(plan: Plan, failure: FoundFailure): Counterexample {
  return {
    format: COUNTEREXAMPLE_FORMAT,
    plan: plan.name,
    outcome: failure.invariant,
    message: failure.violations[0]?.message ?? '',
    seed: failure.seed,
    path: failure.path,
    shrunkSteps: failure.shrunkSteps,
    scenario: failure.scenario,
  };
}

/** Writes to a temporary file first and renames it, so a crash never leaves half a file. */
export function writeFileAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function saveCounterexample(directory: string, counterexample: Counterexample, fileName = `${counterexample.plan}.json`): string {
  const path = join(directory, fileName);
  writeFileAtomically(path, `${stableStringify(counterexample as unknown as JsonValue, 2)}\n`);
  return path;
}

function isCall(value: JsonValue): value is JsonObject & OperationCall {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as JsonObject).op === 'string' && typeof (value as JsonObject).args === 'object' && (value as JsonObject).args !== null;
}

export function parseCounterexample(raw: JsonValue, source: string): Counterexample {
  const fail = (message: string): never => {
    throw new UserInputError(`${source}: ${message}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('a counterexample must be a JSON object');
  const object = raw as JsonObject;
  if (object.format !== COUNTEREXAMPLE_FORMAT) fail(`field "format" must be "${COUNTEREXAMPLE_FORMAT}"`);
  for (const key of ['plan', 'outcome', 'message', 'path'] as const) if (typeof object[key] !== 'string') fail(`field "${key}" must be a string`);
  for (const key of ['seed', 'shrunkSteps'] as const) if (typeof object[key] !== 'number') fail(`field "${key}" must be a number`);
  const scenario = object.scenario;
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) return fail('field "scenario" must be an object');
  const { swarm, legacy, steps } = scenario as JsonObject;
  if (!Array.isArray(swarm) || swarm.some((name) => typeof name !== 'string')) fail('field "scenario.swarm" must be an array of operation names');
  if (!Array.isArray(legacy) || !legacy.every(isCall)) fail('field "scenario.legacy" must be an array of {op, args}');
  if (!Array.isArray(steps) || !steps.every(isCall)) fail('field "scenario.steps" must be an array of {op, args}');
  return raw as unknown as Counterexample;
}

export function loadCounterexample(path: string): Counterexample {
  let raw: JsonValue;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as JsonValue;
  } catch (error) {
    throw new UserInputError(`cannot read counterexample ${path}: ${(error as Error).message}`);
  }
  return parseCounterexample(raw, path);
}

export function listCounterexamples(directory: string): string[] {
  try {
    return readdirSync(directory).filter((file) => file.endsWith('.json')).sort().map((file) => join(directory, file));
  } catch {
    return [];
  }
}
