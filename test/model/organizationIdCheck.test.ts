import { describe, expect, test } from 'vitest';
import { PgError, col, eq } from '../../src/index.js';
import type { JsonValue } from '../../src/harness/json.js';
import { nullnessByRunnerType } from '../../model/runners/organizations.js';
import { lastResponse, newWorld, op, step } from './runnersHelpers.js';

const CHECK: JsonValue = {
  or: [
    { and: [{ eq: ['runner_type', 1] }, { isNull: 'organization_id' }] },
    { and: [{ ne: ['runner_type', 1] }, { isNotNull: 'organization_id' }] },
  ],
};

function withLegacyGroupRunner() {
  const world = newWorld();
  op(world, 'legacyCreateRunner', { type: 2, orphan: false, project: 0, extraProjects: 0, group: 0 });
  step(world, 'add_column', { table: 'ci_runners', column: 'organization_id', type: 'bigint' });
  step(world, 'deploy_code', { populateOrganizationId: true });
  return world;
}

describe('check_organization_id_nullness added NOT VALID', () => {
  test('tolerates the old row until it is updated: a heartbeat of it fails (docs/semantics.md §c.3)', () => {
    const world = withLegacyGroupRunner();
    step(world, 'add_check_constraint', {
      table: 'ci_runners',
      name: 'check_organization_id_nullness',
      expr: CHECK,
      validate: false,
    });
    expect(world.db.constraint('ci_runners', 'check_organization_id_nullness').valid).toBe(false);
    op(world, 'runnerHeartbeat', { runner: 0 });
    expect(lastResponse(world).status).toBe(500);
    expect(lastResponse(world).error?.constraint).toBe('check_organization_id_nullness');
    // New runners get the column from the deployed code and pass; deleting the old row is allowed.
    op(world, 'createRunner', { type: 3, project: 0, group: 0, extraProjects: 0 });
    expect(lastResponse(world).status).toBe(201);
    expect(world.db.delete('ci_runners', eq(col('id'), 1))).toHaveLength(1);
  });

  test('VALIDATE fails before the backfill and succeeds after it', () => {
    const world = withLegacyGroupRunner();
    step(world, 'add_check_constraint', {
      table: 'ci_runners',
      name: 'check_organization_id_nullness',
      expr: CHECK,
      validate: false,
    });
    expect(() =>
      step(world, 'validate_check_constraint', { table: 'ci_runners', name: 'check_organization_id_nullness' }),
    ).toThrow(PgError);
    expect(world.db.constraint('ci_runners', 'check_organization_id_nullness').valid).toBe(false);
    step(world, 'enqueue_background_migration', { migration: 'BackfillOrganizationIdOnCiRunners' });
    step(world, 'finalize_background_migration', { migration: 'BackfillOrganizationIdOnCiRunners' });
    step(world, 'validate_check_constraint', { table: 'ci_runners', name: 'check_organization_id_nullness' });
    expect(world.db.constraint('ci_runners', 'check_organization_id_nullness').valid).toBe(true);
    op(world, 'runnerHeartbeat', { runner: 0 });
    expect(lastResponse(world).status).toBe(200);
  });

  test('the plan JSON and the model helper describe the same CHECK', () => {
    const world = withLegacyGroupRunner();
    step(world, 'add_check_constraint', {
      table: 'ci_runners',
      name: 'check_organization_id_nullness',
      expr: CHECK,
      validate: false,
    });
    world.db.addConstraint('ci_runners', {
      kind: 'check',
      name: 'check_from_helper',
      expr: nullnessByRunnerType('organization_id'),
      notValid: true,
    });
    expect(world.db.constraint('ci_runners', 'check_from_helper').checkSql).toBe(
      world.db.constraint('ci_runners', 'check_organization_id_nullness').checkSql,
    );
  });
});
