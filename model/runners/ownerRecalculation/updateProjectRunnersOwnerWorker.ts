import { Tx, and, col, eq, exists, isPgError, ne, outer, runSerially } from '../../../src/index.js';
import type { Database, PgError, Work } from '../../../src/index.js';
import { assert } from '../../../src/engine/assert.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import { withJobChanges } from './projectDeletedEvents.js';
import type { OwnerServiceJob } from './projectDeletedEvents.js';
import { preCleanRunnerProjects, runRunnerBatch } from './updateProjectRunnersOwnerService.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `Ci::Runners::UpdateProjectRunnersOwnerWorker#handle_event` (docs/semantics.md §e.1) for one job. Its
 * steps are coroutines of statements (src/coroutines/transactionApi.ts): the first checks
 * `update_project_runners_owner` (off: return early, the event is consumed) and runs the pre-clean;
 * each later step runs one runner batch in its own transaction. Serially (`stepOwnerJob`) a tick runs
 * one step, so traffic interleaves between batches, and a failing step is retried on the job's next
 * tick. In a session of its own (`ownerJobWork`, a plan whose concurrency allows workers) a tick is one
 * Sidekiq execution of the job: every remaining step, statement by statement, as GitLab's `perform`
 * runs the whole service; an error it raises, a deadlock (40P01) or lock timeout (55P03) included,
 * fails the execution and Sidekiq retries the job from the start (docs/semantics.md §e.1, "Retries").
 */
/** Failed executions after which the job is dead, as Sidekiq stops retrying. */
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

/** The job's current version in the world's bookkeeping. */
function latest(world: RunnersWorld, job: OwnerServiceJob): OwnerServiceJob {
  return world.ownerEvents.jobs[job.id]!;
}

/** Records a change of the job in the world's bookkeeping and returns the job's new version. */
function update(world: RunnersWorld, job: OwnerServiceJob, changes: JobChanges): OwnerServiceJob {
  world.setOwnerEvents(withJobChanges(world.ownerEvents, job.id, changes));
  return latest(world, job);
}

function finish(world: RunnersWorld, job: OwnerServiceJob): OwnerServiceJob {
  return update(world, job, { phase: 'done', finishedAt: world.currentStep });
}

/** `handle_event`: the flag check, then the pre-clean, whose statements run in autocommit (`each_batch { delete_all }`). */
function* handleEventWork(world: RunnersWorld, job: OwnerServiceJob, tx: Tx): Work<string> {
  // The mutant reads the flag as the process booted with it (the scenario's settings), a stale cache.
  const skipped = mutated('owner-worker-flag-cached')
    ? !world.bootFlagEnabled(OWNER_FLAG)
    : !world.flagEnabled(OWNER_FLAG);
  job = update(world, job, { handled: { step: world.currentStep, skipped } });
  if (job.delivery > 1) world.probes.hit(OWNER_PROBES.redelivered);
  if (skipped) {
    world.probes.hit(OWNER_PROBES.flagOff);
    finish(world, job);
    return `${label(job)}: ${OWNER_FLAG} is disabled, returned early`;
  }
  if (managersLeftBehind(world.db, job.event.projectId)) world.probes.hit(OWNER_PROBES.ownerMovedFirst);
  const deleted = mutated('owner-service-preclean-last')
    ? 0
    : yield* preCleanRunnerProjects(tx, job.event.projectId, world.workers.ownerServiceBatchSize);
  update(world, job, { phase: 'runners' });
  return `${label(job)}: deleted ${deleted} ci_runner_projects row${deleted === 1 ? '' : 's'} of the project`;
}

/** One runner batch after the job's cursor (its ids read in autocommit, then its own transaction: runRunnerBatch). */
function* runnerBatchWork(world: RunnersWorld, job: OwnerServiceJob, tx: Tx): Work<string> {
  const result = yield* runRunnerBatch(tx, job.event.projectId, job.cursor, world.workers.ownerServiceBatchSize);
  if (result === null) {
    if (mutated('owner-service-preclean-last'))
      yield* preCleanRunnerProjects(tx, job.event.projectId, world.workers.ownerServiceBatchSize);
    finish(world, job);
    return `${label(job)}: no runner left with sharding_key_id ${job.event.projectId}, done`;
  }
  if (result.ids.length > world.workers.ownerServiceBatchSize)
    world.oversizedWork.push({
      step: world.currentStep,
      job: 'UpdateProjectRunnersOwnerWorker',
      what: 'batch of ci_runners (ownerServiceBatchSize)',
      rows: result.ids.length,
      limit: world.workers.ownerServiceBatchSize,
    });
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

/** The job's next step. */
function stepWork(world: RunnersWorld, job: OwnerServiceJob, tx: Tx): Work<string> {
  return job.phase === 'queued' ? handleEventWork(world, job, tx) : runnerBatchWork(world, job, tx);
}

/**
 * Counts a failed execution: the job is dead after MAX_OWNER_JOB_ATTEMPTS in a row. `restart` sends
 * it back to `handle_event` (a Sidekiq retry runs `perform` again from the start).
 */
function failed(world: RunnersWorld, job: OwnerServiceJob, error: PgError, restart: boolean): OperationOutcome {
  const failedAttempts = latest(world, job).failedAttempts + 1;
  const dead = failedAttempts >= MAX_OWNER_JOB_ATTEMPTS;
  job = update(world, job, { failedAttempts, ...(restart && !dead ? { phase: 'queued', cursor: 0, batches: 0 } : {}) });
  if (dead) finish(world, job);
  const retry = restart ? 'retried from the start by Sidekiq' : 'retried on its next step';
  const summary = `${label(job)} failed: ${error.describe()} (${dead ? 'the job is dead' : retry})`;
  world.backgroundFailures.push({ step: world.currentStep, job: 'UpdateProjectRunnersOwnerWorker', error, summary });
  return { summary, applied: true };
}

/** Runs the job's next step serially (an atomic tick, and the drain). */
export function stepOwnerJob(world: RunnersWorld, job: OwnerServiceJob): OperationOutcome {
  try {
    const summary = runSerially(world.db, stepWork(world, job, new Tx(world.db, 0)));
    update(world, job, { failedAttempts: 0 });
    return { summary, applied: true };
  } catch (error) {
    if (!isPgError(error)) throw error;
    return failed(world, job, error, false);
  }
}

/** Bound on the steps of one execution: each covers at least one runner id above the cursor. */
const MAX_STEPS_PER_EXECUTION = 100_000;

/** One Sidekiq execution of the job in a session of its own: every remaining step, until the job is done. */
export function* ownerJobWork(world: RunnersWorld, job: OwnerServiceJob, tx: Tx): Work<OperationOutcome> {
  const summaries: string[] = [];
  try {
    for (let steps = 0; latest(world, job).phase !== 'done'; steps++) {
      assert(steps < MAX_STEPS_PER_EXECUTION, `${label(job)} ran past ${MAX_STEPS_PER_EXECUTION} steps`);
      summaries.push(yield* stepWork(world, latest(world, job), tx));
    }
  } catch (error) {
    if (!isPgError(error)) throw error;
    const outcome = failed(world, job, error, true);
    return { summary: [...summaries, outcome.summary].join('; '), applied: true };
  }
  update(world, job, { failedAttempts: 0 });
  return { summary: summaries.join('; '), applied: true };
}
