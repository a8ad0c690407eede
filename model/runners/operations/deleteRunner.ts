import fc from 'fast-check';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { col, eq } from '../../../src/index.js';
import type { Tx, Work } from '../../../src/index.js';
import type { OperationKind } from '../../../src/harness/domain.js';
import { forgetRunnerToken } from '../records.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';
import { RUNNER_REFERENCE } from '../collections.js';

/**
 * `DELETE /runners/:id`: `runner.destroy!`, one DELETE in Rails' transaction (BEGIN, DELETE, COMMIT);
 * FKs cascade to managers and assignments, the sync triggers delete the copies. In a concurrent
 * scenario it runs in a session of its own, so others may run between its DELETE and its COMMIT.
 */
export const deleteRunner: OperationKind<RunnersWorld> = requestOperation({
  name: 'deleteRunner',
  description:
    'DELETE /runners/:id: FKs cascade to managers and assignments, sync triggers delete the copies. runner: index newest first.',
  args: fc.record({ runner: runnerIndexArbitrary }),
  references: RUNNER_REFERENCE,
  request(world, args) {
    const runner = pickRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('DELETE /runners/:id', 'no runner yet');
    return {
      endpoint: 'DELETE /runners/:id',
      description: `DELETE /runners/${runner.id}`,
      runnerId: runner.id,
      writes: [RUNNERS, MANAGERS],
      work: (tx) => destroy(tx, world, runner.id),
    };
  },
});

/** The request's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* destroy(tx: Tx, world: RunnersWorld, runnerId: number): Work<HandlerResult> {
  const deleted = yield* tx.transaction(() => tx.delete(RUNNERS, eq(col('id'), runnerId)));
  const result: HandlerResult =
    deleted.length === 0
      ? { status: 422, note: 'runner not found' }
      : { status: 200, afterCommit: () => forgetRunnerToken(world, deleted[0]!['token']) };
  return result;
}
