import fc from 'fast-check';
import { col, eq } from '../../../src/index.js';
import type { Row, Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { runnersNewestFirst, runnerIndexArbitrary } from '../recency.js';
import { integerField, liveProjectIds, pickByIndex } from '../records.js';
import { PROJECTS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { boolArg, intArg, natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';
import { publish } from '../ownerRecalculation/projectDeletedEvents.js';

/**
 * `Projects::DestroyService`: deletes the project row (the `projects_loose_fk_trigger` records
 * it for the LFK worker) and, after COMMIT, publishes `ProjectDeletedEvent{project_id,
 * namespace_id}`. The event store delivers at least once: `deliveries: 2` models a redelivery.
 * The project is either the owner of a project runner (newest first, so a story about one
 * runner stays together) or any project by index. The last project is kept, because runners
 * need one to be created at all.
 */
function targetProject(world: RunnersWorld, args: JsonObject): number | undefined {
  if (boolArg(args, 'ownerOfRunner')) {
    const owned = runnersNewestFirst(world).filter(
      (runner) => runner.runnerType === 3 && runner.shardingKeyId !== null,
    );
    const owner = pickByIndex(owned, natArg(args, 'runner'))?.shardingKeyId ?? null;
    if (owner !== null && liveProjectIds(world.db).includes(owner)) return owner;
  }
  return pickByIndex(liveProjectIds(world.db), natArg(args, 'project'));
}

/**
 * The projects whose deletion runs in a session, per world. The model keeps one project (runners need
 * one to be created at all), which a check of the committed projects alone cannot ensure while two
 * deletions are in flight.
 */
const deleting = new WeakMap<RunnersWorld, Set<number>>();

export const deleteProject: OperationKind<RunnersWorld> = requestOperation({
  name: 'deleteProject',
  description:
    'Projects::DestroyService: deletes a project and publishes ProjectDeletedEvent, delivered once or twice (needs the "projectDeletion" workload). ownerOfRunner: pick the owner project of a project runner (runner: index newest first) instead of project: index into the live projects; deliveries: 1 or 2.',
  args: fc.record({
    // Mostly the owner of a recent project runner: the stories worth telling are about the runners a deletion re-owns.
    ownerOfRunner: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    runner: runnerIndexArbitrary,
    project: fc.nat(3),
    deliveries: fc.oneof({ arbitrary: fc.constant(1), weight: 3 }, { arbitrary: fc.constant(2), weight: 1 }),
  }),
  request(world: RunnersWorld, args: JsonObject) {
    if (!world.workers.workloads.has('projectDeletion'))
      return notApplied('DELETE /projects/:id', "not in this plan's workloads");
    const deliveries = intArg(args, 'deliveries', 1, 2);
    if (liveProjectIds(world.db).length <= 1) return notApplied('DELETE /projects/:id', 'the last project is kept');
    const projectId = targetProject(world, args);
    if (projectId === undefined) return notApplied('DELETE /projects/:id', 'no project');
    // Deletions still running in other sessions count as done: two of them must not take the last two projects.
    const inFlight = deleting.get(world) ?? new Set<number>();
    deleting.set(world, inFlight);
    if (liveProjectIds(world.db).every((id) => id === projectId || inFlight.has(id)))
      return notApplied('DELETE /projects/:id', 'the last project is kept');
    return {
      endpoint: 'DELETE /projects/:id',
      description: `DELETE /projects/${projectId}${deliveries > 1 ? ' (event delivered twice)' : ''}`,
      runnerId: null,
      writes: [],
      work: (tx) => destroy(tx, world, projectId, deliveries, inFlight),
    };
  },
});

/** The request's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* destroy(
  tx: Tx,
  world: RunnersWorld,
  projectId: number,
  deliveries: number,
  inFlight: Set<number>,
): Work<HandlerResult> {
  inFlight.add(projectId);
  // The project's DELETE in the service's transaction; the event is published after its COMMIT.
  let deleted: Row | undefined;
  try {
    [deleted] = yield* tx.transaction(() => tx.delete(PROJECTS, eq(col('id'), projectId)));
  } finally {
    inFlight.delete(projectId);
  }
  if (deleted === undefined) return { status: 422, note: 'project not found' };
  const namespaceId = integerField(deleted, 'namespace_id');
  return {
    status: 200,
    afterCommit: () =>
      world.setOwnerEvents(publish(world.ownerEvents, { projectId, namespaceId, step: world.currentStep }, deliveries)),
  };
}
