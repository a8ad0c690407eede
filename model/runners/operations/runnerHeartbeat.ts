import fc from 'fast-check';
import { pickKnownRunner, runnerIndexArbitrary } from '../recency.js';
import { col, eq } from '../../../src/index.js';
import type { SqlValue, Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';
import { KNOWN_RUNNER_REFERENCE } from '../collections.js';

/**
 * `Ci::Runner#heartbeat` after authenticating by token (403 when no runner has it): UPDATE
 * contacted_at only; the sync UPDATE is a no-op for a runner missing from the copy.
 */
export const runnerHeartbeat: OperationKind<RunnersWorld> = requestOperation({
  name: 'runnerHeartbeat',
  description: 'Ci::Runner#heartbeat: UPDATE contacted_at of a runner. runner: index newest first.',
  args: fc.record({ runner: runnerIndexArbitrary }),
  references: KNOWN_RUNNER_REFERENCE,
  request(world: RunnersWorld, args: JsonObject) {
    const runner = pickKnownRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('runner heartbeat', 'no runner yet');
    return {
      endpoint: 'runner heartbeat',
      description: `runner heartbeat runner ${runner.id}`,
      runnerId: runner.id,
      writes: [RUNNERS],
      work: (tx) => heartbeat(tx, runner.token),
    };
  },
});

/** The request's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* heartbeat(tx: Tx, token: SqlValue): Work<HandlerResult> {
  const updated = yield* tx.update(RUNNERS, { contacted_at: tx.now }, eq(col('token'), token));
  return updated.length === 0 ? { status: 403, note: 'no runner has this token' } : { status: 200 };
}
