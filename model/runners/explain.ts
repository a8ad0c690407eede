import { col, eq } from '../../src/index.js';
import type { Violation } from '../../src/harness/domain.js';
import { RUNNERS_COPY } from './partitionedCopies.js';
import type { TracedStep } from '../../src/harness/domain.js';
import { explainByInvariant } from './explainInvariants.js';
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
    if (migration.status === 'finished' || migration.cursor >= runnerId)
      return `the backfill's cursor passed it (now ${migration.cursor}${migration.status === 'active' ? '' : `, ${migration.status}`}) without any batch containing it, so it was never copied`;
    return `the backfill had not reached it (cursor ${migration.cursor}${migration.status === 'active' ? '' : `, ${migration.status}`})`;
  }
  if (!decision.copied) {
    const typeChange = world.runnerTypeChanges.find(
      (change) => change.runnerId === runnerId && change.step > decision.step,
    );
    const later =
      typeChange !== undefined && assignedAt === undefined
        ? `and a type change to runner_type ${typeChange.to} (${stepLabel(typeChange.step)}) made it copyable, but the sync trigger's UPDATE of a missing copy row is a silent no-op`
        : assignedAt === undefined
          ? 'and it is still an orphan'
          : `and was assigned a project later (${stepLabel(assignedAt)}), but the sync trigger's UPDATE of a missing copy row is a silent no-op`;
    return `it was an orphan when the backfill passed it (${stepLabel(decision.step)}) ${later}`;
  }
  return `the backfill copied it ${stepLabel(decision.step)}, so its copy row was removed later`;
}

/**
 * The runner-copy story applies to violations about a runner absent from ci_runners_e59bb2812d:
 * a key into the runner copy rejecting a row, or the runner copy incomplete after its backfill.
 * Other violations naming a runner (a tagging's key, a manager's type) are not about the copy.
 */
function isAboutRunnerCopy(violation: Violation): boolean {
  if (violation.invariant === 'copy-complete-after-backfill') return violation.message.startsWith(`${RUNNERS} id=`);
  return violation.message.includes(RUNNERS_COPY) || violation.message.includes('fk_rails_3f92913d27');
}

/** Why runner `runnerId` is not in the runner copy, told from its creation, the backfill and the swap. */
export function runnerCopyStory(world: RunnersWorld, runnerId: number): string {
  const { db } = world;
  const swap = world.rollout.swapOf(RUNNERS);
  if (!db.hasTable(RUNNERS_COPY)) {
    if (swap === undefined) return `${RUNNERS_COPY} does not exist yet, so runner ${runnerId} cannot be in it`;
    const wasCopied = swap.copyRows.some((row) => row['id'] === runnerId);
    return `replace_with_partitioned_table made ${RUNNERS_COPY} the new ${RUNNERS} at step ${swap.step}, and runner ${runnerId} ${wasCopied ? 'was in it then' : `was not in it: ${creationStory(world, runnerId).text} and ${backfillStory(world, runnerId)}`}`;
  }
  const inCopy = db.select(RUNNERS_COPY, { where: eq(col('id'), runnerId) }).length > 0;
  const creation = creationStory(world, runnerId);
  const presence = inCopy
    ? `runner ${runnerId} is in ${RUNNERS_COPY} now`
    : `runner ${runnerId} is missing from ${RUNNERS_COPY}`;
  if (!creation.beforeTrigger) return `${presence}; ${creation.text}, so the trigger copied it when it was inserted`;
  return `${presence}: ${creation.text} and ${backfillStory(world, runnerId)}`;
}

export function explainRunnersViolation(
  world: RunnersWorld,
  violation: Violation,
  trace: readonly TracedStep[] = [],
): string | null {
  const workers = explainWorkerViolation(world, violation);
  if (workers !== null) return workers;
  const rollout = explainRolloutViolation(world, violation);
  if (rollout !== null) return rollout;
  const runnerId = runnerIdInMessage(violation.message);
  if (runnerId !== null && isAboutRunnerCopy(violation)) return runnerCopyStory(world, runnerId);
  return explainByInvariant(world, violation, trace);
}
