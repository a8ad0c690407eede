import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Domain, Plan, PlanStep, WorldBase } from './domain.js';
import type { JsonObject, JsonValue } from './json.js';
import { stableStringify } from './json.js';
import { parseJsonText, readInputText } from './inputFile.js';
import { UserInputError } from './userInputError.js';

/**
 * Plans are JSON files. Validation is strict and every message names the plan, the step and the
 * field, so a typo in a plan is one readable line, not a stack trace or a silent no-op.
 */
/** A plan's name: lower-case words and digits joined by dashes, at most 100 characters. */
export const PLAN_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;

const PLAN_KEYS = new Set(['name', 'description', 'comment', 'expect', 'settings', 'steps', 'invariants', 'probes', 'traffic']);

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parsePlan<W extends WorldBase>(domain: Domain<W>, raw: JsonValue, source: string): Plan {
  const fail = (message: string): never => {
    throw new UserInputError(`${source}: ${message}`);
  };
  if (!isObject(raw)) return fail('a plan must be a JSON object');
  for (const key of Object.keys(raw)) if (!PLAN_KEYS.has(key)) fail(`unknown field "${key}" (expected one of ${[...PLAN_KEYS].join(', ')})`);
  const name = raw.name;
  if (typeof name !== 'string' || !PLAN_NAME.test(name)) return fail('field "name" must be a lower-case name like "incident-2024-10-31"');
  const where = `plan ${name}`;
  const text = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value.trim() === '') return fail(`${where}: field "${key}" must be a non-empty string`);
    return value;
  };
  const invariantIds = new Set(domain.invariants.map((invariant) => invariant.id));
  const expectRaw = raw.expect;
  let expect: Plan['expect'];
  if (expectRaw === 'safe') expect = 'safe';
  else if (isObject(expectRaw) && typeof expectRaw.breaks === 'string' && Object.keys(expectRaw).length === 1) {
    if (!invariantIds.has(expectRaw.breaks)) fail(`${where}: field "expect.breaks" names unknown invariant "${expectRaw.breaks}" (known: ${[...invariantIds].join(', ')})`);
    expect = { breaks: expectRaw.breaks };
  } else return fail(`${where}: field "expect" must be "safe" or {"breaks": "<invariant id>"}`);
  const settings = raw.settings ?? {};
  if (!isObject(settings)) return fail(`${where}: field "settings" must be an object`);
  const settingsError = domain.validateSettings(settings);
  if (settingsError !== null) fail(`${where}: settings: ${settingsError}`);
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) return fail(`${where}: field "steps" must be a non-empty array`);
  const steps: PlanStep[] = raw.steps.map((entry, index) => {
    const label = `${where}, step ${index + 1}`;
    if (!isObject(entry)) return fail(`${label}: each step must be an object with a "step" field`);
    const { step, ...parameters } = entry;
    if (typeof step !== 'string') return fail(`${label}: field "step" must name a step kind`);
    const kind = domain.steps.get(step);
    if (kind === undefined) return fail(`${label}: unknown step "${step}" (known: ${[...domain.steps.keys()].sort().join(', ')})`);
    const error = kind.validate(parameters);
    if (error !== null) fail(`${label} (${step}): ${error}`);
    return { step, parameters };
  });
  let invariants: string[] | null = null;
  if (raw.invariants !== undefined) {
    if (!Array.isArray(raw.invariants) || raw.invariants.some((id) => typeof id !== 'string')) return fail(`${where}: field "invariants" must be an array of invariant ids`);
    invariants = raw.invariants as string[];
    for (const id of invariants) if (!invariantIds.has(id)) fail(`${where}: field "invariants" names unknown invariant "${id}"`);
    if (expect !== 'safe' && !invariants.includes(expect.breaks)) fail(`${where}: the expected invariant "${expect.breaks}" must be among "invariants"`);
  }
  const probes = raw.probes ?? [];
  if (!Array.isArray(probes) || probes.some((probe) => typeof probe !== 'string')) return fail(`${where}: field "probes" must be an array of probe names`);
  const probeError = unknownProbe(domain, probes as string[]);
  if (probeError !== null) fail(`${where}: ${probeError}`);
  let traffic: string[] | null = null;
  if (raw.traffic !== undefined) {
    const known = new Set(domain.trafficOperations.map((kind) => kind.name));
    if (!Array.isArray(raw.traffic) || raw.traffic.length === 0 || raw.traffic.some((name) => typeof name !== 'string')) return fail(`${where}: field "traffic" must be a non-empty array of operation names`);
    traffic = raw.traffic as string[];
    for (const name of traffic) if (!known.has(name)) fail(`${where}: field "traffic" names unknown operation "${name}" (known: ${[...known].sort().join(', ')})`);
  }
  return { name, description: text('description'), comment: text('comment'), expect, settings, steps, invariants, probes: probes as string[], traffic, source, hash: planHash(raw) };
}

/** A probe the domain does not declare would only show up as "never hit" after the whole run. */
function unknownProbe<W extends WorldBase>(domain: Domain<W>, probes: readonly string[]): string | null {
  if (domain.probes === undefined) return null;
  const unknown = probes.find((probe) => !domain.probes!.includes(probe));
  return unknown === undefined ? null : `field "probes" names unknown probe "${unknown}" (known: ${[...domain.probes].sort().join(', ')})`;
}

/** The content hash of a validated plan: its canonical JSON, so formatting changes do not count. */
export function planHash(raw: JsonValue): string {
  return createHash('sha256').update(stableStringify(raw)).digest('hex').slice(0, 16);
}

export function loadPlanFile<W extends WorldBase>(domain: Domain<W>, path: string): Plan {
  return parsePlan(domain, parseJsonText(readInputText(path, 'plan file'), path), path);
}

/** Every `*.json` plan in a directory, sorted by file name. */
export function loadPlanDirectory<W extends WorldBase>(domain: Domain<W>, directory: string): Plan[] {
  const plans = readdirSync(directory).filter((file) => file.endsWith('.json')).sort().map((file) => loadPlanFile(domain, join(directory, file)));
  const names = new Set<string>();
  for (const plan of plans) {
    if (names.has(plan.name)) throw new UserInputError(`two plans are named ${plan.name} (${basename(plan.source)})`);
    names.add(plan.name);
  }
  return plans;
}

/** The invariants a plan checks: its own list, or every invariant of the domain. */
export function planInvariants<W extends WorldBase>(domain: Domain<W>, plan: Plan): string[] {
  return plan.invariants ? [...plan.invariants] : domain.invariants.map((invariant) => invariant.id);
}
