/**
 * Partial progress of a queued batched background migration as a plan step: Sidekiq ran `batches`
 * batches of it between two deploy steps. Each batch is what a background tick runs (one
 * transaction; a failing batch is retried on later batches and the migration is marked failed
 * after three attempts), so a failure here is background work failing, not the deploy. A plan
 * uses it to say "the clean-up was queued and got this far before the next migration ran",
 * which traffic-drawn background ticks alone make a matter of chance.
 */
import type { StepKind } from '../../../src/harness/domain.js';
import { current, runBatch } from '../batchedMigrations.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';

const MAX_BATCHES = 10_000;

export function runBackgroundMigrationBatches(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  const backfills = [...catalog.partitionedCopies.values()].map((spec) => spec.backfillJob);
  const migrations = [...catalog.batchedJobs.keys(), ...backfills];
  return defineStep({
    name: 'run_background_migration_batches',
    description:
      'Sidekiq runs the next "batches" batches of a queued batched background migration (a partition backfill or a job queued by enqueue_background_migration), as background ticks would, without finalizing it; a finished migration runs no more. A failing batch is retried and counts towards marking the migration failed, as in the background.',
    parameters: {
      fields: {
        migration: {
          kind: 'enum',
          values: migrations,
          description: `The job class of the queued migration (partition backfills: ${backfills.join(', ')}).`,
        },
        batches: { kind: 'integer', minimum: 1, maximum: MAX_BATCHES, description: 'How many batches run now.' },
      },
      required: ['migration', 'batches'],
    },
    parse: (reader) => ({ migration: reader.oneOf('migration', migrations), batches: reader.integer('batches') }),
    run: (world, { migration, batches }) => {
      const queued = world.bookkeeping.migrations.find(
        (candidate) => candidate.name === migration && candidate.status === 'active',
      );
      if (queued === undefined) {
        const known = world.bookkeeping.migrations.some((candidate) => candidate.name === migration);
        const state = known ? 'is not active' : 'was never queued';
        return { summary: `run_background_migration_batches: ${migration} ${state} (warning)`, applied: false };
      }
      const summaries: string[] = [];
      // Each batch replaces the migration's bookkeeping version, so its status is re-read every time.
      for (let batch = 0; batch < batches && current(world, queued).status === 'active'; batch++)
        summaries.push(runBatch(world, current(world, queued)).summary);
      return { summary: `run_background_migration_batches: ${summaries.join('; ')}`, applied: true };
    },
  });
}
