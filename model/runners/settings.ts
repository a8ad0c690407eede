import type { JsonObject, JsonValue } from '../../src/harness/json.js';
import { DEFAULT_SCHEMA_ERA, SCHEMA_ERAS, isSchemaEra } from './schemaEra.js';
import type { SchemaEra } from './schemaEra.js';
import { WORKER_SETTINGS_FIELDS, validateWorkerSettings } from './workerSettings.js';

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
}

export const FEATURE_FLAGS = ['reject_orphaned_runners', 'update_project_runners_owner'] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

export const CODE_FIELDS = ['ensurePartitionedRunnerCopy', 'populateShardingKey', 'populateOrganizationId'] as const satisfies readonly (keyof CodeVersion)[];

export const DEFAULT_CODE: Readonly<CodeVersion> = { ensurePartitionedRunnerCopy: false, populateShardingKey: true, populateOrganizationId: false };

/** Small, so batching is exercised on the few rows a scenario creates. */
export const DEFAULT_BACKFILL_BATCH_SIZE = 2;
export const MAX_BACKFILL_BATCH_SIZE = 10_000;
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
}

const SETTINGS_FIELDS = ['flags', 'code', 'backfillBatchSize', 'schema', 'legacyRunners', ...WORKER_SETTINGS_FIELDS];

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFeatureFlag(name: string): name is FeatureFlag {
  return (FEATURE_FLAGS as readonly string[]).includes(name);
}

export function isCodeField(name: string): name is keyof CodeVersion {
  return (CODE_FIELDS as readonly string[]).includes(name);
}

/** Returns one message naming the first bad field, or null when the settings are usable. */
export function validateRunnersSettings(settings: JsonObject): string | null {
  for (const key of Object.keys(settings)) {
    if (!SETTINGS_FIELDS.includes(key)) return `settings: unknown field "${key}" (expected ${SETTINGS_FIELDS.map((name) => `"${name}"`).join(', ')})`;
  }
  const flags = settings['flags'];
  if (flags !== undefined) {
    if (!isObject(flags)) return 'settings: field "flags" must be an object of flag name to boolean';
    for (const [name, value] of Object.entries(flags)) {
      if (!isFeatureFlag(name)) return `settings: field "flags.${name}" is not a known feature flag (expected one of ${FEATURE_FLAGS.join(', ')})`;
      if (typeof value !== 'boolean') return `settings: field "flags.${name}" must be a boolean`;
    }
  }
  const code = settings['code'];
  if (code !== undefined) {
    if (!isObject(code)) return 'settings: field "code" must be an object';
    for (const [name, value] of Object.entries(code)) {
      if (!isCodeField(name)) return `settings: field "code.${name}" is not a known code switch (expected one of ${CODE_FIELDS.join(', ')})`;
      if (typeof value !== 'boolean') return `settings: field "code.${name}" must be a boolean`;
    }
  }
  const batchSize = settings['backfillBatchSize'];
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BACKFILL_BATCH_SIZE)) {
    return `settings: field "backfillBatchSize" must be an integer from 1 to ${MAX_BACKFILL_BATCH_SIZE}`;
  }
  const legacyRunners = settings['legacyRunners'];
  if (legacyRunners !== undefined && (typeof legacyRunners !== 'number' || !Number.isSafeInteger(legacyRunners) || legacyRunners < 0 || legacyRunners > MAX_LEGACY_RUNNERS)) {
    return `settings: field "legacyRunners" must be an integer from 0 to ${MAX_LEGACY_RUNNERS}`;
  }
  const schema = settings['schema'];
  if (schema !== undefined && (typeof schema !== 'string' || !isSchemaEra(schema))) return `settings: field "schema" must be one of ${SCHEMA_ERAS.map((era) => `"${era}"`).join(', ')}`;
  return validateWorkerSettings(settings);
}

/** Settings with defaults filled in; the caller must have validated them. */
export function readRunnersSettings(settings: JsonObject): RunnersSettings {
  const flags = new Map<FeatureFlag, boolean>(FEATURE_FLAGS.map((name) => [name, false]));
  const flagsJson = settings['flags'];
  if (isObject(flagsJson)) for (const [name, value] of Object.entries(flagsJson)) if (isFeatureFlag(name) && typeof value === 'boolean') flags.set(name, value);
  const schemaJson = settings['schema'];
  const schema = typeof schemaJson === 'string' && isSchemaEra(schemaJson) ? schemaJson : DEFAULT_SCHEMA_ERA;
  // Code running before the sharding key existed cannot populate it; a plan deploys the code that does.
  const code: CodeVersion = { ...DEFAULT_CODE, populateShardingKey: schema !== 'pre-sharding-key' };
  const codeJson = settings['code'];
  if (isObject(codeJson)) for (const [name, value] of Object.entries(codeJson)) if (isCodeField(name) && typeof value === 'boolean') code[name] = value;
  const batchSize = settings['backfillBatchSize'];
  const legacyRunners = settings['legacyRunners'];
  return { flags, code, backfillBatchSize: typeof batchSize === 'number' ? batchSize : DEFAULT_BACKFILL_BATCH_SIZE, schema, legacyRunners: typeof legacyRunners === 'number' ? legacyRunners : 0 };
}
