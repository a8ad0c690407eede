import type { JsonObject, JsonValue } from '../../src/harness/json.js';
import type { LooseForeignKeyLimits } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';

export type { LooseForeignKeyLimits } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';

/**
 * Plan settings of the two background workers issue #4 adds: the batch size of
 * UpdateProjectRunnersOwnerService (GitLab: 1000) and the limits of the loose-foreign-key
 * cleanup worker (GitLab: 1000 parent records per batch, 1000 deletions or 500 nullifications
 * per query, and a per-run modification cap). The defaults are tiny so that the few rows a
 * scenario creates already span several batches and hit the limits.
 */

/**
 * Optional traffic a plan opts into. Project deletion and tagging reach rows every other plan
 * is about (project deletion re-owns runners, see owner-recalc-assign-to-race), so plans written
 * before them keep the traffic they were designed and measured with.
 */
export const WORKLOADS = ['projectDeletion', 'tagging'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface WorkerSettings {
  readonly ownerServiceBatchSize: number;
  readonly looseForeignKeys: LooseForeignKeyLimits;
  readonly workloads: ReadonlySet<Workload>;
}

export const DEFAULT_OWNER_SERVICE_BATCH_SIZE = 2;
export const DEFAULT_LOOSE_FOREIGN_KEY_LIMITS: LooseForeignKeyLimits = { recordBatchSize: 2, deleteQueryLimit: 2, updateQueryLimit: 1, modificationLimit: 3 };
const MAX_SIZE = 10_000;

export const WORKER_SETTINGS_FIELDS = ['ownerServiceBatchSize', 'looseForeignKeys', 'workloads'] as const;
const LIMIT_FIELDS = Object.keys(DEFAULT_LOOSE_FOREIGN_KEY_LIMITS) as (keyof LooseForeignKeyLimits)[];

const isSize = (value: JsonValue | undefined): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_SIZE;

/** One message naming the first bad worker field, or null. */
export function validateWorkerSettings(settings: JsonObject): string | null {
  const batchSize = settings['ownerServiceBatchSize'];
  if (batchSize !== undefined && !isSize(batchSize)) return `settings: field "ownerServiceBatchSize" must be an integer from 1 to ${MAX_SIZE}`;
  const workloads = settings['workloads'];
  if (workloads !== undefined && (!Array.isArray(workloads) || !workloads.every((name) => typeof name === 'string' && (WORKLOADS as readonly string[]).includes(name)))) {
    return `settings: field "workloads" must be an array of ${WORKLOADS.map((name) => `"${name}"`).join(', ')}`;
  }
  const limits = settings['looseForeignKeys'];
  if (limits === undefined) return null;
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return 'settings: field "looseForeignKeys" must be an object';
  for (const [name, value] of Object.entries(limits)) {
    if (!(LIMIT_FIELDS as string[]).includes(name)) return `settings: field "looseForeignKeys.${name}" is not a known limit (expected one of ${LIMIT_FIELDS.join(', ')})`;
    if (!isSize(value)) return `settings: field "looseForeignKeys.${name}" must be an integer from 1 to ${MAX_SIZE}`;
  }
  return null;
}

/** The worker settings with defaults filled in; the caller must have validated them. */
export function readWorkerSettings(settings: JsonObject): WorkerSettings {
  const batchSize = settings['ownerServiceBatchSize'];
  const limits = settings['looseForeignKeys'];
  const given: JsonObject = typeof limits === 'object' && limits !== null && !Array.isArray(limits) ? (limits as JsonObject) : {};
  const looseForeignKeys = Object.fromEntries(LIMIT_FIELDS.map((name) => {
    const value = given[name];
    return [name, typeof value === 'number' ? value : DEFAULT_LOOSE_FOREIGN_KEY_LIMITS[name]];
  })) as unknown as LooseForeignKeyLimits;
  const workloadsJson = settings['workloads'];
  const workloads = new Set(Array.isArray(workloadsJson) ? WORKLOADS.filter((name) => workloadsJson.includes(name)) : []);
  return { ownerServiceBatchSize: typeof batchSize === 'number' ? batchSize : DEFAULT_OWNER_SERVICE_BATCH_SIZE, looseForeignKeys, workloads };
}
