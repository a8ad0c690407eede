import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { runLooseForeignKeysCleanup } from '../../gitlab/looseForeignKeys/cleanupWorker.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';

/** One cron run of `LooseForeignKeys::CleanupWorker`; `rotation` stands for its shuffle of the parent tables. */
export const looseForeignKeysCleanupTick: OperationKind<RunnersWorld> = {
  name: 'looseForeignKeysCleanupTick',
  description:
    'One cron run of LooseForeignKeys::CleanupWorker over the recorded parent deletions. rotation: which parent table the run starts with.',
  args: fc.record({ rotation: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const run = runLooseForeignKeysCleanup(world, natArg(args, 'rotation'));
    return { summary: run.summary, applied: run.didWork };
  },
};
