import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { stepOwnerJob } from '../ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import { pickByIndex } from '../records.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { activeJobs } from '../ownerRecalculation/projectDeletedEvents.js';

/**
 * Sidekiq runs one step of the (k mod n)-th pending UpdateProjectRunnersOwnerWorker job, so two
 * deliveries of one event, or the jobs of two deleted projects, interleave batch by batch.
 */
export const ownerWorkerTick: OperationKind<RunnersWorld> = {
  name: 'ownerWorkerTick',
  description: 'One batch of one pending UpdateProjectRunnersOwnerWorker job. job: index into the pending jobs.',
  args: fc.record({ job: fc.nat(3) }),
  run(world: RunnersWorld, args: JsonObject) {
    const job = pickByIndex(activeJobs(world.ownerEvents), natArg(args, 'job'));
    if (job === undefined) return { summary: 'owner worker: no pending ProjectDeletedEvent', applied: false };
    return stepOwnerJob(world, job);
  },
};
