import type { ProbeDefinition } from '../../src/harness/domain.js';
import type { LFK_PROBES } from '../gitlab/looseForeignKeys/cleanupWorker.js';
import type { GITLAB_PROBES } from '../gitlab/probes.js';
import type { OWNER_PROBES } from './ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import type { RUNNER_PROBES } from './probes.js';
import type { RUNNER_PROBES_ROLLOUT } from './rolloutProbes.js';
import type { DANGLING_TAGGINGS_PROBE } from './steps/deleteOrphanedRunnerTaggings.js';

/**
 * Every coverage probe the runners world can hit, with the situation it counts. The record is
 * keyed by the probe constants' values, so a probe added to any of those constants without a
 * sentence here fails to compile; plans naming a probe not listed here are rejected on load.
 */
type ValueOf<T> = T[keyof T];
type RunnerProbeName =
  | ValueOf<typeof GITLAB_PROBES>
  | ValueOf<typeof RUNNER_PROBES>
  | ValueOf<typeof RUNNER_PROBES_ROLLOUT>
  | ValueOf<typeof LFK_PROBES>
  | ValueOf<typeof OWNER_PROBES>
  | typeof DANGLING_TAGGINGS_PROBE;

const PROBE_DESCRIPTIONS: Readonly<Record<RunnerProbeName, string>> = {
  'verify-runner-missing-from-copy':
    'POST /runners/verify ran for a runner missing from ci_runners_e59bb2812d while a foreign key existed on the manager copy.',
  'not-valid-fk-with-violators': 'A NOT VALID foreign key existed while rows it would reject were present.',
  'orphan-later-assigned-project': 'assign_to gave a project to a runner that had no sharding key (an orphan).',
  'verify-orphan-runner': 'POST /runners/verify ran for an orphaned runner.',
  'assign-to-saw-concurrent-owner':
    'assign_to (the locking design) reloaded the runner under its row lock and found another owner than the API had read: a concurrent assign_to had re-owned it meanwhile.',
  'backfill-overlaps-traffic': 'A request wrote to a table whose partition backfill was still running.',
  'copy-manager-without-copy-runner': 'A copy manager existed whose runner was missing from the runner copy.',
  'trigger-left-on-archive':
    'A trigger other than the sync trigger was on the legacy table when it was swapped, so it stayed on the archive.',
  'client-id-ignored': "ensure_unique_id's trigger replaced an id the client supplied.",
  'copy-runner-moved-partition': "A runner_type change moved a runner's copy row to another partition.",
  'copy-managers-cascaded-away':
    "A runner_type change deleted copy managers through a per-partition foreign key's ON DELETE CASCADE.",
  'sharding-key-backfilled': 'The sharding-key backfill gave a key to a runner that had a join row but no key.',
  'not-valid-check-with-violators': 'A NOT VALID CHECK was added while rows violating it existed.',
  'revert-left-partition-keys':
    'remove_foreign_key ran on a partitioned table whose partitions carry separately added keys of that name.',
  'lfk-cleanup-over-limit': 'A loose-foreign-key cleanup run reached its modification limit.',
  'lfk-record-rescheduled': 'A deleted-record entry failed three cleanup attempts and was rescheduled.',
  'lfk-child-cleaned': 'The loose-foreign-key worker deleted or nullified a child row.',
  'owner-worker-flag-off': 'UpdateProjectRunnersOwnerWorker ran with update_project_runners_owner off.',
  'owner-service-reowned-runner': 'UpdateProjectRunnersOwnerService gave a runner a new owner project.',
  'owner-service-deleted-runner': 'UpdateProjectRunnersOwnerService deleted a runner left without projects.',
  'owner-event-redelivered': 'A ProjectDeletedEvent was delivered a second time.',
  'owner-service-several-batches': 'An owner recalculation job needed more than one batch.',
  'owner-moved-before-event-handled':
    "assign_to re-owned a runner before the event of its owner project's deletion was handled, leaving its managers behind.",
  'dangling-taggings-cleaned-up': 'delete_orphaned_runner_taggings deleted at least one tagging of a deleted tag.',
};

export const runnerProbeDefinitions: readonly ProbeDefinition[] = Object.entries(PROBE_DESCRIPTIONS)
  .map(([name, description]) => ({ name, description }))
  .sort((left, right) => (left.name < right.name ? -1 : 1));
