/**
 * Why running UpdateProjectRunnersOwnerService again for a project it has handled would change
 * something (`owner-service-idempotent`). A second run changes the world in one of two ways, and
 * each has its own cause, read from the world and the trace:
 * - its pre-clean finds a `ci_runner_projects` row for the deleted project: a row committed after
 *   the first run's pre-clean read and after the LFK cleaner's last look at the project (an assign_to
 *   that loaded the project before its deletion), which nothing will remove;
 * - its batches find a project runner still owned by the project: the job stopped before its
 *   batches reached that runner, or a write gave the runner the deleted project's key afterwards
 *   (in the shipped invariant order `no-orphan-project-runners` reports this case first).
 */
import type { TracedStep, Violation } from '../../src/harness/domain.js';
import { integerField } from '../gitlab/rowFields.js';
import { deletedProject } from './ownerRecalculation/projectDeletedEvents.js';
import type { OwnerServiceJob } from './ownerRecalculation/projectDeletedEvents.js';
import { RUNNERS, RUNNER_PROJECTS } from './schema.js';
import type { RunnersWorld } from './world.js';

/** The number of the last trace step matching `needle` (label or outcome), or null. */
function stepMatching(trace: readonly TracedStep[], needle: RegExp): number | null {
  for (let index = trace.length - 1; index >= 0; index--) {
    const step = trace[index]!;
    if (needle.test(step.outcome) || needle.test(step.label)) return index + 1;
  }
  return null;
}

function jobState(job: OwnerServiceJob): string {
  const finished = job.phase === 'done' ? `finished at step ${String(job.finishedAt)}` : 'unfinished';
  return `delivery ${job.delivery} ${finished}`;
}

function leftoverAssignment(
  world: RunnersWorld,
  projectId: number,
  deletedAt: number,
  trace: readonly TracedStep[],
): string | null {
  const row = world.db
    .rows(RUNNER_PROJECTS)
    .filter((candidate) => candidate['project_id'] === projectId)
    .sort((left, right) => integerField(left, 'id') - integerField(right, 'id'))[0];
  if (row === undefined) return null;
  const id = integerField(row, 'id');
  const runner = integerField(row, 'runner_id');
  const committed = stepMatching(trace, new RegExp(`POST /projects/${projectId}/runners runner ${runner} → 201`));
  const preClean = stepMatching(
    trace,
    new RegExp(
      `UpdateProjectRunnersOwnerWorker project ${projectId}(?: \\(delivery \\d+\\))?: deleted \\d+ ci_runner_projects`,
    ),
  );
  const cleaner = stepMatching(trace, new RegExp(`projects (?:\\d+, )*${projectId}\\b[^;]*processed`));
  const writer =
    committed === null
      ? 'by a write the trace does not name'
      : `at step ${committed} by POST /projects/${projectId}/runners (assign_to), which had loaded project ${projectId} before its deletion and inserts the row without locking the project (ci_runner_projects.project_id is a loose foreign key)`;
  const readers = [
    `UpdateProjectRunnersOwnerWorker's pre-clean for project ${projectId}${preClean === null ? '' : ` (its run ended at step ${preClean})`}`,
    ...(cleaner === null
      ? []
      : [`LooseForeignKeys::CleanupWorker (which marked the deletion processed at step ${cleaner})`]),
  ];
  return (
    `ci_runner_projects id=${id} (runner ${runner}, project ${projectId}) was committed ${writer}, after project ` +
    `${projectId} was deleted at step ${deletedAt}: ${readers.join(' and ')} ${readers.length > 1 ? 'both ' : ''}read ci_runner_projects before that ` +
    'row committed, so nothing removes it, and a second run of the service would; in any serial order the ' +
    'pre-clean or the cleaner sees the row'
  );
}

function runnerStillOwned(
  world: RunnersWorld,
  projectId: number,
  jobs: readonly OwnerServiceJob[],
  trace: readonly TracedStep[],
): string | null {
  const runner = world.db
    .rows(RUNNERS)
    .find((candidate) => candidate['runner_type'] === 3 && candidate['sharding_key_id'] === projectId);
  if (runner === undefined) return null;
  const id = integerField(runner, 'id');
  const owned = `runner ${id} still has sharding_key_id ${projectId}, the deleted project, after UpdateProjectRunnersOwnerWorker for it`;
  const stopped = jobs.find((job) => job.phase === 'done' && job.cursor < id && job.batches > 0);
  if (stopped !== undefined)
    return `${owned} finished at step ${String(stopped.finishedAt)} with its cursor at runner ${stopped.cursor}: the job stopped before its batches reached runner ${id}, so the service had not run to its end, and a second run re-owns or deletes it`;
  const writer = stepMatching(trace, new RegExp(`runner ${id}\\b.*sharding_key_id \\S+ → ${projectId}\\b`));
  return `${owned} (${jobs.map(jobState).join('; ')}): ${writer === null ? 'a write after the job' : `step ${writer}`} gave it that key after the service had passed it, and a second run re-owns or deletes it`;
}

/** The cause of an `owner-service-idempotent` violation, or null when the world shows neither change. */
export function explainOwnerServiceNotIdempotent(
  world: RunnersWorld,
  violation: Violation,
  trace: readonly TracedStep[],
): string | null {
  const found = /again for project (\d+)/.exec(violation.message);
  if (found === null) return null;
  const projectId = Number(found[1]);
  const event = deletedProject(world.ownerEvents, projectId);
  if (event === undefined) return null;
  const jobs = world.ownerEvents.jobs.filter((job) => job.event.projectId === projectId);
  return (
    leftoverAssignment(world, projectId, event.step, trace) ?? runnerStillOwned(world, projectId, jobs, trace) ?? null
  );
}
