import { fail } from '../../src/engine/assert.js';
import type { OperationOutcome } from '../../src/harness/domain.js';
import { runLooseForeignKeysCleanup } from '../gitlab/looseForeignKeys/cleanupWorker.js';
import { DELETED_RECORDS } from '../gitlab/looseForeignKeys/deletedRecordsTable.js';
import { MAX_OWNER_JOB_ATTEMPTS, stepOwnerJob } from './ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import type { RunnersWorld } from './world.js';
import { definitionsInForce } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';
import { activeJobs } from './ownerRecalculation/projectDeletedEvents.js';

/**
 * Quiescence for the two workers of issue #4: every ProjectDeletedEvent job runs to its end
 * (oldest first), then the loose-foreign-key worker runs until a run finds nothing pending. The
 * owner service goes first because its deletions feed the LFK worker, never the reverse.
 */
export function drainOwnerJobs(world: RunnersWorld): OperationOutcome[] {
  const outcomes: OperationOutcome[] = [];
  // Each step finishes a job, covers at least one runner, or counts a failure towards the job's death.
  const bound = world.ownerEvents.jobs.length * (world.db.rows('ci_runners').length + 2 + MAX_OWNER_JOB_ATTEMPTS);
  for (let steps = 0; ; steps++) {
    const job = activeJobs(world.ownerEvents)[0];
    if (job === undefined) return outcomes;
    if (steps > bound) fail(`owner-recalculation jobs did not drain within ${bound} steps`);
    outcomes.push(stepOwnerJob(world, job));
  }
}

export function drainLooseForeignKeys(world: RunnersWorld): OperationOutcome[] {
  const outcomes: OperationOutcome[] = [];
  const { db } = world;
  // A run either processes every pending batch or is over its limit after at least one
  // modification, and each modification removes one child reference for good.
  const children = definitionsInForce(world).reduce(
    (total, definition) => total + db.rows(definition.childTable).length,
    0,
  );
  const bound = db.rows(DELETED_RECORDS).length + children + 2;
  for (let runs = 0; ; runs++) {
    if (runs > bound) fail(`the loose-foreign-key worker did not drain within ${bound} runs`);
    const run = runLooseForeignKeysCleanup(world, runs);
    if (!run.didWork) return outcomes;
    outcomes.push({ summary: run.summary, applied: true });
    // A failing worker would fail the same way on every later run; quiescence stops there.
    if (run.failed) return outcomes;
  }
}
