import { causeOfWrongOwner } from '../model/runners/knownRaces.js';
import type { Invariant, Violation } from '../src/harness/domain.js';
import type { Row } from '../src/engine/values.js';
import { diffSnapshots } from '../src/harness/snapshotDiff.js';
import { executeOwnerService } from '../model/runners/ownerRecalculation/updateProjectRunnersOwnerService.js';
import { RUNNERS, RUNNER_PROJECTS } from '../model/runners/schema.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { violation } from './violation.js';
import { formatSql } from '../src/engine/sqlText.js';
import { deletedProject, projectsServiced } from '../model/runners/ownerRecalculation/projectDeletedEvents.js';

/**
 * The owner rule of project runners (docs/semantics.md §e, § invariants 12–13), checked at quiescence, when every
 * ProjectDeletedEvent has been handled and the LFK worker has removed assignments to deleted
 * projects. Runners without a sharding key are the legacy orphans of docs/semantics.md §h.3, which other
 * migrations repair; they are left out here.
 */
export const OWNER_IS_LOWEST_RUNNER_PROJECT = 'owner-is-lowest-runner-project';
export const NO_ORPHAN_PROJECT_RUNNERS = 'no-orphan-project-runners';
export const OWNER_SERVICE_IDEMPOTENT = 'owner-service-idempotent';

interface OwnedProjectRunner {
  readonly id: number;
  readonly shardingKeyId: number;
}

function ownedProjectRunners(world: RunnersWorld): OwnedProjectRunner[] {
  return world.db
    .rows(RUNNERS)
    .filter((row) => row['runner_type'] === 3 && typeof row['sharding_key_id'] === 'number')
    .map((row) => ({ id: row['id'] as number, shardingKeyId: row['sharding_key_id'] as number }))
    .sort((left, right) => left.id - right.id);
}

/** Runner id → its lowest-id ci_runner_projects row. */
function lowestAssignments(world: RunnersWorld): Map<number, Row> {
  const lowest = new Map<number, Row>();
  for (const row of world.db.rows(RUNNER_PROJECTS)) {
    const current = lowest.get(row['runner_id'] as number);
    if (current === undefined || (row['id'] as number) < (current['id'] as number))
      lowest.set(row['runner_id'] as number, row);
  }
  return lowest;
}

/** The first runner whose owner is not its lowest assignment, preferring one no known race explains. */
function checkOwnerIsLowest(world: RunnersWorld): Violation | null {
  const lowest = lowestAssignments(world);
  let caused: Violation | null = null;
  for (const runner of ownedProjectRunners(world)) {
    const assignment = lowest.get(runner.id);
    if (assignment === undefined || assignment['project_id'] === runner.shardingKeyId) continue;
    const found = violation(
      OWNER_IS_LOWEST_RUNNER_PROJECT,
      `project runner ${runner.id} has sharding_key_id ${runner.shardingKeyId}, but its lowest-id ci_runner_projects row (id ${String(assignment['id'])}) is for project ${String(assignment['project_id'])}`,
    );
    const cause = causeOfWrongOwner(runner.id, runner.shardingKeyId, world.lostOwnerUpdates);
    if (cause === undefined) return found;
    caused ??= { ...found, cause };
  }
  return caused;
}

function checkNoOrphans(world: RunnersWorld): Violation | null {
  const lowest = lowestAssignments(world);
  for (const runner of ownedProjectRunners(world)) {
    const deleted = deletedProject(world.ownerEvents, runner.shardingKeyId);
    if (deleted !== undefined)
      return violation(
        NO_ORPHAN_PROJECT_RUNNERS,
        `project runner ${runner.id} is still owned by project ${runner.shardingKeyId}, which was deleted at step ${deleted.step}`,
      );
    if (!lowest.has(runner.id))
      return violation(
        NO_ORPHAN_PROJECT_RUNNERS,
        `project runner ${runner.id} (sharding_key_id ${runner.shardingKeyId}) has no ci_runner_projects row left`,
      );
  }
  return null;
}

/**
 * Re-runs the whole service for every project it has completed for, inside a transaction that
 * is rolled back, and reports the first change: an idempotent service changes nothing.
 */
function checkIdempotent(world: RunnersWorld): Violation | null {
  const { db } = world;
  for (const projectId of projectsServiced(world.ownerEvents)) {
    const before = db.snapshot();
    db.begin();
    let changed: string | null = null;
    try {
      executeOwnerService(db, projectId, world.workers.ownerServiceBatchSize);
      const change = diffSnapshots(before, db.snapshot())[0];
      if (change !== undefined)
        changed = `${change.table} (${change.rows.length} row${change.rows.length === 1 ? '' : 's'})`;
    } finally {
      db.rollback();
    }
    if (changed !== null)
      return violation(
        OWNER_SERVICE_IDEMPOTENT,
        `running UpdateProjectRunnersOwnerService again for project ${projectId} changed ${changed}`,
      );
  }
  return null;
}

/**
 * What a second run of the service for a project it completed would change, as a query: its pre-clean
 * deletes the project's ci_runner_projects rows and its batches re-own or delete the project runners
 * still owned by it (their managers and taggings follow those runners), so a row here is a change.
 */
function idempotenceCheckSql(world: RunnersWorld): string | null {
  const serviced = projectsServiced(world.ownerEvents);
  if (serviced.length === 0 || !world.db.hasTable(RUNNERS) || !world.db.hasTable(RUNNER_PROJECTS)) return null;
  const projects = serviced.map((projectId) => formatSql('%L', projectId)).join(', ');
  return formatSql(
    `SELECT %L AS table_name, p.id FROM %I p WHERE p.project_id IN (${projects}) ` +
      `UNION ALL SELECT %L, r.id FROM %I r WHERE r.runner_type = 3 AND r.sharding_key_id IN (${projects}) ORDER BY 1, 2`,
    RUNNER_PROJECTS,
    RUNNER_PROJECTS,
    RUNNERS,
    RUNNERS,
  );
}

export const ownerInvariants: readonly Invariant<RunnersWorld>[] = [
  {
    id: OWNER_IS_LOWEST_RUNNER_PROJECT,
    sentence:
      "Every project runner's sharding_key_id is the project of its lowest-id ci_runner_projects row (docs/semantics.md §e).",
    scope: 'quiescence',
    check: checkOwnerIsLowest,
    checkSql: (world) =>
      world.db.hasTable(RUNNERS) && world.db.hasTable(RUNNER_PROJECTS)
        ? formatSql(
            'SELECT r.id, r.sharding_key_id, lowest.id AS lowest_assignment, lowest.project_id FROM %I r ' +
              'JOIN LATERAL (SELECT p.id, p.project_id FROM %I p WHERE p.runner_id = r.id ORDER BY p.id LIMIT 1) lowest ' +
              'ON true WHERE r.runner_type = 3 AND r.sharding_key_id IS NOT NULL ' +
              'AND lowest.project_id IS DISTINCT FROM r.sharding_key_id ORDER BY r.id',
            RUNNERS,
            RUNNER_PROJECTS,
          )
        : null,
  },
  {
    id: NO_ORPHAN_PROJECT_RUNNERS,
    sentence:
      'No project runner is owned by a deleted project or left without any ci_runner_projects row (docs/semantics.md, invariant 12).',
    scope: 'quiescence',
    check: checkNoOrphans,
  },
  {
    id: OWNER_SERVICE_IDEMPOTENT,
    sentence:
      'Running UpdateProjectRunnersOwnerService again for a project it has handled changes nothing (docs/semantics.md, invariant 13).',
    scope: 'quiescence',
    check: checkIdempotent,
    checkSql: idempotenceCheckSql,
  },
];
