import { Tx, and, col, eq, exists, isPgError, ne, outer, runSerially } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import type { OwnerServiceJob } from './projectDeletedEvents.js';
import { preCleanRunnerProjects, runRunnerBatch } from './updateProjectRunnersOwnerService.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `Ci::Runners::UpdateProjectRunnersOwnerWorker#handle_event` (docs/semantics.md §e.1) for one job, one step at a
 * time: the first step checks `update_project_runners_owner` (off: return early, the event is
 * consumed) and runs the pre-clean; each later step runs one runner batch in its own
 * transaction. A failing batch rolls back and is retried on the job's next step.
 */
/** Failed steps after which the job is dead, as Sidekiq stops retrying. */
export const MAX_OWNER_JOB_ATTEMPTS = 3;

export const OWNER_FLAG = 'update_project_runners_owner';

export const OWNER_PROBES = {
  flagOff: 'owner-worker-flag-off',
  reowned: 'owner-service-reowned-runner',
  deletedRunner: 'owner-service-deleted-runner',
  redelivered: 'owner-event-redelivered',
  multiBatch: 'owner-service-several-batches',
  ownerMovedFirst: 'owner-moved-before-event-handled',
} as const;

/** Managers still naming the deleted project whose runner assign_to has already re-owned elsewhere. */
function managersLeftBehind(db: Database, projectId: number): boolean {
  const runnerElsewhere = exists({
    table: RUNNERS,
    where: and(eq(col('id'), outer(MANAGERS, 'runner_id')), ne(col('sharding_key_id'), projectId)),
  });
  return (
    db.select(MANAGERS, {
      where: and(eq(col('runner_type'), 3), eq(col('sharding_key_id'), projectId), runnerElsewhere),
      limit: 1,
    }).length > 0
  );
}

function label(job: OwnerServiceJob): string {
  return `UpdateProjectRunnersOwnerWorker project ${job.event.projectId}${job.delivery > 1 ? ` (delivery ${job.delivery})` : ''}`;
}

type JobChanges = Partial<
  Pick<OwnerServiceJob, 'phase' | 'cursor' | 'batches' | 'handled' | 'failedAttempts' | 'finishedAt'>
>;

/** Records a change of the job in the world's bookkeeping and returns the job's new version. */
function update(world: RunnersWorld, job: OwnerServiceJob, changes: JobChanges): OwnerServiceJob {
  world.changeBookkeeping((draft) => {
    Object.assign(draft.ownerEvents.jobs[job.id]!, changes);
  });
  return world.ownerEvents.jobs[job.id]!;
}

function finish(world: RunnersWorld, job: OwnerServiceJob): OwnerServiceJob {
  return update(world, job, { phase: 'done', finishedAt: world.currentStep });
}

function start(world: RunnersWorld, job: OwnerServiceJob): string {
  const skipped = !world.flagEnabled(OWNER_FLAG);
  job = update(world, job, { handled: { step: world.currentStep, skipped } });
  if (job.delivery > 1) world.probes.hit(OWNER_PROBES.redelivered);
  if (skipped) {
    world.probes.hit(OWNER_PROBES.flagOff);
    finish(world, job);
    return `${label(job)}: ${OWNER_FLAG} is disabled, returned early`;
  }
  if (managersLeftBehind(world.db, job.event.projectId)) world.probes.hit(OWNER_PROBES.ownerMovedFirst);
  // The pre-clean's statements run in autocommit, as GitLab's `each_batch { delete_all }` does.
  const deleted = runSerially(
    world.db,
    preCleanRunnerProjects(new Tx(world.db, 0), job.event.projectId, world.workers.ownerServiceBatchSize),
  );
  update(world, job, { phase: 'runners' });
  return `${label(job)}: deleted ${deleted} ci_runner_projects row${deleted === 1 ? '' : 's'} of the project`;
}

function runnerBatch(world: RunnersWorld, job: OwnerServiceJob): string {
  // The batch opens its own transaction after reading its ids in autocommit (runRunnerBatch).
  const result = runSerially(
    world.db,
    runRunnerBatch(new Tx(world.db, 0), job.event.projectId, job.cursor, world.workers.ownerServiceBatchSize),
  );
  if (result === null) {
    finish(world, job);
    return `${label(job)}: no runner left with sharding_key_id ${job.event.projectId}, done`;
  }
  job = update(world, job, { cursor: result.ids[result.ids.length - 1]!, batches: job.batches + 1 });
  if (mutated('owner-service-one-batch')) job = finish(world, job);
  if (job.batches > 1) world.probes.hit(OWNER_PROBES.multiBatch);
  if (result.reowned.length > 0) world.probes.hit(OWNER_PROBES.reowned);
  if (result.deleted.length > 0) world.probes.hit(OWNER_PROBES.deletedRunner);
  const parts = [`batch of runners ${result.ids.join(', ')}`];
  if (result.reowned.length > 0) parts.push(`re-owned ${result.reowned.join(', ')}`);
  if (result.deleted.length > 0) parts.push(`deleted ${result.deleted.join(', ')}`);
  return `${label(job)}: ${parts.join(', ')}`;
}

/** Runs the job's next step. */
export function stepOwnerJob(world: RunnersWorld, job: OwnerServiceJob): OperationOutcome {
  try {
    const summary = job.phase === 'queued' ? start(world, job) : runnerBatch(world, job);
    update(world, job, { failedAttempts: 0 });
    return { summary, applied: true };
  } catch (error) {
    if (!isPgError(error)) throw error;
    const failedAttempts = world.ownerEvents.jobs[job.id]!.failedAttempts + 1;
    const dead = failedAttempts >= MAX_OWNER_JOB_ATTEMPTS;
    job = update(world, job, { failedAttempts });
    if (dead) finish(world, job);
    const summary = `${label(job)} failed: ${error.describe()} (${dead ? 'the job is dead' : 'retried on its next step'})`;
    world.backgroundFailures.push({ step: world.currentStep, job: 'UpdateProjectRunnersOwnerWorker', error, summary });
    return { summary, applied: true };
  }
}
