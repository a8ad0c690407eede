import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { assert } from '../../../src/engine/assert.js';
import { isRunnerType } from '../records.js';
import { rememberRunnerToken } from '../records.js';
import type { RunnersWorld } from '../world.js';
import { boolArg, intArg, natArg } from './args.js';
import { COST_SETTINGS } from '../costSettings.js';
import { RUNNER_TYPE_NAMES, chooseOwners, insertRunner, shardingKeyFor } from './owners.js';

/**
 * A runner that exists before the plan starts. Its sharding key is what GitLab's sharding-key
 * backfill left (docs/semantics.md §a.2): the group or first project for runners with a join row; an orphan is a
 * group or project runner with no join row and so no sharding key.
 */
export const legacyCreateRunner: OperationKind<RunnersWorld> = {
  name: 'legacyCreateRunner',
  description:
    "A runner that exists before the plan, with the sharding key GitLab's backfill left. type: 1 instance, 2 group, 3 project; orphan: a group or project runner without owner rows (for an instance runner: a hosted runner with cost settings); project, group, extraProjects: owners as for createRunner.",
  args: fc.record({
    type: fc.integer({ min: 1, max: 3 }),
    orphan: fc.boolean(),
    project: fc.nat(3),
    extraProjects: fc.integer({ min: 0, max: 2 }),
    group: fc.nat(2),
  }),
  references: { project: 'projects' },
  run(world: RunnersWorld, args: JsonObject) {
    const runnerType = intArg(args, 'type', 1, 3);
    assert(isRunnerType(runnerType), 'type is 1..3');
    const orphan = runnerType !== 1 && boolArg(args, 'orphan');
    const owners = orphan
      ? { namespaceId: null, projectIds: [] }
      : chooseOwners(
          world.db,
          runnerType,
          natArg(args, 'project'),
          natArg(args, 'group'),
          intArg(args, 'extraProjects', 0, 2),
        );
    // Before the sharding-key rollout nothing records the owner on the runner itself.
    const shardingKeyId = world.schemaEra === 'pre-sharding-key' ? null : shardingKeyFor(runnerType, owners);
    // An instance runner has no owner, so its `orphan` draw means something else: whether it is a
    // hosted runner with cost settings (ci_cost_settings). Reusing the draw keeps legacy data's
    // shape, and so every plan's generated scenarios, unchanged.
    const hosted = runnerType === 1 && boolArg(args, 'orphan');
    const id = world.db.transaction((db) => {
      const runnerId = insertRunner(db, runnerType, shardingKeyId, owners);
      if (hosted) db.insert(COST_SETTINGS, { runner_id: runnerId });
      return runnerId;
    });
    world.runnerOrigin.set(id, { step: world.currentStep, legacy: world.buildingLegacy });
    rememberRunnerToken(world, id);
    const ownership = orphan
      ? 'orphan, no owner'
      : hosted
        ? 'hosted, with cost settings'
        : runnerType === 2
          ? `group ${owners.namespaceId}`
          : runnerType === 3
            ? `projects ${owners.projectIds.join(', ')}`
            : 'no owner';
    return { summary: `legacy ${RUNNER_TYPE_NAMES[runnerType]} runner ${id} (${ownership})`, applied: true };
  },
};
