import fc from 'fast-check';
import { col, eq } from '../../../src/index.js';
import type { Assignments, Database } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { assert } from '../../../src/engine/assert.js';
import { COST_SETTINGS } from '../costSettings.js';
import { MANAGERS_COPY, RUNNERS_COPY } from '../partitionedCopies.js';
import { organizationIdFor } from '../organizations.js';
import { pickRunner, runnerIndexArbitrary } from '../recency.js';
import { integerField, isRunnerType, runnerFromRow } from '../records.js';
import { RUNNER_PROBES_ROLLOUT } from '../rolloutProbes.js';
import { MANAGERS, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS } from '../schema.js';
import { RUNNER_TAGGINGS } from '../taggings/taggingsSchema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import { RUNNER_TYPE_NAMES, chooseOwners, shardingKeyFor } from './owners.js';
import { notApplied, runRequest } from './request.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * An administrator changes a runner's type (`PUT /admin/runners/:id`): the assignments that no
 * longer fit go (project links, the group link, cost settings of a hosted runner), the runner
 * gets its new type, owner key and organization, the new owner link is added, and its managers'
 * denormalized type and key follow (docs/semantics.md, invariant 11). On the copies a type change is a row
 * moving partition, which a per-partition FK sees as a DELETE (docs/semantics.md, invariant 16, docs/pg-checks/t2_sync_trigger.sql H).
 */
function copyManagerIds(db: Database, runnerId: number): number[] {
  if (!db.hasTable(MANAGERS_COPY)) return [];
  return db.select(MANAGERS_COPY, { where: eq(col('runner_id'), runnerId) }).map((row) => integerField(row, 'id'));
}

export const changeRunnerType: OperationKind<RunnersWorld> = {
  name: 'changeRunnerType',
  description:
    'PUT /admin/runners/:id changing runner_type: assignments that no longer fit go, the runner gets its new type, owner key and organization, its managers follow. runner: index newest first; type: 1 instance, 2 group, 3 project; project, group: indexes of the new owner.',
  args: fc.record({
    runner: runnerIndexArbitrary,
    type: fc.integer({ min: 1, max: 3 }),
    project: fc.nat(3),
    group: fc.nat(2),
  }),
  references: { runner: 'runners', project: 'projects' },
  run(world: RunnersWorld, args: JsonObject) {
    const picked = pickRunner(world, natArg(args, 'runner'));
    const newType = intArg(args, 'type', 1, 3);
    assert(isRunnerType(newType), 'type is 1..3');
    if (picked === undefined) return notApplied('PUT /admin/runners/:id', 'no runner yet');
    const lost: number[] = [];
    const outcome = runRequest(world, {
      endpoint: 'PUT /admin/runners/:id',
      description: `PUT /admin/runners/${picked.id} runner_type ${RUNNER_TYPE_NAMES[newType]}`,
      runnerId: picked.id,
      writes: [RUNNERS, MANAGERS],
      handle: (db) => {
        const [row] = db.select(RUNNERS, { where: eq(col('id'), picked.id) });
        if (row === undefined) return { status: 422, note: 'runner not found' };
        const runner = runnerFromRow(row);
        if (runner.runnerType === newType)
          return { status: 422, note: `runner is already ${RUNNER_TYPE_NAMES[newType]}` };
        const inCopy =
          db.hasTable(RUNNERS_COPY) && db.select(RUNNERS_COPY, { where: eq(col('id'), runner.id) }).length > 0;
        const managersBefore = copyManagerIds(db, runner.id);
        const owners = chooseOwners(db, newType, natArg(args, 'project'), natArg(args, 'group'), 0);
        const shardingKeyId = shardingKeyFor(newType, owners);
        const keepsOld = mutated('type-change-keeps-old-assignments');
        if (runner.runnerType === 3 && !keepsOld) db.delete(RUNNER_PROJECTS, eq(col('runner_id'), runner.id));
        if (runner.runnerType === 2 && !keepsOld) db.delete(RUNNER_NAMESPACES, eq(col('runner_id'), runner.id));
        if (runner.runnerType === 1 && !keepsOld) db.delete(COST_SETTINGS, eq(col('runner_id'), runner.id));
        const keys: Assignments =
          world.code.populateShardingKey && !mutated('type-change-keeps-sharding-key')
            ? { sharding_key_id: shardingKeyId }
            : {};
        const organization: Assignments =
          world.code.populateOrganizationId && !mutated('type-change-keeps-organization')
            ? { organization_id: organizationIdFor(newType, shardingKeyId) }
            : {};
        db.update(RUNNERS, { runner_type: newType, ...keys, ...organization }, eq(col('id'), runner.id));
        if (owners.namespaceId !== null)
          db.insert(RUNNER_NAMESPACES, { runner_id: runner.id, namespace_id: owners.namespaceId });
        for (const projectId of owners.projectIds)
          db.insert(RUNNER_PROJECTS, { runner_id: runner.id, project_id: projectId });
        if (!mutated('type-change-forgets-managers'))
          db.update(MANAGERS, { runner_type: newType, ...keys }, eq(col('runner_id'), runner.id));
        // Taggings carry the same denormalized type and key (docs/semantics.md, invariant 11); the new
        // type moves them to its partition.
        if (!mutated('type-change-forgets-taggings'))
          db.update(RUNNER_TAGGINGS, { runner_type: newType, ...keys }, eq(col('runner_id'), runner.id));
        const after = new Set(copyManagerIds(db, runner.id));
        lost.push(...managersBefore.filter((id) => !after.has(id)));
        return {
          status: 200,
          note: `${RUNNER_TYPE_NAMES[runner.runnerType]} → ${RUNNER_TYPE_NAMES[newType]}`,
          afterCommit: () => {
            if (inCopy) world.probes.hit(RUNNER_PROBES_ROLLOUT.copyRunnerMovedPartition);
            if (lost.length > 0) world.probes.hit(RUNNER_PROBES_ROLLOUT.copyManagersCascadedAway);
            world.runnerTypeChanges.push({
              runnerId: runner.id,
              from: runner.runnerType,
              to: newType,
              step: world.currentStep,
              lostCopyManagers: [...lost],
            });
          },
        };
      },
    });
    return outcome;
  },
};
