import { ORPHANED_COPY_MANAGERS_JOB } from '../batchedMigrations.js';
import type { ParameterReader } from '../parameters.js';
import { ROW_BACKFILL_JOB_NAMES } from '../../runners/rowBackfills.js';

/** The batched background migrations a plan may queue by class name (partition backfills have their own steps). */
export const QUEUEABLE_MIGRATIONS: readonly string[] = [ORPHANED_COPY_MANAGERS_JOB, ...ROW_BACKFILL_JOB_NAMES];
export type QueueableMigration = string;

export function readMigrationName(reader: ParameterReader): QueueableMigration {
  return reader.oneOf('migration', QUEUEABLE_MIGRATIONS);
}
