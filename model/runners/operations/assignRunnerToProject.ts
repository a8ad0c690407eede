import fc from 'fast-check';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { col, eq } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { integerField, liveProjectIds, pickByIndex, runnerFromRow } from '../records.js';
import type { RunnerRecord } from '../records.js';
import { PROJECTS, RUNNERS, RUNNER_PROJECTS } from '../schema.js';
import { RUNNER_PROBES } from '../probes.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';
import type { Tx, Work } from '../../../src/index.js';
import { mutated } from '../../gitlab/mutations.js';

/** The runner's ci_runner_projects rows, lowest id first, read by a statement. */
function* runnerAssignments(tx: Tx, runnerId: number): Work<{ readonly id: number; readonly projectId: number }[]> {
  const rows = yield* tx.select(RUNNER_PROJECTS, {
    where: eq(col('runner_id'), runnerId),
    orderBy: [{ column: 'id', direction: 'asc' }],
  });
  return rows.map((row) => ({ id: integerField(row, 'id'), projectId: integerField(row, 'project_id') }));
}

/**
 * After an assign_to that re-owned the runner committed: when another re-own of it committed after
 * this request loaded the runner, this one decided from the older read and overwrote it, a lost
 * update (knownRaces.ts); serially, or with the locking design, that never happens.
 */
function recordReown(world: RunnersWorld, runnerId: number, owner: number, seen: number): void {
  const committed = world.committedReowns.get(runnerId) ?? 0;
  if (committed !== seen) world.lostOwnerUpdates.set(runnerId, owner);
  else world.lostOwnerUpdates.delete(runnerId);
  world.committedReowns.set(runnerId, committed + 1);
}

/**
 * `POST /projects/:id/runners`, i.e. `Ci::Runner#assign_to(project)` (docs/semantics.md §e): only project
 * runners. The API loads the runner; then, in one transaction, when the owner project named by
 * `sharding_key_id` does not exist (NULL included) the runner is re-owned by its fallback owner (the
 * lowest-id assignment whose project exists) or by this project, the assignment is inserted and
 * the runner saved. GitLab takes no row lock on the runner, so two concurrent calls can both decide
 * from the same stale read. The sync trigger's UPDATE of the new sharding key is a silent no-op
 * when the runner is missing from the copy.
 */
export const assignRunnerToProject: OperationKind<RunnersWorld> = requestOperation({
  name: 'assignRunnerToProject',
  description:
    'POST /projects/:id/runners (Ci::Runner#assign_to): assigns a project runner to another project, re-owning it first when its owner project is gone. runner: index into the live runners, newest first; project: index into the live projects by id.',
  args: fc.record({ runner: runnerIndexArbitrary, project: fc.nat(3) }),
  references: { runner: 'runners', project: 'projects' },
  request(world: RunnersWorld, args: JsonObject) {
    const runner = pickRunner(world, natArg(args, 'runner'));
    const projectId = pickByIndex(liveProjectIds(world.db), natArg(args, 'project'));
    if (runner === undefined || projectId === undefined)
      return notApplied('POST /projects/:id/runners', 'no runner yet');
    return {
      endpoint: 'POST /projects/:id/runners',
      description: `POST /projects/${projectId}/runners runner ${runner.id}`,
      runnerId: runner.id,
      writes: [RUNNERS],
      work: (tx) => assign(tx, world, runner.id, projectId),
    };
  },
});

/** The request's statements (module-level generators: see "Bodies" in src/coroutines/transactionApi.ts). */
function* assign(tx: Tx, world: RunnersWorld, runnerId: number, projectId: number): Work<HandlerResult> {
  // The API loads the runner first (its own statement, outside assign_to's transaction).
  const [row] = yield* tx.select(RUNNERS, { where: eq(col('id'), runnerId) });
  if (row === undefined) return { status: 422, note: 'runner not found' };
  const loaded = runnerFromRow(row);
  // How many re-owns of this runner had committed when it was loaded (a lost update's witness).
  const reownsSeen = world.committedReowns.get(loaded.id) ?? 0;
  if (loaded.runnerType !== 3) return { status: 422, note: 'Runner is not a project runner' };
  const inTransaction = <T>(body: () => Work<T>): Work<T> =>
    mutated('assign-to-outside-transaction') ? body() : tx.transaction(body);
  return yield* inTransaction(() => assignInTransaction(tx, world, loaded, reownsSeen, projectId));
}

/** `assign_to`'s transaction, on the runner as the API loaded it. */
function* assignInTransaction(
  tx: Tx,
  world: RunnersWorld,
  loaded: RunnerRecord,
  reownsSeen: number,
  projectId: number,
): Work<HandlerResult> {
  // The locking design reloads the runner under its row lock: a concurrent assign_to waits here.
  let current = loaded;
  if (world.code.assignToLocksRunner) {
    const [locked] = yield* tx.select(RUNNERS, {
      where: eq(col('id'), loaded.id),
      ...(mutated('assign-to-lock-without-row-lock')
        ? {}
        : { locking: { strength: mutated('assign-to-lock-for-share') ? 'Share' : 'Update' } }),
    });
    if (locked === undefined) return { status: 422, note: 'runner not found' };
    current = runnerFromRow(locked);
    if (current.shardingKeyId !== loaded.shardingKeyId) world.probes.hit(RUNNER_PROBES.assignToSawConcurrentOwner);
  }
  // RunnerProject's uniqueness validation reads the runner's assignments.
  const assignments = yield* runnerAssignments(tx, current.id);
  if (assignments.some((assignment) => assignment.projectId === projectId))
    return { status: 422, note: 'Runner was already enabled for this project' };
  // `Project.id_in(sharding_key_id).empty?`, read from the runner as the API loaded it.
  const ownerExists =
    current.shardingKeyId !== null &&
    (yield* tx.select(PROJECTS, { where: eq(col('id'), current.shardingKeyId) })).length > 0;
  let reowned: number | null = null;
  // Re-owning writes sharding_key_id, which only the sharding-key-aware code does.
  if (!ownerExists && world.code.populateShardingKey) {
    const existing = new Set((yield* tx.select(PROJECTS)).map((project) => integerField(project, 'id')));
    // The mutant orders the candidates by project_id, as if the owner were the oldest project.
    const candidates = mutated('assign-to-fallback-by-project-id')
      ? [...assignments].sort((left, right) => left.projectId - right.projectId)
      : assignments;
    const fallback = candidates.find((assignment) => existing.has(assignment.projectId));
    reowned = fallback?.projectId ?? projectId;
  }
  // `runner_projects << RunnerProject.new(…)` inserts at once; `save!` then writes the new owner.
  yield* tx.insert(RUNNER_PROJECTS, { runner_id: current.id, project_id: projectId });
  if (reowned !== null) yield* tx.update(RUNNERS, { sharding_key_id: reowned }, eq(col('id'), current.id));
  const wasOrphan = current.shardingKeyId === null && reowned !== null;
  const result: HandlerResult = {
    status: 201,
    ...(reowned !== null ? { note: `sharding_key_id ${String(current.shardingKeyId)} → ${reowned}` } : {}),
    afterCommit: () => {
      if (reowned !== null) recordReown(world, current.id, reowned, reownsSeen);
      if (!wasOrphan) return;
      world.probes.hit(RUNNER_PROBES.orphanLaterAssignedProject);
      world.orphansAssignedAt.set(current.id, world.currentStep);
    },
  };
  return result;
}
