/**
 * `Projects::ProjectDeletedEvent` and the jobs of its subscriber
 * `Ci::Runners::UpdateProjectRunnersOwnerWorker` (docs/semantics.md §e.1). GitLab's event store delivers at least
 * once, so one event may become two jobs; the worker is `idempotent!`. Each job runs the
 * service in steps (the pre-clean, then one batch of runners per step) so that traffic
 * interleaves between batches, as it does between GitLab's per-batch transactions.
 */
import { assert } from '../../../src/engine/assert.js';

export interface ProjectDeletedEvent {
  readonly projectId: number;
  readonly namespaceId: number;
  /** Scenario step that deleted the project. */
  readonly step: number;
}

export type OwnerJobPhase = 'queued' | 'runners' | 'done';

export interface OwnerServiceJob {
  /** Its index in `OwnerEventQueue.jobs`, which identifies it across bookkeeping versions. */
  readonly id: number;
  readonly event: ProjectDeletedEvent;
  /** 1 for the first delivery, 2 for a redelivery. */
  readonly delivery: number;
  readonly phase: OwnerJobPhase;
  /** The highest runner id a finished batch covered (`each_batch`'s lower bound for the next). */
  readonly cursor: number;
  /** Batches run so far. */
  readonly batches: number;
  /** Set when the job ran `handle_event`: the step, and whether the flag made it return early. */
  readonly handled: { readonly step: number; readonly skipped: boolean } | null;
  /** Consecutive failed steps; Sidekiq gives up on the job after a few. */
  readonly failedAttempts: number;
  /** Step at which the job finished. */
  readonly finishedAt: number | null;
}

/** The events published so far and the jobs they became: part of the runners world's bookkeeping. */
export interface OwnerEventQueue {
  readonly published: readonly ProjectDeletedEvent[];
  readonly jobs: readonly OwnerServiceJob[];
}

export const EMPTY_OWNER_EVENT_QUEUE: OwnerEventQueue = { published: [], jobs: [] };

/**
 * The queue after publishing `event`, delivered `deliveries` times (at least once, as GitLab's event
 * store). Built by hand rather than with immer, as every project deletion does it: the new version
 * shares what it did not change and is frozen throughout, as a produce would leave it.
 */
export function publish(queue: OwnerEventQueue, event: ProjectDeletedEvent, deliveries: number): OwnerEventQueue {
  const frozenEvent = Object.freeze(event);
  const jobs = [...queue.jobs];
  for (let delivery = 1; delivery <= deliveries; delivery++) {
    jobs.push(
      Object.freeze({
        id: jobs.length,
        event: frozenEvent,
        delivery,
        phase: 'queued',
        cursor: 0,
        batches: 0,
        handled: null,
        failedAttempts: 0,
        finishedAt: null,
      }),
    );
  }
  return Object.freeze({
    published: Object.freeze([...queue.published, frozenEvent]),
    jobs: Object.freeze(jobs),
  });
}

/**
 * The queue with job `id` changed by `changes` (frozen, as the job), or the queue itself when every
 * change assigns what the job already holds, as a produce assigning them would leave it.
 */
export function withJobChanges(queue: OwnerEventQueue, id: number, changes: Partial<OwnerServiceJob>): OwnerEventQueue {
  const job = queue.jobs[id];
  assert(job !== undefined, `no owner job ${id}`);
  const keys = Object.keys(changes) as (keyof OwnerServiceJob)[];
  if (keys.every((key) => Object.is(job[key], changes[key]))) return queue;
  for (const key of keys) {
    const value = changes[key];
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  const jobs = [...queue.jobs];
  jobs[id] = Object.freeze({ ...job, ...changes });
  return Object.freeze({ ...queue, jobs: Object.freeze(jobs) });
}

export function activeJobs(queue: OwnerEventQueue): OwnerServiceJob[] {
  return queue.jobs.filter((job) => job.phase !== 'done');
}

export function deletedProject(queue: OwnerEventQueue, projectId: number): ProjectDeletedEvent | undefined {
  return queue.published.find((event) => event.projectId === projectId);
}

/** Projects whose service ran to completion at least once (flag on, and the job did not die failing). */
export function projectsServiced(queue: OwnerEventQueue): number[] {
  const completed = queue.jobs.filter(
    (job) => job.phase === 'done' && job.handled?.skipped === false && job.failedAttempts === 0,
  );
  return [...new Set(completed.map((job) => job.event.projectId))];
}
