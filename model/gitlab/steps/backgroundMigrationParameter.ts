/** The `migration` parameter: a batched background migration of the world's catalog, by class name (partition backfills have their own steps). */
import type { BatchedJob, MigrationCatalog } from '../migrationWorld.js';
import type { ParameterReader } from '../parameters.js';

export function readBatchedJob(reader: ParameterReader, catalog: MigrationCatalog): BatchedJob {
  const name = reader.oneOf('migration', [...catalog.batchedJobs.keys()]);
  return catalog.batchedJobs.get(name)!;
}
