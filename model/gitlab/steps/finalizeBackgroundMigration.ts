/** `ensure_batched_background_migration_is_finished(finalize: true)` for a queued job class. */
import type { StepKind } from '../../../src/harness/domain.js';
import { finalizeMigration } from '../batchedMigrations.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { migrationField, readBatchedJob } from './backgroundMigrationParameter.js';
import { defineStep } from './defineStep.js';

export function finalizeBackgroundMigration(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'finalize_background_migration',
    description:
      'ensure_batched_background_migration_is_finished(finalize: true) for a queued job class: its remaining batches run inline now, and a failing batch fails the migration. A migration never queued is a warning.',
    parameters: { fields: { migration: migrationField(catalog) }, required: ['migration'] },
    parse: (reader) => ({ migration: readBatchedJob(reader, catalog).name }),
    run: (world, { migration }) => {
      const pending = world.bookkeeping.migrations.filter(
        (candidate) => candidate.name === migration && candidate.status !== 'finished',
      );
      if (!world.bookkeeping.migrations.some((candidate) => candidate.name === migration)) {
        return { summary: `finalize_background_migration: could not find ${migration} (warning)`, applied: false };
      }
      const batches = pending.flatMap((candidate) => finalizeMigration(world, candidate));
      return {
        summary: `finalize_background_migration: ${migration} finished (${batches.length} batch${batches.length === 1 ? '' : 'es'} run inline)`,
        applied: true,
      };
    },
  });
}
