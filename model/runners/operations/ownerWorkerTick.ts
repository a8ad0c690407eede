import fc from 'fast-check';
import type { Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind, OperationOutcome, StartedOperation } from '../../../src/harness/domain.js';
import { ownerJobWork, stepOwnerJob } from '../ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import type { OwnerServiceJob } from '../ownerRecalculation/projectDeletedEvents.js';
import { pickByIndex } from '../records.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { activeJobs } from '../ownerRecalculation/projectDeletedEvents.js';

/**
 * The jobs running in a session, per world: Sidekiq runs one execution of a job at a time (the two
 * deliveries of one event are two jobs, which may run at once), so a tick of a job whose execution
 * is still running finds nothing to do.
 */
const running = new WeakMap<RunnersWorld, Set<number>>();

const NO_JOB: OperationOutcome = { summary: 'owner worker: no pending ProjectDeletedEvent', applied: false };

function pendingJob(world: RunnersWorld, args: JsonObject): OwnerServiceJob | undefined {
  return pickByIndex(activeJobs(world.ownerEvents), natArg(args, 'job'));
}

/**
 * Serially, Sidekiq runs one step of the (k mod n)-th pending UpdateProjectRunnersOwnerWorker job, so
 * two deliveries of one event, or the jobs of two deleted projects, interleave batch by batch. In a
 * session (concurrency.workers) the tick is one execution of the job, statement by statement.
 */
export const ownerWorkerTick: OperationKind<RunnersWorld> = {
  name: 'ownerWorkerTick',
  description:
    'One batch of one pending UpdateProjectRunnersOwnerWorker job. job: index into the pending jobs. With concurrency.workers, one Sidekiq execution of the job in a session of its own: handle_event, the pre-clean and every remaining runner batch, statement by statement; a failure, 40P01 and 55P03 included, is retried from the start.',
  role: 'worker',
  args: fc.record({ job: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const job = pendingJob(world, args);
    if (job === undefined) return NO_JOB;
    return stepOwnerJob(world, job);
  },
  start(world: RunnersWorld, args: JsonObject): StartedOperation | OperationOutcome {
    const job = pendingJob(world, args);
    if (job === undefined) return NO_JOB;
    const inFlight = running.get(world) ?? new Set<number>();
    running.set(world, inFlight);
    if (inFlight.has(job.id))
      return {
        summary: `owner worker: job ${job.id} (project ${job.event.projectId}) is still running`,
        applied: false,
      };
    inFlight.add(job.id);
    return {
      work: (tx) => tick(tx, world, job, inFlight),
    };
  },
};

/** The tick's work in its session (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* tick(tx: Tx, world: RunnersWorld, job: OwnerServiceJob, inFlight: Set<number>): Work<OperationOutcome> {
  try {
    return yield* ownerJobWork(world, job, tx);
  } finally {
    inFlight.delete(job.id);
  }
}
