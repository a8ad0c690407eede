import type { FieldMap, FieldSpec } from '../../src/harness/fieldSpec.js';
import type { JsonObject } from '../../src/harness/json.js';
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
export const DEFAULT_LOOSE_FOREIGN_KEY_LIMITS: LooseForeignKeyLimits = {
  recordBatchSize: 2,
  deleteQueryLimit: 2,
  updateQueryLimit: 1,
  modificationLimit: 3,
};
const MAX_SIZE = 10_000;

const LIMIT_FIELDS = Object.keys(DEFAULT_LOOSE_FOREIGN_KEY_LIMITS) as (keyof LooseForeignKeyLimits)[];

const LIMIT_TEXT: Readonly<Record<keyof LooseForeignKeyLimits, string>> = {
  recordBatchSize: 'Pending parent records loaded per table and batch (GitLab: 1000).',
  deleteQueryLimit: 'Child rows one DELETE may remove (GitLab: 1000).',
  updateQueryLimit: 'Child rows one nullifying UPDATE may change (GitLab: 500).',
  modificationLimit: 'Modifications per run after which the worker stops and reschedules.',
};

const size = (description: string, fallback: number): FieldSpec => ({
  kind: 'integer',
  minimum: 1,
  maximum: MAX_SIZE,
  default: fallback,
  description,
});

/** The worker fields of a plan's settings (model/settings.ts adds them to the settings declaration). */
export const WORKER_SETTINGS_FIELDS: FieldMap = {
  ownerServiceBatchSize: size(
    'Runners per batch of UpdateProjectRunnersOwnerService (GitLab: 1000).',
    DEFAULT_OWNER_SERVICE_BATCH_SIZE,
  ),
  looseForeignKeys: {
    kind: 'object',
    description: 'Limits of the loose-foreign-key cleanup worker; tiny by default so a few rows hit them.',
    fields: Object.fromEntries(
      LIMIT_FIELDS.map((name) => [name, size(LIMIT_TEXT[name], DEFAULT_LOOSE_FOREIGN_KEY_LIMITS[name])]),
    ),
  },
  workloads: {
    kind: 'list',
    uniqueItems: true,
    items: { kind: 'enum', values: WORKLOADS, description: 'A workload.' },
    description:
      'Optional traffic the plan opts into: "projectDeletion" (createProject, deleteProject) and "tagging" (tagRunner, deleteTag). Those operations do nothing (and are not applied) without their workload, even when "traffic" lists them. Omitted: none.',
  },
};

/** The worker settings with defaults filled in; the caller must have validated them. */
export function readWorkerSettings(settings: JsonObject): WorkerSettings {
  const batchSize = settings['ownerServiceBatchSize'];
  const limits = settings['looseForeignKeys'];
  const given: JsonObject =
    typeof limits === 'object' && limits !== null && !Array.isArray(limits) ? (limits as JsonObject) : {};
  const looseForeignKeys = Object.fromEntries(
    LIMIT_FIELDS.map((name) => {
      const value = given[name];
      return [name, typeof value === 'number' ? value : DEFAULT_LOOSE_FOREIGN_KEY_LIMITS[name]];
    }),
  ) as unknown as LooseForeignKeyLimits;
  const workloadsJson = settings['workloads'];
  const workloads = new Set(
    Array.isArray(workloadsJson) ? WORKLOADS.filter((name) => workloadsJson.includes(name)) : [],
  );
  return {
    ownerServiceBatchSize: typeof batchSize === 'number' ? batchSize : DEFAULT_OWNER_SERVICE_BATCH_SIZE,
    looseForeignKeys,
    workloads,
  };
}
