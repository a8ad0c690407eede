import type { Violation } from '../../src/harness/domain.js';
import type { ApiResponse, RunnersWorld } from './world.js';

/**
 * One sentence of why for the violations the Cells 1.0 rollout steps cause, told from the
 * world's record (swaps, reverts, runner type changes) rather than from the message alone.
 */
function explainNotValidCheck(world: RunnersWorld, violation: Violation): string | null {
  const match = /violates check constraint "([^"]+)"/.exec(violation.message);
  if (match === null || violation.invariant !== 'api-never-500') return null;
  const relation = /new row for relation "([^"]+)"/.exec(violation.message)?.[1];
  const constraint =
    relation === undefined || !world.db.hasTable(relation)
      ? undefined
      : world.db.describe(relation).constraints.find((candidate) => candidate.name === match[1]);
  // Only a constraint still NOT VALID is this story; a validated one rejected a row some write got wrong.
  if (constraint?.valid === true) return explainValidCheckOnCopy(world, relation!, match[1]!);
  const typeChange = typeChangeRejected(world, violation, match[1]!);
  if (typeChange !== null) return typeChange;
  const pending = world.bookkeeping.migrations.find(
    (migration) => migration.kind === 'rowBackfill' && migration.status !== 'finished',
  );
  const backfill =
    pending === undefined
      ? 'no backfill had set the column on it'
      : `${pending.name} had not reached it (cursor ${pending.cursor})`;
  return `${match[1]} was added NOT VALID, which still checks the whole new row on every UPDATE, so a heartbeat that only sets contacted_at fails on a row whose column is still NULL because ${backfill} (docs/semantics.md §c.3)`;
}

/**
 * The response an `api-never-500` violation reports (the invariant's rule): the first 500 without a
 * known race as its cause, else the first 500; undefined when no request answered 500.
 */
export function reportedServerError(world: RunnersWorld): ApiResponse | undefined {
  const failures = world.responses.filter((response) => response.status === 500);
  return failures.find((response) => response.cause === undefined) ?? failures[0];
}

/** The route of a runner_type change (changeRunnerType.ts). */
const TYPE_CHANGE = 'PUT /admin/runners/:id';

/**
 * A runner_type change whose new row a CHECK on the runner's columns rejected: the CHECK ties a
 * column's allowed values to runner_type (NULL for instance runners, set for the others), so the
 * change had to write that column for the new type, and the row it wrote (PostgreSQL's DETAIL,
 * "Failing row contains") did not. No backfill is to blame: it fills rows as they are, and the
 * change came after it. Null for other requests, which the NULL story below explains.
 */
function typeChangeRejected(world: RunnersWorld, violation: Violation, check: string): string | null {
  const failed = reportedServerError(world);
  if (failed?.endpoint !== TYPE_CHANGE) return null;
  if (!violation.message.startsWith(TYPE_CHANGE)) return null;
  const detail = failed.error?.detail?.replace(/\.$/, '');
  const request = failed.summary.split(' → ')[0];
  return `${request} (step ${failed.step}) changed the runner's runner_type, and ${check} ties the columns it reads to runner_type, so the change must write them for the new type; the row it wrote does not satisfy the check${detail === undefined ? '' : ` (${detail})`}: the type change left a column as the old type had it, which NOT VALID still rejects on every new row (docs/semantics.md §c.3)`;
}

/**
 * A validated CHECK on a partition of a copy rejected a row: only the sync trigger writes the copy
 * while the source is live, and when the source holds the same validated CHECK, a faithful copy of
 * the source's new row would satisfy it, so the trigger wrote a row that differs from its source.
 */
function explainValidCheckOnCopy(world: RunnersWorld, relation: string, check: string): string | null {
  const copy = [...world.catalog.partitionedCopies.values()].find(
    (spec) => world.db.hasTable(spec.copy) && world.db.describe(spec.copy).partitions.includes(relation),
  );
  if (copy === undefined || !world.db.hasTable(copy.source)) return null;
  const onSource = world.db.describe(copy.source).constraints.find((candidate) => candidate.name === check);
  const columns = onSource?.columns.join(', ') ?? '';
  return onSource?.valid === true
    ? `${check} is validated on both ${copy.source} and its copy's partition ${relation}, so a faithful copy of the source's new row would satisfy it: the sync trigger wrote into ${relation} a row that differs from its source row${columns === '' ? '' : ` in a column the CHECK reads (${columns})`}`
    : `the row the sync trigger wrote into ${relation}, a partition of ${copy.copy}, does not satisfy its validated ${check}`;
}

function explainTypeChangeAfterSwap(world: RunnersWorld, violation: Violation): string | null {
  if (
    violation.invariant !== 'api-never-500' ||
    world.rollout.swaps.length === 0 ||
    !violation.message.startsWith('PUT /admin/runners/:id')
  )
    return null;
  const swap = world.rollout.swaps[0]!;
  const renumbers = world.db
    .describe(swap.table)
    .triggers.some((trigger) => trigger.name === `assign_${swap.table}_id_trigger`);
  return renumbers
    ? `after the swap a runner_type change moves the row to another partition as a DELETE plus an INSERT, the destination partition's assign_${swap.table}_id_trigger gives it a new id from ${swap.sequence}, and the runner's links to its old id fail their foreign key`
    : `after the swap a runner_type change moves the row to another partition, the reverse sync trigger turns that into a DELETE and an INSERT on ${swap.archive}, and the foreign keys that followed the legacy table onto ${swap.archive} cascade that DELETE into live rows`;
}

function explainLostCopyManager(world: RunnersWorld, violation: Violation): string | null {
  if (violation.invariant !== 'copy-keeps-copied-rows') return null;
  const match = /ci_runner_machines id=(\d+) was in/.exec(violation.message);
  if (match === null) return null;
  const managerId = Number(match[1]);
  const change = world.runnerTypeChanges.find((candidate) => candidate.lostCopyManagers.includes(managerId));
  if (change === undefined) return null;
  return `runner ${change.runnerId} changed from runner_type ${change.from} to ${change.to} at step ${change.step}, which moved its copy row to another partition; fk_rails_3f92913d27 references a single partition, so it saw a DELETE and its ON DELETE CASCADE removed copy manager ${managerId}, while the legacy manager stayed and its sync UPDATE now finds no copy row`;
}

/**
 * A copy row lost while DeleteOrphanedPartitionedCiRunnerMachineRecords walks its copy, with its
 * runner in the copy the job checks: nothing else deletes a copy manager whose source row and
 * runner copy both exist (a cascade needs the runner copy gone, a loose foreign key is recorded
 * and told by explainWorkers.ts), so the clean-up deleted a manager that was no orphan.
 */
function explainOrphanCleanupLoss(world: RunnersWorld, violation: Violation): string | null {
  if (violation.invariant !== 'copy-keeps-copied-rows') return null;
  const match = /^(\S+) id=(\d+) was in (\S+) and is gone/.exec(violation.message);
  if (match === null) return null;
  const [, source, id, copy] = match;
  const cleanup = world.bookkeeping.migrations.find(
    (migration) => migration.kind === 'deleteOrphanedCopyManagers' && migration.table === copy,
  );
  if (cleanup === undefined || !world.db.hasTable(cleanup.target)) return null;
  const row = world.db.rows(source!).find((candidate) => candidate['id'] === Number(id));
  const runnerId = row?.['runner_id'];
  const runnerType = row?.['runner_type'];
  const runner = world.db
    .rows(cleanup.target)
    .find((candidate) => candidate['id'] === runnerId && candidate['runner_type'] === runnerType);
  if (runner === undefined) return null;
  return `${cleanup.name} deleted ${copy} id=${id} although its runner ${String(runnerId)} (runner_type ${String(runnerType)}) is in ${cleanup.target}: the clean-up may delete only copy managers whose (runner_id, runner_type) is missing there, so its orphan test matched a manager that was none`;
}

function explainRevert(world: RunnersWorld, violation: Violation): string | null {
  if (violation.invariant !== 'revert-removes-foreign-key') return null;
  const removal = world.rollout.removedForeignKeys[0];
  if (removal === undefined) return null;
  return `${removal.name} was added to each partition of ${removal.table} separately, never attached to a key on the parent, so dropping the parent's key removes nothing and the partition keys keep rejecting rows after the revert (docs/semantics.md §h.5)`;
}

function explainArchivedTracking(world: RunnersWorld, violation: Violation): string | null {
  if (violation.invariant !== 'deletion-tracking-follows-swap') return null;
  const table = /^the deletion of (\S+) id=/.exec(violation.message)?.[1];
  const swap = world.rollout.swaps.find((candidate) => candidate.table === table) ?? world.rollout.swaps[0];
  if (swap === undefined) return null;
  const trigger = `${swap.table}_loose_fk_trigger`;
  // A switch made before the swap switched the legacy table's tracking, which the swap then carried away.
  const switchedAt = world.rollout.trackingSwitchSteps.get(swap.table);
  if (switchedAt !== undefined && switchedAt < swap.step && world.db.hasTrigger(swap.archive, trigger))
    return `switch_record_change_tracking_to_partitioned_table ${swap.table} ran at step ${switchedAt}, before replace_with_partitioned_table swapped the tables at step ${swap.step}: it switched the tracking of the legacy ${swap.table}, whose ${trigger} then followed the legacy table's identity onto ${swap.archive} in the swap, and the reverse sync trigger's DELETE there records ${swap.archive}, a name no loose-foreign-key definition names (docs/semantics.md §b.1)`;
  // A deletion recorded after the switch: the switch did not take the trigger off the archive.
  if (violation.cause === undefined && world.rollout.trackingSwitchedAt.has(swap.table))
    return world.db.hasTable(swap.archive) && world.db.hasTrigger(swap.archive, trigger)
      ? `switch_record_change_tracking_to_partitioned_table ${swap.table} ran but left ${trigger} on ${swap.archive}, so the reverse sync trigger's DELETE there still records ${swap.archive}, a name no loose-foreign-key definition names, besides the partition's own record (docs/semantics.md §b.1)`
      : `a deletion was recorded as ${swap.archive} after switch_record_change_tracking_to_partitioned_table ${swap.table} ran, though ${trigger} is no longer on ${swap.archive}`;
  return `${swap.table}_loose_fk_trigger followed the legacy table's identity onto ${swap.archive} in the swap, and the reverse sync trigger's DELETE there (a deleted runner, or a type change moving its row) now records ${swap.archive}, a name no loose-foreign-key definition names (docs/semantics.md §b.1)`;
}

const EXPLAINERS = [
  explainNotValidCheck,
  explainTypeChangeAfterSwap,
  explainLostCopyManager,
  explainOrphanCleanupLoss,
  explainRevert,
  explainArchivedTracking,
];

export function explainRolloutViolation(world: RunnersWorld, violation: Violation): string | null {
  for (const explain of EXPLAINERS) {
    const text = explain(world, violation);
    if (text !== null) return text;
  }
  return null;
}
