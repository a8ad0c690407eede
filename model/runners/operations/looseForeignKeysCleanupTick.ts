import fc from 'fast-check';
import type { Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind, OperationOutcome, StartedOperation } from '../../../src/harness/domain.js';
import {
  looseForeignKeysCleanupWork,
  runLooseForeignKeysCleanup,
} from '../../gitlab/looseForeignKeys/cleanupWorker.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';

/**
 * The worlds where a run is in flight in a session: `CleanupWorker#perform` holds an exclusive lease
 * (`in_lock(…, retries: 0)`) for the whole run, so a second run started meanwhile does nothing.
 */
const leased = new WeakSet<RunnersWorld>();

/** One cron run of `LooseForeignKeys::CleanupWorker`; `rotation` stands for its shuffle of the parent tables. */
export const looseForeignKeysCleanupTick: OperationKind<RunnersWorld> = {
  name: 'looseForeignKeysCleanupTick',
  description:
    'One cron run of LooseForeignKeys::CleanupWorker over the recorded parent deletions. rotation: which parent table the run starts with. With concurrency.workers, the run in a session of its own, statement by statement (each query in autocommit, the SKIP LOCKED pass then the plain one); a failure ends the run, which is never retried.',
  role: 'worker',
  args: fc.record({ rotation: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const run = runLooseForeignKeysCleanup(world, natArg(args, 'rotation'));
    return { summary: run.summary, applied: run.didWork };
  },
  start(world: RunnersWorld, args: JsonObject): StartedOperation | OperationOutcome {
    if (leased.has(world))
      return { summary: 'LooseForeignKeys::CleanupWorker: another run holds the exclusive lease', applied: false };
    leased.add(world);
    const rotation = natArg(args, 'rotation');
    return {
      work: (tx) => tick(tx, world, rotation),
    };
  },
};

/** The tick's work in its session (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* tick(tx: Tx, world: RunnersWorld, rotation: number): Work<OperationOutcome> {
  try {
    const run = yield* looseForeignKeysCleanupWork(world, rotation, tx);
    return { summary: run.summary, applied: run.didWork };
  } finally {
    leased.delete(world);
  }
}
