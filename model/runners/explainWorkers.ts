import type { Violation } from '../../src/harness/domain.js';
import { describeDefinition } from '../gitlab/looseForeignKeys/definitions.js';
import { OWNER_FLAG } from './ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import type { RunnersWorld } from './world.js';
import { deletedProject } from './ownerRecalculation/projectDeletedEvents.js';
import { reownedBeforeEvent } from './reownedBeforeEvent.js';

/**
 * One sentence of why for the violations issue #4's workers cause, told from the world's
 * history: which project was deleted when, how its ProjectDeletedEvent was handled, what
 * assign_to did meanwhile, and which loose foreign key removed a row.
 */
function stepLabel(step: number): string {
  return step < 0 ? 'before the plan' : `at step ${step}`;
}

function ownerHistory(world: RunnersWorld, projectId: number): string | null {
  const event = deletedProject(world.ownerEvents, projectId);
  if (event === undefined) return null;
  const jobs = world.ownerEvents.jobs.filter((job) => job.event === event);
  const skipped = jobs.find((job) => job.handled?.skipped === true);
  if (skipped !== undefined && jobs.every((job) => job.handled?.skipped !== false)) {
    return `project ${projectId} was deleted ${stepLabel(event.step)} and UpdateProjectRunnersOwnerWorker handled its event ${stepLabel(skipped.handled!.step)} with ${OWNER_FLAG} disabled, returning early, so its runners kept the deleted owner while the LFK worker removed their assignments to it`;
  }
  return `project ${projectId} was deleted ${stepLabel(event.step)}`;
}

function explainManagerMismatch(world: RunnersWorld, message: string): string | null {
  const match = /manager (\d+) has sharding_key_id (\d+) but runner (\d+) has (\d+)/.exec(message);
  if (match === null) return null;
  const [, manager, managerKey, runner] = match.map(Number) as [number, number, number, number];
  const reowned = reownedBeforeEvent(world, runner, managerKey);
  if (reowned === null) return null;
  return `project ${managerKey} was deleted ${stepLabel(reowned.deletedAt)}, and before UpdateProjectRunnersOwnerWorker handled its event, assign_to re-owned runner ${runner} to project ${reowned.to} (${stepLabel(reowned.step)}) without touching manager ${manager}; the service then found no runner still owned by project ${managerKey}, so the manager kept the deleted owner`;
}

function explainDanglingTagging(world: RunnersWorld, message: string): string | null {
  const match = /Key \(tag_id\)=\((\d+)\)/.exec(message);
  if (match === null) return null;
  const tagId = Number(match[1]);
  const deletion = world.responses.find(
    (response) => response.endpoint === 'Ci::Tag#destroy' && response.summary.includes(`(tag ${tagId})`),
  );
  const when = deletion === undefined ? '' : ` ${stepLabel(deletion.step)}`;
  return `tag ${tagId} was deleted${when}, before the foreign key existed, and its taggings were left for the loose foreign key's eventual clean-up, which had not run yet when VALIDATE scanned them`;
}

function explainLostCopyRow(world: RunnersWorld, message: string): string | null {
  const match = /^(\S+) id=(\d+) was in (\S+) and is gone/.exec(message);
  if (match === null) return null;
  const [, source, id, copy] = match as unknown as [string, string, string, string];
  const action = world.looseForeignKeys.cleanupActions.get(copy)?.get(Number(id));
  if (action === undefined) return null;
  return `the loose foreign key ${describeDefinition(action.definition)} deleted ${copy} id=${id} ${stepLabel(action.step)} because ${action.definition.parentTable} ${action.parentId} was deleted, and ${source} has no such loose foreign key, so its row stayed and the copy lost it for good`;
}

export function explainWorkerViolation(world: RunnersWorld, violation: Violation): string | null {
  switch (violation.invariant) {
    case 'owner-is-lowest-runner-project':
    case 'no-orphan-project-runners': {
      const match = /(?:sharding_key_id|owned by project) (\d+)/.exec(violation.message);
      return match === null ? null : ownerHistory(world, Number(match[1]));
    }
    case 'manager-matches-runner':
      return explainManagerMismatch(world, violation.message);
    case 'migrations-succeed':
      return explainDanglingTagging(world, violation.message);
    case 'copy-keeps-copied-rows':
      return explainLostCopyRow(world, violation.message);
    default:
      return null;
  }
}
