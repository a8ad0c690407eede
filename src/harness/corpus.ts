import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FoundFailure } from './checkPlan.js';
import type { Plan } from './domain.js';
import type { JsonObject, JsonValue } from './json.js';
import { stableStringify } from './json.js';
import { parseJsonText, readInputText } from './inputFile.js';
import { PLAN_NAME } from './planFile.js';
import type { Scenario } from './scenario.js';
import { UserInputError } from './userInputError.js';

/**
 * Counterexamples on disk: the concrete scenario (not only the seed), so a saved failure
 * replays identically even after the generators change. Files are written atomically.
 */
export const COUNTEREXAMPLE_FORMAT = 'pgdrill-counterexample/1';

/** Where a counterexample's plan came from: a built-in plan (by name), or a plan file (its absolute path). */
export const BUILTIN_PLAN_SOURCE = 'builtin';

export interface Counterexample {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly plan: string;
  /** `builtin`, or the absolute path of the plan file (absent in files saved before it was recorded). */
  readonly planSource?: string;
  /** The plan's content hash when the counterexample was found (see Plan.hash). */
  readonly planHash?: string;
  /** The invariant the scenario breaks, or `safe` once a design change fixed it. */
  readonly outcome: string;
  readonly message: string;
  readonly seed: number;
  readonly path: string;
  readonly shrunkSteps: number;
  readonly scenario: Scenario;
}

export function counterexampleOf(plan: Plan, failure: FoundFailure, builtin: boolean): Counterexample {
  return {
    format: COUNTEREXAMPLE_FORMAT,
    plan: plan.name,
    planSource: builtin ? BUILTIN_PLAN_SOURCE : resolve(plan.source),
    planHash: plan.hash,
    outcome: failure.invariant,
    message: failure.violations[0]?.message ?? '',
    seed: failure.seed,
    path: failure.path,
    shrunkSteps: failure.shrunkSteps,
    scenario: failure.scenario,
  };
}

/**
 * The file a counterexample is saved as: a built-in plan's own name, and for a plan file its
 * name plus its content hash, so a plan file reusing a built-in's name (or an edited plan file)
 * never overwrites another plan's counterexample.
 */
export function counterexampleFileName(counterexample: Counterexample): string {
  const builtin = counterexample.planSource === undefined || counterexample.planSource === BUILTIN_PLAN_SOURCE;
  return builtin
    ? `${counterexample.plan}.json`
    : `${counterexample.plan}.file-${counterexample.planHash ?? 'unknown'}.json`;
}

/** Writes to a temporary file first and renames it, so a crash never leaves half a file; a failure leaves nothing. */
export function writeFileAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function saveCounterexample(
  directory: string,
  counterexample: Counterexample,
  fileName = counterexampleFileName(counterexample),
): string {
  const path = join(directory, fileName);
  writeFileAtomically(path, `${stableStringify(counterexample as unknown as JsonValue, 2)}\n`);
  return path;
}

/**
 * Bounds on a counterexample read from a file: it is untrusted, and a scenario far beyond what
 * the generator draws (or arguments nested deeply enough to exhaust the stack) is refused
 * before anything runs.
 */
export const MAX_SCENARIO_CALLS = 10_000;
const MAX_ARGUMENTS = 32;
const MAX_TEXT = 1_000;

function isScalar(value: JsonValue | undefined): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return value.length <= MAX_TEXT;
  return value === null || typeof value === 'boolean';
}

function callProblem(value: JsonValue): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object {op, args}';
  const call = value as JsonObject;
  const extra = Object.keys(call).find((key) => key !== 'op' && key !== 'args' && key !== 'session');
  if (extra !== undefined) return `has unknown field ${JSON.stringify(extra)}`;
  const session = call.session;
  if (
    session !== undefined &&
    (typeof session !== 'number' || !Number.isInteger(session) || session < 1 || session > 16)
  )
    return 'field "session" must be a session number from 1';
  if (typeof call.op !== 'string' || call.op.length === 0 || call.op.length > 100)
    return 'field "op" must name an operation';
  const args = call.args;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'field "args" must be an object';
  const entries = Object.entries(args);
  if (entries.length > MAX_ARGUMENTS) return `has more than ${MAX_ARGUMENTS} arguments`;
  const bad = entries.find(([, argument]) => !isScalar(argument));
  return bad === undefined ? null : `argument ${JSON.stringify(bad[0])} must be a number, string, boolean or null`;
}

function callsProblem(value: JsonValue | undefined, field: string): string | null {
  if (!Array.isArray(value)) return `field "${field}" must be an array of {op, args}`;
  if (value.length > MAX_SCENARIO_CALLS)
    return `field "${field}" has ${value.length} steps, more than ${MAX_SCENARIO_CALLS}`;
  for (const [index, call] of value.entries()) {
    const problem = callProblem(call);
    if (problem !== null) return `field "${field}", step ${index + 1}: ${problem}`;
  }
  return null;
}

export function parseCounterexample(raw: JsonValue, source: string): Counterexample {
  const fail = (message: string): never => {
    throw new UserInputError(`${source}: ${message}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('a counterexample must be a JSON object');
  const object = raw as JsonObject;
  if (object.format !== COUNTEREXAMPLE_FORMAT) fail(`field "format" must be "${COUNTEREXAMPLE_FORMAT}"`);
  for (const key of ['plan', 'outcome', 'message', 'path'] as const)
    if (typeof object[key] !== 'string') fail(`field "${key}" must be a string`);
  // A plan name, never a path: the file must not make pgdrill read files of its choosing as plans.
  if (!PLAN_NAME.test(object.plan as string)) fail('field "plan" must be a plan name like "incident-2024-10-31"');
  if (object.planSource !== undefined && (typeof object.planSource !== 'string' || object.planSource.length === 0))
    fail('field "planSource" must be "builtin" or the path of a plan file');
  if (object.planHash !== undefined && (typeof object.planHash !== 'string' || !/^[0-9a-f]{16}$/.test(object.planHash)))
    fail('field "planHash" must be 16 hexadecimal digits');
  for (const key of ['seed', 'shrunkSteps'] as const)
    if (typeof object[key] !== 'number' || !Number.isSafeInteger(object[key]))
      fail(`field "${key}" must be a whole number`);
  const problem = scenarioProblem(object.scenario, 'scenario');
  if (problem !== null) fail(problem);
  return raw as unknown as Counterexample;
}

/** Why a value read from a file is not a scenario within the bounds above, or null. */
export function scenarioProblem(scenario: JsonValue | undefined, field: string): string | null {
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario))
    return `field "${field}" must be an object`;
  const { swarm, legacy, steps } = scenario as JsonObject;
  if (
    !Array.isArray(swarm) ||
    swarm.length > 1_000 ||
    swarm.some((name) => typeof name !== 'string' || name.length > 100)
  )
    return `field "${field}.swarm" must be an array of operation names`;
  return callsProblem(legacy, `${field}.legacy`) ?? callsProblem(steps, `${field}.steps`);
}

export function loadCounterexample(path: string): Counterexample {
  return parseCounterexample(parseJsonText(readInputText(path, 'counterexample'), path), path);
}

export function listCounterexamples(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => join(directory, file));
  } catch {
    return [];
  }
}
