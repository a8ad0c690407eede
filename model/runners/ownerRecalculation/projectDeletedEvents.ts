/**
 * `Projects::ProjectDeletedEvent` and the jobs of its subscriber
 * `Ci::Runners::UpdateProjectRunnersOwnerWorker` (§e.1). GitLab's event store delivers at least
 * once, so one event may become two jobs; the worker is `idempotent!`. Each job runs the
 * service in steps (the pre-clean, then one batch of runners per step) so that traffic
 * interleaves between batches, as it does between GitLab's per-batch transactions.
 */
export interface ProjectDeletedEvent {
  readonly projectId: number;
  readonly namespaceId: number;
  /** Scenario step that deleted the project. */
  readonly step: number;
}

export type OwnerJobPhase = 'queued' | 'runners' | 'done';

export interface OwnerServiceJob {
  readonly event: ProjectDeletedEvent;
  /** 1 for the first delivery, 2 for a redelivery. */
  readonly delivery: number;
  phase: OwnerJobPhase;
  /** The highest runner id a finished batch covered (`each_batch`'s lower bound for the next). */
  cursor: number;
  /** Batches run so far. */
  batches: number;
  /** Set when the job ran `handle_event`: the step, and whether the flag made it return early. */
  handled: { readonly step: number; readonly skipped: boolean } | null;
  /** Consecutive failed steps; Sidekiq gives up on the job after a few. */
  failedAttempts: number;
  /** Step at which the job finished. */
  finishedAt: number | null;
}

export class ProjectDeletedEvents {
  readonly published: ProjectDeletedEvent[] = [];
  readonly jobs: OwnerServiceJob[] = [];

  publish(event: ProjectDeletedEvent, deliveries: number): void {
    this.published.push(event);
    for (let delivery = 1; delivery <= deliveries; delivery++) {
      this.jobs.push({ event, delivery, phase: 'queued', cursor: 0, batches: 0, handled: null, failedAttempts: 0, finishedAt: null });
    }
  }

  activeJobs(): OwnerServiceJob[] {
    return this.jobs.filter((job) => job.phase !== 'done');
  }

  deletedProject(projectId: number): ProjectDeletedEvent | undefined {
    return this.published.find((event) => event.projectId === projectId);
  }

  /** Projects whose service ran to completion at least once (flag on, and the job did not die failing). */
  projectsServiced(): number[] {
    const completed = this.jobs.filter((job) => job.phase === 'done' && job.handled?.skipped === false && job.failedAttempts === 0);
    return [...new Set(completed.map((job) => job.event.projectId))];
  }
}
