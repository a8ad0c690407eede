/**
 * What a world's settings alone decide, worked out once per distinct settings and shared by every
 * world made with them. A campaign creates a world per scenario, thousands of them, and nearly all
 * share a handful of settings (the plan's, merged with one of a few drawn sizes): validating the
 * settings against their declaration, filling in defaults and freezing the first bookkeeping's
 * flags and code (immer's deep freeze) cost each world more than most of its plan steps do.
 *
 * Everything handed out is frozen, so one world cannot change what another starts from; the
 * bookkeeping replaces the flags and code rather than editing them (bookkeeping.ts). The key is the
 * settings' JSON text together with the active model mutant, which `readRunnersSettings` reads
 * (`reject-orphans-default-on`) and the mutants runner switches within one process.
 */
import { freeze } from 'immer';
import { assert } from '../../src/engine/assert.js';
import type { JsonObject } from '../../src/harness/json.js';
import { activeMutant } from '../gitlab/mutations.js';
import { readRunnersSettings, validateRunnersSettings } from './settings.js';
import type { RunnersSettings } from './settings.js';
import { readWorkerSettings } from './workerSettings.js';
import type { WorkerSettings } from './workerSettings.js';

export interface WorldSettings {
  /** With its flags and code frozen as the first bookkeeping version holds them. */
  readonly runners: RunnersSettings;
  readonly workers: WorkerSettings;
}

/** Distinct settings kept per process; past it the cache starts afresh (a fuzzing run draws few). */
const MAX_ENTRIES = 256;

const known = new Map<string, WorldSettings>();

function parse(settings: JsonObject): WorldSettings {
  const problem = validateRunnersSettings(settings);
  assert(problem === null, `invalid runners settings reached the world: ${problem}`);
  const runners = readRunnersSettings(settings);
  const workers = readWorkerSettings(settings);
  return Object.freeze({
    // immer's freeze, as the bookkeeping's own: a frozen Map's set, delete and clear throw.
    runners: Object.freeze({ ...runners, flags: freeze(runners.flags), code: Object.freeze(runners.code) }),
    workers: Object.freeze({
      ...workers,
      looseForeignKeys: Object.freeze(workers.looseForeignKeys),
      workloads: freeze(workers.workloads),
    }),
  });
}

/** The settings' parsed form, validated (an invalid one is a harness bug: plans are checked when loaded). */
export function worldSettings(settings: JsonObject): WorldSettings {
  const key = `${activeMutant() ?? ''}\u0000${JSON.stringify(settings)}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const parsed = parse(settings);
  if (known.size >= MAX_ENTRIES) known.clear();
  known.set(key, parsed);
  return parsed;
}
