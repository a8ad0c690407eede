import { expect } from 'vitest';
import type { JsonObject, OperationOutcome } from '../../src/harness/domain.js';
import { runnerLegacyOperations, runnerTrafficOperations } from '../../model/runners/operations/index.js';
import { runnerSteps } from '../../model/runners/steps/index.js';
import { createRunnersWorld } from '../../model/runners/world.js';
import type { ApiResponse, RunnersWorld } from '../../model/runners/world.js';
import { RUNNER_TYPES } from '../../model/runners/partitionedCopies.js';

/** Runs a plan step by name after validating its parameters, as the harness does. */
export function step(world: RunnersWorld, name: string, parameters: JsonObject): OperationOutcome {
  const kind = runnerSteps.get(name);
  if (kind === undefined) throw new Error(`no step ${name}`);
  expect(kind.validate(parameters)).toBeNull();
  return kind.run(world, parameters);
}

/** Runs an operation (legacy or traffic) by name. */
export function op(world: RunnersWorld, name: string, args: JsonObject): OperationOutcome {
  const kind = [...runnerLegacyOperations, ...runnerTrafficOperations].find((candidate) => candidate.name === name);
  if (kind === undefined) throw new Error(`no operation ${name}`);
  // Legacy operations run while the harness is building pre-plan data, as in runScenario.
  world.buildingLegacy = runnerLegacyOperations.includes(kind);
  try {
    return kind.run(world, args);
  } finally {
    world.buildingLegacy = false;
  }
}

export function lastResponse(world: RunnersWorld): ApiResponse {
  const response = world.responses[world.responses.length - 1];
  if (response === undefined) throw new Error('no response yet');
  return response;
}

export function ids(world: RunnersWorld, table: string): number[] {
  return world.db
    .rows(table)
    .map((row) => Number(row['id']))
    .sort((left, right) => left - right);
}

export function newWorld(settings: JsonObject = {}): RunnersWorld {
  return createRunnersWorld(settings);
}

/** Plan steps 0.. : partitions both tables (runner copy first, as GitLab did). */
export function partitionBoth(world: RunnersWorld): void {
  world.currentStep = 0;
  step(world, 'partition_table_by_list', { table: 'ci_runners' });
  world.currentStep = 1;
  step(world, 'partition_table_by_list', { table: 'ci_runner_machines' });
}

/** AddFkFromPartitionedCiRunnerManagersToPartitionedCiRunners (17.6): the FK on each machine partition. */
export function addPerPartitionManagerFk(world: RunnersWorld, validate: boolean): void {
  for (const { name } of RUNNER_TYPES) {
    step(world, 'add_concurrent_foreign_key', {
      source: `${name}_ci_runner_machines_687967fa8a`,
      target: `${name}_ci_runners_e59bb2812d`,
      columns: ['runner_id', 'runner_type'],
      targetColumns: ['id', 'runner_type'],
      name: 'fk_rails_3f92913d27',
      onUpdate: 'cascade',
      onDelete: 'cascade',
      validate,
    });
  }
}
