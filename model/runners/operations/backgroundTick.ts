import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { runBatch } from '../../gitlab/batchedMigrations.js';
import { probeNotValidForeignKeys } from '../../gitlab/probes.js';
import { probeCopyManagers } from '../probes.js';
import { pickByIndex } from '../records.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';

/** One batch of the (k mod n)-th active batched background migration, as Sidekiq would run it. */
export const backgroundTick: OperationKind<RunnersWorld> = {
  name: 'backgroundTick',
  description:
    'One batch of one active batched background migration, as Sidekiq runs it. migration: index into the active migrations in queue order.',
  args: fc.record({ migration: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const active = world.bookkeeping.migrations.filter((migration) => migration.status === 'active');
    const migration = pickByIndex(active, natArg(args, 'migration'));
    if (migration === undefined) return { summary: 'background tick: no active batched migration', applied: false };
    const outcome = runBatch(world, migration);
    probeNotValidForeignKeys(world);
    probeCopyManagers(world);
    return outcome;
  },
};
