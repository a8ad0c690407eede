import type { Database, RowInput } from '../../../src/index.js';
import { assert } from '../../../src/engine/assert.js';
import { integerField, liveProjectIds, pickByIndex } from '../records.js';
import type { RunnerType } from '../partitionedCopies.js';
import { NAMESPACES, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS, runnerToken } from '../schema.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * Who owns a new runner: a group runner belongs to one namespace, a project runner to one or
 * more projects (the first is its owner, `sharding_key_id`), an instance runner to nobody.
 */
export interface RunnerOwners {
  readonly namespaceId: number | null;
  /** Distinct project ids, the owner first. */
  readonly projectIds: readonly number[];
}

export function chooseOwners(
  db: Database,
  runnerType: RunnerType,
  projectIndex: number,
  groupIndex: number,
  extraProjects: number,
): RunnerOwners {
  if (runnerType === 1) return { namespaceId: null, projectIds: [] };
  if (runnerType === 2) {
    const namespaceId = pickByIndex(
      db
        .rows(NAMESPACES)
        .map((row) => integerField(row, 'id'))
        .sort((left, right) => left - right),
      groupIndex,
    );
    assert(namespaceId !== undefined, 'the world always has namespaces');
    return { namespaceId, projectIds: [] };
  }
  const projects = liveProjectIds(db);
  assert(projects.length > 0, 'the world always has projects');
  const count = Math.min(1 + extraProjects, projects.length);
  const projectIds = Array.from({ length: count }, (_, offset) => projects[(projectIndex + offset) % projects.length]!);
  return { namespaceId: null, projectIds };
}

/** The sharding key GitLab derives from the owners: the group, or the first project. */
export function shardingKeyFor(runnerType: RunnerType, owners: RunnerOwners): number | null {
  if (runnerType === 2) return owners.namespaceId;
  if (runnerType === 3)
    return (mutated('runner-sharding-key-last-project') ? owners.projectIds.at(-1) : owners.projectIds[0]) ?? null;
  return null;
}

/**
 * INSERT the runner (id from its sequence, so the token can carry it) and its join rows; returns
 * the id the row got. A NULL sharding key is left out of the statement, as code that predates
 * the column writes it; `ensure_unique_id` may replace the requested id, so the join rows use
 * the returned one.
 */
export function insertRunner(
  db: Database,
  runnerType: RunnerType,
  shardingKeyId: number | null,
  owners: RunnerOwners,
  extraColumns: RowInput = {},
): number {
  const requestedId = db.nextval(`${RUNNERS}_id_seq`);
  const [inserted] = db.insert(RUNNERS, {
    id: requestedId,
    runner_type: runnerType,
    ...(shardingKeyId === null ? {} : { sharding_key_id: shardingKeyId }),
    token: runnerToken(runnerType, requestedId),
    contacted_at: null,
    ...extraColumns,
  });
  assert(inserted !== undefined, 'an INSERT without ON CONFLICT returns its row');
  const id = mutated('create-runner-joins-requested-id') ? requestedId : integerField(inserted, 'id');
  if (owners.namespaceId !== null) db.insert(RUNNER_NAMESPACES, { runner_id: id, namespace_id: owners.namespaceId });
  for (const projectId of owners.projectIds) db.insert(RUNNER_PROJECTS, { runner_id: id, project_id: projectId });
  return id;
}

export const RUNNER_TYPE_NAMES: Readonly<Record<RunnerType, string>> = { 1: 'instance', 2: 'group', 3: 'project' };
