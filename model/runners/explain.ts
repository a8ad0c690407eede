import { col, eq } from '../../src/index.js';
import type { Row } from '../../src/index.js';
import type { Violation } from '../../src/harness/domain.js';
import { RUNNERS_COPY } from './partitionedCopies.js';
import type { TracedStep } from '../../src/harness/domain.js';
import { explainByInvariant } from './explainInvariants.js';
import { RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS } from './schema.js';
import type { ApiResponse, RunnersWorld } from './world.js';
import { explainWorkerViolation } from './explainWorkers.js';
import { explainRolloutViolation, reportedServerError } from './explainRollout.js';
import { backfillStory, creationStory, stepLabel } from './runnerHistory.js';
import { archiveName } from '../gitlab/tableSwap.js';

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

/**
 * The runner-copy story applies to violations about a runner absent from ci_runners_e59bb2812d:
 * a key into the runner copy rejecting a row, or the runner copy incomplete after its backfill.
 * Other violations naming a runner (a tagging's key, a manager's type) are not about the copy.
 */
function isAboutRunnerCopy(violation: Violation): boolean {
  // A verify that gave up names the copy's key it collided with: the runner is in the copy, not missing.
  if (violation.invariant === 'verify-ensures-manager') return false;
  if (violation.invariant === 'copy-complete-after-backfill') return violation.message.startsWith(`${RUNNERS} id=`);
  return violation.message.includes(RUNNERS_COPY) || violation.message.includes('fk_rails_3f92913d27');
}

/**
 * A key into one partition of the runner copy (GitLab's FKs to `project_type_…` and its siblings)
 * can reject a runner that is in the copy, but in another partition: the one whose LIST bound holds
 * its runner_type. Null when the runner is in the referenced partition after all.
 */
function partitionStory(world: RunnersWorld, runnerId: number, copyRow: Row, referenced: string): string | null {
  const { db } = world;
  const partitions = db.describe(RUNNERS_COPY).partitions;
  const holder = partitions.find((partition) => db.select(partition, { where: eq(col('id'), runnerId) }).length > 0);
  if (holder === undefined || holder === referenced) return null;
  const bound = (partition: string): string => {
    const values = db.describe(partition).partitionValues;
    return values === null || values === 'default' ? 'DEFAULT' : `FOR VALUES IN (${values.join(', ')})`;
  };
  return `runner ${runnerId} is in ${RUNNERS_COPY}, but with runner_type ${String(copyRow['runner_type'])} its row is in the partition ${holder} (${bound(holder)}), not in ${referenced} (${bound(referenced)}), the partition the key references`;
}

/** The partition of the runner copy a violation's message names as the referenced table, if any. */
function referencedCopyPartition(world: RunnersWorld, message: string): string | undefined {
  if (!world.db.hasTable(RUNNERS_COPY)) return undefined;
  return world.db
    .describe(RUNNERS_COPY)
    .partitions.find((partition) => message.includes(`is not present in table "${partition}"`));
}

/** Why runner `runnerId` is not in the runner copy, told from its creation, the backfill and the swap. */
export function runnerCopyStory(
  world: RunnersWorld,
  runnerId: number,
  referencedPartition?: string,
  failedRequest?: ApiResponse,
): string {
  const { db } = world;
  const swap = world.rollout.swapOf(RUNNERS);
  if (!db.hasTable(RUNNERS_COPY)) {
    if (swap === undefined) return `${RUNNERS_COPY} does not exist yet, so runner ${runnerId} cannot be in it`;
    const wasCopied = swap.copyRows.some((row) => row['id'] === runnerId);
    return `replace_with_partitioned_table made ${RUNNERS_COPY} the new ${RUNNERS} at step ${swap.step}, and runner ${runnerId} ${wasCopied ? 'was in it then' : `was not in it: ${creationStory(world, runnerId).text} and ${backfillStory(world, runnerId)}`}`;
  }
  const [copyRow] = db.select(RUNNERS_COPY, { where: eq(col('id'), runnerId) });
  const inCopy = copyRow !== undefined;
  if (copyRow !== undefined && referencedPartition !== undefined) {
    const misplaced = partitionStory(world, runnerId, copyRow, referencedPartition);
    if (misplaced !== null) return misplaced;
  }
  const presence = inCopy
    ? `runner ${runnerId} is in ${RUNNERS_COPY} now`
    : `runner ${runnerId} is missing from ${RUNNERS_COPY}`;
  const insertedByFailedRequest =
    failedRequest?.endpoint === RUNNER_REGISTRATION ? insertedInFailedStatement(world, runnerId, inCopy) : null;
  if (insertedByFailedRequest !== null) return `${presence}: ${insertedByFailedRequest}`;
  const creation = creationStory(world, runnerId);
  if (!creation.beforeTrigger)
    return inCopy
      ? `${presence}; ${creation.text}, so the trigger copied it when it was inserted`
      : `${presence}, although ${creation.text}, which should have copied it when it was inserted: the copy row was never written, or a delete of the copy alone removed it`;
  return `${presence}: ${creation.text} and ${backfillStory(world, runnerId)}`;
}

/** The endpoint that inserts runners (createRunner.ts): a failing one may have inserted the runner its key missed. */
const RUNNER_REGISTRATION = 'POST /user/runners';

/**
 * A runner that a failing registration request names in its error, and that is in neither
 * ci_runners nor its copy and has no recorded origin, was inserted by that request itself, whose
 * rollback took the row away: the sync trigger on ci_runners, if one is
 * installed, runs inside that INSERT and must have put the row into the copy before the request's
 * next statement checked a key into it. Null when that is not the case.
 */
function insertedInFailedStatement(world: RunnersWorld, runnerId: number, inCopy: boolean): string | null {
  const { db } = world;
  if (inCopy || world.runnerOrigin.has(runnerId)) return null;
  if (db.select(RUNNERS, { where: eq(col('id'), runnerId) }).length > 0) return null;
  const installedAt = world.syncInstalledAt.get(RUNNERS);
  const pair = world.syncPairFor(RUNNERS);
  if (installedAt === undefined || pair === undefined) return null;
  const trigger = db.describe(RUNNERS).triggers.find((candidate) => candidate.name === pair.triggerName);
  if (trigger === undefined) return null;
  return `the failing request inserted runner ${runnerId} into ${RUNNERS} itself (the row went with its rollback), after the sync trigger ${trigger.name} was installed (${stepLabel(installedAt)}); that AFTER INSERT row trigger runs inside the INSERT and should have written the row into ${RUNNERS_COPY} before the request's next statement checked its key, yet ${RUNNERS_COPY} lacked it: the trigger did not copy the INSERT`;
}

/**
 * A failing registration whose join row (ci_runner_projects, ci_runner_namespaces) names a runner
 * that exists nowhere, while ci_runners has ensure_unique_id's trigger: that BEFORE INSERT trigger
 * ignores the id a request supplies and takes nextval, so the INSERT returned another id than the
 * one the request drew, and the join row was written with the drawn one. Null otherwise.
 */
function replacedIdStory(world: RunnersWorld, runnerId: number, message: string): string | null {
  const join = new RegExp(`on table "(${RUNNER_PROJECTS}|${RUNNER_NAMESPACES})"`).exec(message)?.[1];
  if (join === undefined || world.runnerOrigin.has(runnerId)) return null;
  const { db } = world;
  // The runners table, its partitioned copy and, after a swap, the archive: the runner is in none.
  const holders = [RUNNERS, RUNNERS_COPY, archiveName(RUNNERS)].filter((table) => db.hasTable(table));
  if (holders.some((table) => db.select(table, { where: eq(col('id'), runnerId) }).length > 0)) return null;
  const trigger = `assign_${RUNNERS}_id_trigger`;
  if (!db.hasTrigger(RUNNERS, trigger)) return null;
  return `the failing request drew id ${runnerId} for its runner, but ${RUNNERS} has ${trigger} (ensure_unique_id), which ignores an id the INSERT supplies and takes nextval instead: the runner was inserted under another id, and the request wrote its ${join} row with the id it drew, ${runnerId}, which no runner has; the join rows must use the id the INSERT returned`;
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
  // A 500's message is PostgreSQL's primary line; its DETAIL names the key and the referenced table.
  const failed = failedRequest(world, violation);
  const detail = failed?.error?.detail ?? null;
  const text = detail === null ? violation.message : `${violation.message} (${detail})`;
  const detailed = detail === null ? violation : { ...violation, message: text };
  const runnerId = runnerIdInMessage(text);
  const replaced =
    runnerId !== null && failed?.endpoint === RUNNER_REGISTRATION ? replacedIdStory(world, runnerId, text) : null;
  if (replaced !== null) return replaced;
  if (runnerId !== null && isAboutRunnerCopy(detailed))
    return runnerCopyStory(world, runnerId, referencedCopyPartition(world, text), failed);
  return explainByInvariant(world, detailed, trace);
}

/**
 * The response behind an `api-never-500` violation (the one the invariant reports: the first 500
 * without a known cause, else the first 500), or undefined.
 */
function failedRequest(world: RunnersWorld, violation: Violation): ApiResponse | undefined {
  return violation.invariant === 'api-never-500' ? reportedServerError(world) : undefined;
}
