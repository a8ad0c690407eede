/**
 * What GitLab's migration helpers may name in the runners world's plans: its partitioned
 * copies, the batched background migrations plans queue by class, and its feature flags.
 */
import type { BatchedJob, MigrationCatalog } from '../gitlab/migrationWorld.js';
import { orphanedCopyManagersJob } from './orphanedCopyManagersJob.js';
import { PARTITIONED_COPIES } from './partitionedCopies.js';
import { ROW_BACKFILL_JOBS } from './rowBackfills.js';
import { FEATURE_FLAGS } from './settings.js';

const BATCHED_JOBS: readonly BatchedJob[] = [orphanedCopyManagersJob, ...ROW_BACKFILL_JOBS];

export const RUNNERS_CATALOG: MigrationCatalog = {
  partitionedCopies: PARTITIONED_COPIES,
  batchedJobs: new Map(BATCHED_JOBS.map((job) => [job.name, job])),
  featureFlags: FEATURE_FLAGS,
};
