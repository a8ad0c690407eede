/** The `migration` parameter: a batched background migration of the world's catalog, by class name (partition backfills have their own steps). */
import type { FieldSpec } from '../../../src/harness/fieldSpec.js';
import type { BatchedJob, MigrationCatalog } from '../migrationWorld.js';
import type { ParameterReader } from '../parameters.js';

/** The largest `batchSize` a plan may ask for, in a step or in its settings. */
export const MAX_BATCH_SIZE = 10_000;

/** The declaration of the `migration` parameter: one of the catalog's job classes. */
export function migrationField(catalog: MigrationCatalog): FieldSpec {
  return {
    kind: 'enum',
    values: [...catalog.batchedJobs.keys()],
    description: "The batched background migration's job class.",
  };
}

/** The `batchSize` of the steps that queue a migration: GitLab's `batch_size:`. */
export const BATCH_SIZE_FIELD: FieldSpec = {
  kind: 'integer',
  minimum: 1,
  maximum: MAX_BATCH_SIZE,
  description: "Rows per batch of this migration (`batch_size:`). Omitted: the plan's settings.backfillBatchSize.",
};

export function readBatchedJob(reader: ParameterReader, catalog: MigrationCatalog): BatchedJob {
  const name = reader.oneOf('migration', [...catalog.batchedJobs.keys()]);
  return catalog.batchedJobs.get(name)!;
}
