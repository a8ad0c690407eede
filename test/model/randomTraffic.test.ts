import fc from 'fast-check';
import { expect, test } from 'vitest';
import { isPgError } from '../../src/index.js';
import type { JsonObject } from '../../src/harness/domain.js';
import { drainRunnersWorld } from '../../model/runners/drain.js';
import {
  backgroundOperationNames,
  runnerLegacyOperations,
  runnerTrafficOperations,
} from '../../model/runners/operations/index.js';
import { renderSyncFunctionBody } from '../../model/gitlab/syncTrigger.js';
import { newWorld, step } from './runnersHelpers.js';

/** The rollout the model was built for, in GitLab's order but with the FK added too early. */
const PLAN: readonly [string, JsonObject][] = [
  ['partition_table_by_list', { table: 'ci_runners' }],
  ['partition_table_by_list', { table: 'ci_runner_machines' }],
  ['enqueue_partitioning_data_migration', { table: 'ci_runners' }],
  ['enqueue_partitioning_data_migration', { table: 'ci_runner_machines' }],
  [
    'add_concurrent_partitioned_foreign_key',
    {
      source: 'ci_runner_machines_687967fa8a',
      target: 'ci_runners_e59bb2812d',
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
      validate: false,
    },
  ],
  ['enqueue_background_migration', { migration: 'DeleteOrphanedPartitionedCiRunnerMachineRecords' }],
  ['deploy_code', { ensurePartitionedRunnerCopy: true }],
];

const call = (kinds: typeof runnerTrafficOperations) =>
  fc.oneof(...kinds.map((kind) => kind.args.map((args) => ({ kind, args }))));

test('random traffic around the plan never crashes the model, and every request is answered once', () => {
  fc.assert(
    fc.property(
      fc.array(call(runnerLegacyOperations), { maxLength: 8 }),
      fc.array(fc.oneof(call(runnerTrafficOperations), fc.constant(null)), { maxLength: 30 }),
      (legacy, traffic) => {
        // Every optional workload too, so project deletion, tagging and both workers meet the plan.
        const world = newWorld({
          workloads: ['projectDeletion', 'tagging'],
          flags: { update_project_runners_owner: true },
        });
        for (const { kind, args } of legacy) kind.run(world, args);
        let planCursor = 0;
        let requests = 0;
        traffic.forEach((item, index) => {
          world.currentStep = index;
          if (item === null) {
            const next = PLAN[planCursor++];
            if (next === undefined) return;
            try {
              step(world, next[0], next[1]);
            } catch (error) {
              if (!isPgError(error)) throw error;
            }
            return;
          }
          const before = world.responses.length;
          const outcome = item.kind.run(world, item.args);
          const isRequest = !backgroundOperationNames.includes(item.kind.name) && outcome.applied;
          if (isRequest) requests++;
          expect(world.responses.length - before).toBe(isRequest ? 1 : 0);
        });
        drainRunnersWorld(world);
        expect(world.responses).toHaveLength(requests);
        expect(world.bookkeeping.migrations.every((migration) => migration.status !== 'active')).toBe(true);
      },
    ),
    { numRuns: 200, seed: 42 },
  );
});

test('the rendered sync function has GitLab’s shape', () => {
  const body = renderSyncFunctionBody({
    source: 'ci_runners',
    copy: 'ci_runners_e59bb2812d',
    columns: ['id', 'runner_type', 'sharding_key_id'],
    triggerName: 't',
    functionName: 'f',
  });
  expect(body).toBe(
    [
      'BEGIN',
      "IF (TG_OP = 'DELETE') THEN",
      '  DELETE FROM ci_runners_e59bb2812d where "id" = OLD."id";',
      "ELSIF (TG_OP = 'UPDATE') THEN",
      '  UPDATE ci_runners_e59bb2812d',
      '  SET "runner_type" = NEW."runner_type",',
      '    "sharding_key_id" = NEW."sharding_key_id"',
      '  WHERE ci_runners_e59bb2812d."id" = NEW."id";',
      "ELSIF (TG_OP = 'INSERT') THEN",
      '  INSERT INTO ci_runners_e59bb2812d ("id",',
      '    "runner_type",',
      '    "sharding_key_id")',
      '  VALUES (NEW."id",',
      '    NEW."runner_type",',
      '    NEW."sharding_key_id");',
      'END IF;',
      'RETURN NULL;',
      '',
      'END',
    ].join('\n'),
  );
});
