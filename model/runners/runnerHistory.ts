/**
 * A runner's history as the world recorded it, for explanations of a runner missing from the
 * runner copy: when it was created relative to the sync trigger, and what the copy's backfill did
 * when its cursor passed it (explain.ts and explainInvariants.ts both tell it).
 */
import type { RunnersWorld } from './world.js';
import { RUNNERS } from './schema.js';

/** A step of the world's record in words: negative steps built the legacy world before the plan. */
export function stepLabel(step: number): string {
  return step < 0 ? 'before the plan' : `at step ${step}`;
}

/** When the runner was created: before the plan (legacy), or at a step before or after the sync trigger existed. */
export function creationStory(
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

/** What the copy's backfill did with the runner: not queued, not reached, passed or finished without it, skipped it as an orphan, or copied it. */
export function backfillStory(world: RunnersWorld, runnerId: number): string {
  const migration = world.bookkeeping.migrations.find(
    (candidate) => candidate.kind === 'partitionBackfill' && candidate.table === RUNNERS,
  );
  const decision = world.backfillDecisions.get(RUNNERS)?.get(runnerId);
  const assignedAt = world.orphansAssignedAt.get(runnerId);
  if (decision === undefined) {
    if (migration === undefined) return 'no backfill of ci_runners was ever queued';
    // Batches end a backfill only once no row is left above the cursor, so a backfill finished with
    // its cursor below a runner that existed all along was finished by something other than its batches.
    if (migration.status === 'finished' && migration.cursor < runnerId)
      return `the backfill was marked finished with its cursor at ${migration.cursor}, below runner ${runnerId}: no batch ever covered it, so it was never copied`;
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
  if (decision.insert === 'notSelected')
    return `the backfill's batch ${stepLabel(decision.step)} covered it and its filter let it through, yet the sub-batch's INSERT … SELECT did not select it, so it was never copied (the statement's range or conditions left it out)`;
  return `the backfill copied it ${stepLabel(decision.step)}, so its copy row was removed later`;
}
