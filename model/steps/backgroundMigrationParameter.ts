import { ORPHANED_COPY_MANAGERS_JOB } from '../batchedMigrations.js';
import type { ParameterReader } from '../parameters.js';

/** The batched background migrations a plan may queue by class name (partition backfills have their own steps). */
export const QUEUEABLE_MIGRATIONS = [ORPHANED_COPY_MANAGERS_JOB] as const;
export type QueueableMigration = (typeof QUEUEABLE_MIGRATIONS)[number];

export function readMigrationName(reader: ParameterReader): QueueableMigration {
  return reader.oneOf('migration', QUEUEABLE_MIGRATIONS);
}
