import type { FieldMap, ObjectSpec } from '../../src/harness/fieldSpec.js';
import { validateObject } from '../../src/harness/fieldSpec.js';
import type { JsonObject } from '../../src/harness/json.js';
import { isJsonObject as isObject } from '../../src/harness/fieldSpec.js';
import { DEFAULT_SCHEMA_ERA, SCHEMA_ERAS, isSchemaEra } from './schemaEra.js';
import type { SchemaEra } from './schemaEra.js';
import { WORKER_SETTINGS_FIELDS } from './workerSettings.js';
import { MAX_BATCH_SIZE } from '../gitlab/steps/backgroundMigrationParameter.js';
import { mutated } from '../gitlab/mutations.js';

/**
 * A plan's `settings`: the feature flags and code version in force when the scenario starts,
 * and the backfill batch size. Defaults match GitLab before the fix (flags off, sharding keys
 * populated, no copy-ensuring on manager creation).
 */
export interface CodeVersion {
  /** The d.2 fix: `ensure_manager` copies the runner into ci_runners_e59bb2812d first. */
  ensurePartitionedRunnerCopy: boolean;
  /** Whether new group/project runners get `sharding_key_id` (false: the code before the sharding key). */
  populateShardingKey: boolean;
  /** Whether new group/project runners get `organization_id` (the Cells 1.0 code after the column was added). */
  populateOrganizationId: boolean;
  /** A design GitLab does not ship: `assign_to` locks the runner row (`lock!`, SELECT … FOR UPDATE) before deciding its owner. */
  assignToLocksRunner: boolean;
}

export const FEATURE_FLAGS = ['reject_orphaned_runners', 'update_project_runners_owner'] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

export const CODE_FIELDS = [
  'ensurePartitionedRunnerCopy',
  'populateShardingKey',
  'populateOrganizationId',
  'assignToLocksRunner',
] as const satisfies readonly (keyof CodeVersion)[];

export const DEFAULT_CODE: Readonly<CodeVersion> = {
  ensurePartitionedRunnerCopy: false,
  populateShardingKey: true,
  populateOrganizationId: false,
  assignToLocksRunner: false,
};

/** Small, so batching is exercised on the few rows a scenario creates. */
export const DEFAULT_BACKFILL_BATCH_SIZE = 2;
export const MAX_BACKFILL_BATCH_SIZE = MAX_BATCH_SIZE;
/** The largest bulk legacy population a plan may ask for (memory grows about 1 KB per runner). */
export const MAX_LEGACY_RUNNERS = 1_000_000;

export interface RunnersSettings {
  readonly flags: ReadonlyMap<FeatureFlag, boolean>;
  readonly code: Readonly<CodeVersion>;
  readonly backfillBatchSize: number;
  /** Which schema the world starts from; `17.5` unless a plan asks for an earlier era. */
  readonly schema: SchemaEra;
  /** Runners (each with a manager) created in bulk before the scenario's own legacy data: scale runs. */
  readonly legacyRunners: number;
  /** Taggings of the bulk legacy runners (cycling through the tag names), so tag deletions have many children. */
  readonly legacyTaggings: number;
}

const CODE_SWITCH_TEXT: Readonly<Record<keyof CodeVersion, string>> = {
  ensurePartitionedRunnerCopy:
    'The d.2 fix: ensure_manager copies the runner into ci_runners_e59bb2812d before creating a manager.',
  populateShardingKey: 'New group and project runners get sharding_key_id (false: the code before the sharding key).',
  populateOrganizationId:
    'New group and project runners get organization_id (the Cells 1.0 code after the column was added).',
  assignToLocksRunner:
    'A design GitLab does not ship: assign_to first locks the runner row (`lock!`, SELECT … FOR UPDATE) inside its transaction and decides the owner from the locked row, so concurrent assign_to of one runner run one after the other.',
};

/** The code switches `deploy_code` changes; a switch not given keeps its value. */
export const CODE_SWITCH_FIELDS: FieldMap = Object.fromEntries(
  CODE_FIELDS.map((name) => [name, { kind: 'boolean', description: CODE_SWITCH_TEXT[name] }]),
);

const FLAG_TEXT: Readonly<Record<FeatureFlag, string>> = {
  reject_orphaned_runners:
    'POST /runners/verify refuses orphaned runners with 403, and ensure_manager no longer copies the runner.',
  update_project_runners_owner:
    'UpdateProjectRunnersOwnerWorker re-owns (or deletes) the runners of a deleted project.',
};

/** The fields of a plan's `settings`, with their defaults (docs/plans.md lists them). */
export const RUNNERS_SETTINGS_SPEC: ObjectSpec = {
  fields: {
    flags: {
      kind: 'object',
      description: 'Feature flags in force from the start; every flag is off unless given.',
      fields: Object.fromEntries(
        FEATURE_FLAGS.map((name) => [name, { kind: 'boolean', default: false, description: FLAG_TEXT[name] }]),
      ),
    },
    code: {
      kind: 'object',
      description: 'The application code in force from the start; deploy_code changes it during the plan.',
      fields: Object.fromEntries(
        CODE_FIELDS.map((name) => [
          name,
          {
            kind: 'boolean',
            default: DEFAULT_CODE[name],
            description: `${CODE_SWITCH_TEXT[name]}${name === 'populateShardingKey' ? ' Defaults to false with the "pre-sharding-key" schema.' : ''}`,
          },
        ]),
      ),
    },
    backfillBatchSize: {
      kind: 'integer',
      minimum: 1,
      maximum: MAX_BACKFILL_BATCH_SIZE,
      default: DEFAULT_BACKFILL_BATCH_SIZE,
      description:
        'Rows per batch of every batched background migration the plan queues; small, so batching shows on the few rows a scenario creates.',
    },
    schema: {
      kind: 'enum',
      values: SCHEMA_ERAS,
      default: DEFAULT_SCHEMA_ERA,
      description:
        'The schema the world starts from: "17.5" (before the partitioned copies) or "pre-sharding-key" (before sharding_key_id).',
    },
    legacyRunners: {
      kind: 'integer',
      minimum: 0,
      maximum: MAX_LEGACY_RUNNERS,
      default: 0,
      description:
        "Runners (each with a manager) created in bulk before each scenario's own legacy data, for scale runs; about 1 KB of memory each.",
    },
    legacyTaggings: {
      kind: 'integer',
      minimum: 0,
      maximum: MAX_LEGACY_RUNNERS,
      default: 0,
      description:
        'Taggings of the bulk legacy runners (cycling through the tag names), so that one tag deletion has many taggings for the loose-FK worker to clean up.',
    },
    ...WORKER_SETTINGS_FIELDS,
  },
};

export function isFeatureFlag(name: string): name is FeatureFlag {
  return (FEATURE_FLAGS as readonly string[]).includes(name);
}

export function isCodeField(name: string): name is keyof CodeVersion {
  return (CODE_FIELDS as readonly string[]).includes(name);
}

/** Returns one message naming the first bad field, or null when the settings are usable. */
export function validateRunnersSettings(settings: JsonObject): string | null {
  return validateObject(RUNNERS_SETTINGS_SPEC, settings, [])[0]?.message ?? null;
}

/** Settings with defaults filled in; the caller must have validated them. */
export function readRunnersSettings(settings: JsonObject): RunnersSettings {
  const flags = new Map<FeatureFlag, boolean>(
    FEATURE_FLAGS.map((name) => [name, name === 'reject_orphaned_runners' && mutated('reject-orphans-default-on')]),
  );
  const flagsJson = settings['flags'];
  if (isObject(flagsJson))
    for (const [name, value] of Object.entries(flagsJson))
      if (isFeatureFlag(name) && typeof value === 'boolean') flags.set(name, value);
  const schemaJson = settings['schema'];
  const schema = typeof schemaJson === 'string' && isSchemaEra(schemaJson) ? schemaJson : DEFAULT_SCHEMA_ERA;
  // Code running before the sharding key existed cannot populate it; a plan deploys the code that does.
  const code: CodeVersion = { ...DEFAULT_CODE, populateShardingKey: schema !== 'pre-sharding-key' };
  const codeJson = settings['code'];
  if (isObject(codeJson))
    for (const [name, value] of Object.entries(codeJson))
      if (isCodeField(name) && typeof value === 'boolean') code[name] = value;
  const batchSize = settings['backfillBatchSize'];
  const legacyRunners = settings['legacyRunners'];
  const legacyTaggings = settings['legacyTaggings'];
  return {
    flags,
    code,
    backfillBatchSize: typeof batchSize === 'number' ? batchSize : DEFAULT_BACKFILL_BATCH_SIZE,
    schema,
    legacyRunners: typeof legacyRunners === 'number' ? legacyRunners : 0,
    legacyTaggings: typeof legacyTaggings === 'number' ? legacyTaggings : 0,
  };
}
