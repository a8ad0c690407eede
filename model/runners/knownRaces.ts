/**
 * Races the runners world recognises by name when an invariant breaks (`Violation.cause`): races
 * GitLab has without any migration, or that a shipped fix brings with it, and the window GitLab's
 * own migration order leaves open, each shown by a plan of its own. A serial plan's verdict under forced concurrency may accept one of them
 * (`underConcurrency.acceptsCauses`, docs/plans.md) without accepting the whole invariant, so
 * every other break of that invariant still fails it. Each cause is recognised from what the world
 * recorded when the break happened, never from the trace's wording.
 */
import type { CauseDefinition } from '../../src/harness/domain.js';
import { SqlState } from '../../src/index.js';
import type { PgError, Row } from '../../src/index.js';

export const RUNNER_DELETED_UNDER_REQUEST = 'runner-deleted-under-request';
export const ENSURED_COPY_STALE = 'ensured-copy-stale';
export const ASSIGN_TO_LOST_UPDATE = 'assign-to-lost-update';
export const MANAGER_KEPT_DELETED_OWNER = 'manager-kept-deleted-owner';
export const TAGGING_KEPT_DELETED_OWNER = 'tagging-kept-deleted-owner';
export const DELETION_BEFORE_TRACKING_SWITCH = 'deletion-before-tracking-switch';

/** The endpoint whose answer says a runner was deleted (model/runners/operations/deleteRunner.ts). */
const DELETE_RUNNER_ENDPOINT = 'DELETE /runners/:id';

export const RUNNER_CAUSES: readonly CauseDefinition[] = [
  {
    id: RUNNER_DELETED_UNDER_REQUEST,
    invariant: 'api-never-500',
    sentence:
      'A request loaded a runner, a concurrent DELETE /runners/:id deleted it, and the row the request then inserted for it (a manager, a project assignment) failed its foreign key with 23503, which GitLab does not rescue: a 500 GitLab has without any migration.',
    plans: ['verify-races-runner-deletion', 'assign-to-races-runner-deletion'],
  },
  {
    id: ENSURED_COPY_STALE,
    invariant: 'copy-equals-source-where-present',
    sentence:
      "The runner copy row is exactly what POST /runners/verify's ensure_partitioned_runner_record_exists inserted from the runner it had loaded, while a heartbeat committed meanwhile changed the source: the sync trigger's UPDATE found no committed copy row to carry the change to (the d.2 fix's race).",
    plans: ['ensure-copy-races-heartbeat'],
  },
  {
    id: ASSIGN_TO_LOST_UPDATE,
    invariant: 'owner-is-lowest-runner-project',
    sentence:
      "The runner's owner was written by an assign_to that decided from a read older than another assign_to's committed re-own of the same runner, and overwrote it: a lost update GitLab has without any migration (assign_to takes no row lock).",
    plans: ['assign-to-concurrent'],
  },
  {
    id: MANAGER_KEPT_DELETED_OWNER,
    invariant: 'manager-matches-runner',
    sentence:
      "The manager still carries the sharding key of a deleted project from which assign_to re-owned its runner before UpdateProjectRunnersOwnerWorker handled that project's deletion event: assign_to does not touch managers, and the service then finds no runner owned by the project (a race GitLab has without any migration).",
    plans: ['owner-recalc-assign-to-race'],
  },
  {
    id: TAGGING_KEPT_DELETED_OWNER,
    invariant: 'tagging-matches-runner',
    sentence:
      "The tagging still carries the sharding key of a deleted project from which assign_to re-owned its runner before UpdateProjectRunnersOwnerWorker handled that project's deletion event: assign_to does not touch taggings, and the service then finds no runner owned by the project (a race GitLab has without any migration).",
    plans: ['owner-recalc-assign-to-race'],
  },
  {
    id: DELETION_BEFORE_TRACKING_SWITCH,
    invariant: 'deletion-tracking-follows-swap',
    sentence:
      "The deletion was recorded under the archive's name (ci_runners_archived) before switch_record_change_tracking_to_partitioned_table moved the swapped table's loose-FK trigger: replace_with_partitioned_table leaves the trigger on the legacy table, now the archive, and GitLab moves it only in a later migration, so deletions in between carry the archive's name. A deletion recorded after the switch ran is not explained.",
    plans: ['lfk-trigger-left-on-archive'],
  },
];

/** The answers the cause reads: which runners a DELETE /runners/:id removed. */
interface AnsweredRequest {
  readonly endpoint: string;
  readonly status: number;
  readonly runnerId: number | null;
}

/**
 * The cause of a request's 500, when it is the deletion race: a foreign-key violation for a runner
 * that a DELETE /runners/:id answered before (so it committed while this request was in flight; a
 * request that starts after the deletion finds no runner and answers 403).
 */
export function causeOfServerError(
  error: PgError,
  runnerId: number | null,
  answered: readonly AnsweredRequest[],
): string | undefined {
  if (error.code !== SqlState.foreignKeyViolation || runnerId === null) return undefined;
  const deleted = answered.some(
    (response) =>
      response.endpoint === DELETE_RUNNER_ENDPOINT && response.status === 200 && response.runnerId === runnerId,
  );
  return deleted ? RUNNER_DELETED_UNDER_REQUEST : undefined;
}

/**
 * The cause of a copy row that differs from its source, when it is the ensure-copy race: the copy
 * row is still exactly what verify's ensure-copy inserted (no later write reached it).
 */
export function causeOfStaleCopy(copy: Row, ensured: ReadonlyMap<number, Row>): string | undefined {
  const inserted = ensured.get(copy.id as number);
  if (inserted === undefined) return undefined;
  const same = Object.entries(inserted).every(([column, value]) => copy[column] === value);
  return same ? ENSURED_COPY_STALE : undefined;
}

/**
 * The cause of a project runner whose owner is not its lowest assignment, when it is the lost
 * update: its owner is still the one an assign_to wrote over a concurrent re-own it had not read.
 */
export function causeOfWrongOwner(
  runnerId: number,
  owner: number,
  lostUpdates: ReadonlyMap<number, number>,
): string | undefined {
  return lostUpdates.get(runnerId) === owner ? ASSIGN_TO_LOST_UPDATE : undefined;
}
