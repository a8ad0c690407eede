import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { MANAGERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import { RUNNER_REFERENCE } from '../collections.js';

/**
 * A runner manager that exists before the plan, with its runner's type and sharding key copied. In the
 * `pre-sharding-key` schema both are NULL: ci_runner_machines.runner_type was added in 17.5
 * (AddRunnerTypeToCiRunnerManagers, nullable) with the code that writes the key, so managers
 * registered before have neither until BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers fills them.
 */
export const legacyCreateManager: OperationKind<RunnersWorld> = {
  name: 'legacyCreateManager',
  description: 'A runner manager that exists before the plan. runner: index newest first; system: system id s0-s2.',
  args: fc.record({ runner: runnerIndexArbitrary, system: fc.integer({ min: 0, max: 2 }) }),
  references: RUNNER_REFERENCE,
  run(world: RunnersWorld, args: JsonObject) {
    const runner = pickRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return { summary: 'legacy manager: no runner yet', applied: false };
    const systemXid = `s${intArg(args, 'system', 0, 2)}`;
    const { db } = world;
    if (db.rows(MANAGERS).some((row) => row['runner_id'] === runner.id && row['system_xid'] === systemXid)) {
      return { summary: `legacy manager: runner ${runner.id} already has system ${systemXid}`, applied: false };
    }
    db.advanceClock(1);
    // A NULL key is left out, so managers can predate the sharding_key_id column too.
    const shardingKey = runner.shardingKeyId === null ? {} : { sharding_key_id: runner.shardingKeyId };
    const [manager] = db.insert(MANAGERS, {
      runner_id: runner.id,
      ...(world.schemaEra === 'pre-sharding-key' ? {} : { runner_type: runner.runnerType }),
      ...shardingKey,
      system_xid: systemXid,
      contacted_at: db.now,
    });
    return {
      summary: `legacy manager ${String(manager?.['id'])} for runner ${runner.id} system ${systemXid}`,
      applied: true,
    };
  },
};
