import { col, eq } from '../../src/index.js';
import type { Violation } from '../../src/harness/domain.js';
import { RUNNERS_COPY } from './partitionedCopies.js';
import { RUNNERS } from './schema.js';
import type { RunnersWorld } from './world.js';
import { explainWorkerViolation } from './explainWorkers.js';
import { explainRolloutViolation } from './explainRollout.js';

/**
 * Why a runner named in a violation was missing from ci_runners_e59bb2812d, told from the
 * world's history: when it was created relative to the sync trigger, what the backfill did
 * when its cursor passed it, and whether it was re-owned later.
 */
const RUNNER_ID_PATTERNS: readonly RegExp[] = [
  /\brunner (\d+)/i,
  /\bci_runners id=(\d+)/,
  /Key \(runner_id(?:, runner_type)?\)=\((\d+)/,
  /\brunner_id[ =](\d+)/,
];

export function runnerIdInMessage(message: string): number | null {
  for (const pattern of RUNNER_ID_PATTERNS) {
    const match = pattern.exec(message);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return null;
}

function stepLabel(step: number): string {
  return step < 0 ? 'before the plan' : `at step ${step}`;
}

function creationStory(
  world: RunnersWorld,
  runnerId: number,
): { readonly text: string; readonly beforeTrigger: boolean } {
  const origin = world.runnerOrigin.get(runnerId);
  const installedAt = world.syncInstalledAt.get(RUNNERS);
  if (origin === undefined) return { text: `runner ${runnerId} has no recorded origin`, beforeTrigger: true };
  if (origin.legacy) return { text: `runner ${runnerId} predates the copy (legacy)`, beforeTrigger: true };
  if (installedAt === undefined || origin.step < installedAt)
    return {
      text: `runner ${runnerId} was created ${stepLabel(origin.step)}, before the sync trigger existed`,
      beforeTrigger: true,
    };
  return {
    text: `runner ${runnerId} was created ${stepLabel(origin.step)}, after the sync trigger was installed (${stepLabel(installedAt)})`,
    beforeTrigger: false,
  };
}

function backfillStory(world: RunnersWorld, runnerId: number): string {
  const migration = world.bookkeeping.migrations.find(
    (candidate) => candidate.kind === 'partitionBackfill' && candidate.table === RUNNERS,
  );
  const decision = world.backfillDecisions.get(RUNNERS)?.get(runnerId);
  const assignedAt = world.orphansAssignedAt.get(runnerId);
  if (decision === undefined) {
    if (migration === undefined) return 'no backfill of ci_runners was ever queued';
    return `the backfill had not reached it (cursor ${migration.cursor}${migration.status === 'active' ? '' : `, ${migration.status}`})`;
  }
  if (!decision.copied) {
    const later =
      assignedAt === undefined
        ? 'and it is still an orphan'
        : `and was assigned a project later (${stepLabel(assignedAt)}), but the sync trigger's UPDATE of a missing copy row is a silent no-op`;
    return `it was an orphan when the backfill passed it (${stepLabel(decision.step)}) ${later}`;
  }
  return `the backfill copied it ${stepLabel(decision.step)}, so its copy row was removed later`;
}

export function explainRunnersViolation(world: RunnersWorld, violation: Violation): string | null {
  const workers = explainWorkerViolation(world, violation);
  if (workers !== null) return workers;
  const rollout = explainRolloutViolation(world, violation);
  if (rollout !== null) return rollout;
  const runnerId = runnerIdInMessage(violation.message);
  if (runnerId === null) return null;
  const { db } = world;
  if (!db.hasTable(RUNNERS_COPY)) return `${RUNNERS_COPY} does not exist yet, so runner ${runnerId} cannot be in it`;
  const inCopy = db.select(RUNNERS_COPY, { where: eq(col('id'), runnerId) }).length > 0;
  const creation = creationStory(world, runnerId);
  const presence = inCopy
    ? `runner ${runnerId} is in ${RUNNERS_COPY} now`
    : `runner ${runnerId} is missing from ${RUNNERS_COPY}`;
  if (!creation.beforeTrigger) return `${presence}; ${creation.text}, so the trigger copied it when it was inserted`;
  return `${presence}: ${creation.text} and ${backfillStory(world, runnerId)}`;
}
