import fc from 'fast-check';
import type { Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind, OperationOutcome, StartedOperation } from '../../../src/harness/domain.js';
import { batchTickWork, runBatch } from '../../gitlab/batchedMigrations.js';
import type { BatchedMigration } from '../../gitlab/migrationWorld.js';
import { probeNotValidForeignKeys } from '../../gitlab/probes.js';
import { probeCopyManagers } from '../probes.js';
import { pickByIndex } from '../records.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';

/**
 * The migrations with a batch running in a session, per world: GitLab's batched migration runner
 * runs one batch of a migration at a time (the next job is enqueued when the last one ended), so a
 * tick of a migration whose batch is still running finds nothing to do.
 */
const running = new WeakMap<RunnersWorld, Set<number>>();

function activeMigration(world: RunnersWorld, args: JsonObject): BatchedMigration | undefined {
  const active = world.bookkeeping.migrations.filter((migration) => migration.status === 'active');
  return pickByIndex(active, natArg(args, 'migration'));
}

const NO_MIGRATION: OperationOutcome = { summary: 'background tick: no active batched migration', applied: false };

/** One batch of the (k mod n)-th active batched background migration, as Sidekiq would run it. */
export const backgroundTick: OperationKind<RunnersWorld> = {
  name: 'backgroundTick',
  description:
    'One batch of one active batched background migration, as Sidekiq runs it. migration: index into the active migrations in queue order. With concurrency.workers, its statements run in a session of their own (each sub-batch statement in autocommit).',
  role: 'worker',
  args: fc.record({ migration: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const migration = activeMigration(world, args);
    if (migration === undefined) return NO_MIGRATION;
    const outcome = runBatch(world, migration);
    probeNotValidForeignKeys(world);
    probeCopyManagers(world);
    return outcome;
  },
  start(world: RunnersWorld, args: JsonObject): StartedOperation | OperationOutcome {
    const migration = activeMigration(world, args);
    if (migration === undefined) return NO_MIGRATION;
    const inFlight = running.get(world) ?? new Set<number>();
    running.set(world, inFlight);
    if (inFlight.has(migration.id))
      return { summary: `background tick: a batch of ${migration.name} is still running`, applied: false };
    inFlight.add(migration.id);
    return {
      work: (tx) => tick(tx, world, migration, inFlight),
    };
  },
};

/** The tick's work in its session (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* tick(
  tx: Tx,
  world: RunnersWorld,
  migration: BatchedMigration,
  inFlight: Set<number>,
): Work<OperationOutcome> {
  try {
    const outcome = yield* batchTickWork(world, migration, tx);
    probeNotValidForeignKeys(world);
    probeCopyManagers(world);
    return outcome;
  } finally {
    inFlight.delete(migration.id);
  }
}
