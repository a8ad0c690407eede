import fc from 'fast-check';
import { col, eq } from '../../../src/index.js';
import type { Tx, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { liveManagers, pickByIndex } from '../records.js';
import { MANAGERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
import type { HandlerResult } from './request.js';

/**
 * `Ci::RunnerManager#heartbeat`: UPDATE contacted_at. The sync UPDATE rewrites the copy row's
 * FK columns to their same values, which a NOT VALID FK tolerates (docs/semantics.md §c.3).
 */
export const managerHeartbeat: OperationKind<RunnersWorld> = requestOperation({
  name: 'managerHeartbeat',
  description:
    'Ci::RunnerManager#heartbeat: UPDATE contacted_at of a manager. manager: index into the live managers by id.',
  args: fc.record({ manager: fc.nat(7) }),
  references: { manager: 'managers' },
  request(world: RunnersWorld, args: JsonObject) {
    const manager = pickByIndex(liveManagers(world.db), natArg(args, 'manager'));
    if (manager === undefined) return notApplied('manager heartbeat', 'no runner manager yet');
    return {
      endpoint: 'manager heartbeat',
      description: `manager heartbeat manager ${manager.id} (runner ${manager.runnerId}, system ${manager.systemXid})`,
      runnerId: manager.runnerId,
      writes: [MANAGERS],
      work: (tx) => heartbeat(tx, manager.id),
    };
  },
});

/** The request's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* heartbeat(tx: Tx, managerId: number): Work<HandlerResult> {
  yield* tx.update(MANAGERS, { contacted_at: tx.now }, eq(col('id'), managerId));
  return { status: 200 };
}
