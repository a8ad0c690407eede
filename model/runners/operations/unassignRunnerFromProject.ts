import fc from 'fast-check';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { col, eq } from '../../../src/index.js';
import type { Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { pickByIndex, runnerProjectRows } from '../records.js';
import type { RunnerRecord } from '../records.js';
import { RUNNER_PROJECTS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { ownerProjectIdWork, runnerAssignments } from './ownerProject.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';
import { RUNNER_REFERENCE } from '../collections.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `DELETE /projects/:id/runners/:runner_id`: removes one assignment of a project runner; the
 * last one never goes (a project runner must keep a project), which is a validation error.
 * `project` indexes the runner's own assignments. Since the owner rule (docs/semantics.md §e), the owner project
 * cannot be unassigned either (`UnassignRunnerService`: 403). The service's checks read in autocommit,
 * then `runner_project.destroy` deletes the assignment in Rails' transaction; nothing locks the
 * runner, so a concurrent request can change what the checks read.
 */
export const unassignRunnerFromProject: OperationKind<RunnersWorld> = requestOperation({
  name: 'unassignRunnerFromProject',
  description:
    "DELETE /projects/:id/runners/:runner_id: removes one assignment of a project runner (never the last, nor the owner's). runner: index newest first; project: index into that runner's assignments.",
  args: fc.record({ runner: runnerIndexArbitrary, project: fc.nat(3) }),
  references: RUNNER_REFERENCE,
  request(world: RunnersWorld, args: JsonObject) {
    const runner = pickRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('DELETE /projects/:id/runners/:runner_id', 'no runner yet');
    const assignment = pickByIndex(runnerProjectRows(world.db, runner.id), natArg(args, 'project'));
    const projectLabel = assignment === undefined ? ':id' : String(assignment.projectId);
    return {
      endpoint: 'DELETE /projects/:id/runners/:runner_id',
      description: `DELETE /projects/${projectLabel}/runners/${runner.id}`,
      runnerId: runner.id,
      writes: [],
      work: (tx) => unassign(tx, runner, assignment),
    };
  },
});

/** The request's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* unassign(
  tx: Tx,
  runner: RunnerRecord,
  assignment: { readonly id: number; readonly projectId: number } | undefined,
): Work<HandlerResult> {
  if (runner.runnerType !== 3) return { status: 422, note: 'Runner is not a project runner' };
  if (assignment === undefined) return { status: 422, note: 'Runner is not assigned to any project' };
  // `runner.belongs_to_one_project?`
  const assignments = yield* runnerAssignments(tx, runner.id);
  if (assignments.length <= 1)
    return { status: 422, note: 'Only one project associated with the runner. Please remove the runner instead' };
  // The mutant protects the first assignment, as if it were always the owner's.
  const protectedProject = mutated('unassign-checks-owner-by-assignment')
    ? assignments[0]?.projectId
    : yield* ownerProjectIdWork(tx, runner.id);
  if (assignment.projectId === protectedProject)
    return {
      status: 403,
      note: 'You cannot unassign a runner from the owner project. Delete the runner instead',
    };
  yield* tx.transaction(() => tx.delete(RUNNER_PROJECTS, eq(col('id'), assignment.id)));
  return { status: 200 };
}
