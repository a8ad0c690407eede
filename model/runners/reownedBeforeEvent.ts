/**
 * The race of owner-recalc-assign-to-race, recognised from the world's record: assign_to re-owned a
 * runner away from its owner project after that project was deleted and before
 * UpdateProjectRunnersOwnerWorker handled the deletion event, so the runner's managers and taggings
 * keep the deleted project's key. The explanation (explainWorkers.ts) and the named causes of
 * manager-matches-runner and tagging-matches-runner (knownRaces.ts) read it from here.
 */
import { deletedProject } from './ownerRecalculation/projectDeletedEvents.js';
import type { RunnersWorld } from './world.js';

export interface ReownedBeforeEvent {
  /** The step of the project's deletion. */
  readonly deletedAt: number;
  /** The step of the assign_to that re-owned the runner, and the project it re-owned it to. */
  readonly step: number;
  readonly to: number;
}

/** assign_to's re-owning of a runner away from `from`, as its response recorded it: `(sharding_key_id 1 → 2)`. */
function reownedByAssignTo(
  world: RunnersWorld,
  runnerId: number,
  from: number,
): { readonly step: number; readonly to: number } | null {
  for (const response of world.responses) {
    if (response.runnerId !== runnerId || response.endpoint !== 'POST /projects/:id/runners') continue;
    const match = /\(sharding_key_id (\d+) → (\d+)\)/.exec(response.summary);
    if (match !== null && Number(match[1]) === from) return { step: response.step, to: Number(match[2]) };
  }
  return null;
}

/**
 * When a dependant (manager, tagging) of `runnerId` carries `key`: the race, if `key` is a deleted
 * project from which assign_to re-owned the runner after the deletion (so before its event was
 * handled: the service would have re-owned or deleted the runner itself); null otherwise.
 */
export function reownedBeforeEvent(world: RunnersWorld, runnerId: number, key: number): ReownedBeforeEvent | null {
  const event = deletedProject(world.ownerEvents, key);
  if (event === undefined) return null;
  const reowned = reownedByAssignTo(world, runnerId, key);
  if (reowned === null || reowned.step < event.step) return null;
  return { deletedAt: event.step, ...reowned };
}
