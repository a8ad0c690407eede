import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { assert } from '../../../src/engine/assert.js';
import { isRunnerType } from '../records.js';
import { rememberRunnerToken } from '../records.js';
import { RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import { RUNNER_TYPE_NAMES, chooseOwners, insertRunner, shardingKeyFor } from './owners.js';
import { runRequest } from './request.js';
import { organizationIdFor } from '../organizations.js';

/**
 * `POST /user/runners`: creates a runner with its owners. With `code.populateShardingKey` the
 * runner gets its sharding key (the group, or the first project); older code left it NULL,
 * which the copy's `check_sharding_key_id_nullness` rejects through the sync trigger.
 */
export const createRunner: OperationKind<RunnersWorld> = {
  name: 'createRunner',
  description:
    'POST /user/runners: a runner with its owners; with code.populateShardingKey it gets its sharding key. type: 1 instance, 2 group, 3 project; project, group: owner indexes; extraProjects: further project assignments (0-2).',
  args: fc.record({
    type: fc.integer({ min: 1, max: 3 }),
    project: fc.nat(3),
    group: fc.nat(2),
    extraProjects: fc.integer({ min: 0, max: 2 }),
  }),
  references: { project: 'projects' },
  run(world: RunnersWorld, args: JsonObject) {
    const runnerType = intArg(args, 'type', 1, 3);
    assert(isRunnerType(runnerType), 'type is 1..3');
    const owners = chooseOwners(
      world.db,
      runnerType,
      natArg(args, 'project'),
      natArg(args, 'group'),
      intArg(args, 'extraProjects', 0, 2),
    );
    const shardingKeyId = world.code.populateShardingKey ? shardingKeyFor(runnerType, owners) : null;
    // The application's validations (docs/semantics.md §e) hold by construction here: a project runner has at
    // least one project, a group runner exactly one group, an instance runner neither.
    assert(runnerType !== 3 || owners.projectIds.length > 0, 'a project runner needs a project');
    let createdId: number | null = null;
    const ownership =
      runnerType === 2
        ? ` group ${owners.namespaceId}`
        : runnerType === 3
          ? ` projects ${owners.projectIds.join(', ')}`
          : '';
    const outcome = runRequest(world, {
      endpoint: 'POST /user/runners',
      description: `POST /user/runners ${RUNNER_TYPE_NAMES[runnerType]}${ownership} sharding_key_id ${String(shardingKeyId)}`,
      runnerId: null,
      writes: [RUNNERS],
      handle: (db) => {
        const organization = world.code.populateOrganizationId
          ? { organization_id: organizationIdFor(runnerType, shardingKeyId) }
          : {};
        const id = insertRunner(db, runnerType, shardingKeyId, owners, organization);
        return {
          status: 201,
          note: `runner ${id}`,
          afterCommit: () => {
            createdId = id;
          },
        };
      },
    });
    if (createdId !== null) {
      world.runnerOrigin.set(createdId, { step: world.currentStep, legacy: world.buildingLegacy });
      rememberRunnerToken(world, createdId);
    }
    return outcome;
  },
};
