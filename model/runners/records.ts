import type { Database, Row, SqlValue } from '../../src/index.js';
import { integerField, nullableIntegerField } from '../gitlab/rowFields.js';
import { assert, fail } from '../../src/engine/assert.js';
import { col, eq } from '../../src/index.js';
import { MANAGERS, PROJECTS, RUNNERS, RUNNER_PROJECTS } from './schema.js';
import type { RunnerType } from './partitionedCopies.js';

export { integerField, nullableIntegerField } from '../gitlab/rowFields.js';

/**
 * Typed views of the rows the application reads. Rows are read straight from the heaps
 * (`db.rows`), which is what resolving a generated index into live state needs: no statement,
 * no locks, always the committed state between steps.
 */
export interface RunnerRecord {
  readonly id: number;
  readonly runnerType: RunnerType;
  readonly shardingKeyId: number | null;
  readonly token: string | null;
  readonly contactedAt: number | null;
}

export interface ManagerRecord {
  readonly id: number;
  readonly runnerId: number;
  readonly runnerType: number | null;
  readonly systemXid: string;
}

function nullableTextField(row: Row, column: string): string | null {
  const value = row[column];
  // Formatted only on failure (`fail`): the model reads rows' fields on every request.
  if (value !== null && typeof value !== 'string')
    fail(`column ${column} should hold text or NULL, got ${String(value)}`);
  return value;
}

export function isRunnerType(value: number): value is RunnerType {
  return value === 1 || value === 2 || value === 3;
}

export function runnerFromRow(row: Row): RunnerRecord {
  const runnerType = integerField(row, 'runner_type');
  if (!isRunnerType(runnerType)) fail(`runner ${String(row['id'])} has unknown runner_type ${runnerType}`);
  // Before the sharding-key rollout the column does not exist; such a runner has no key yet.
  const shardingKeyId = 'sharding_key_id' in row ? nullableIntegerField(row, 'sharding_key_id') : null;
  return {
    id: integerField(row, 'id'),
    runnerType,
    shardingKeyId,
    token: nullableTextField(row, 'token'),
    contactedAt: nullableIntegerField(row, 'contacted_at'),
  };
}

function managerFromRow(row: Row): ManagerRecord {
  const systemXid = row['system_xid'];
  assert(typeof systemXid === 'string', 'system_xid is NOT NULL text');
  return {
    id: integerField(row, 'id'),
    runnerId: integerField(row, 'runner_id'),
    runnerType: nullableIntegerField(row, 'runner_type'),
    systemXid,
  };
}

const byId = <T extends { readonly id: number }>(left: T, right: T): number => left.id - right.id;

export function liveRunners(db: Database): RunnerRecord[] {
  return db.rows(RUNNERS).map(runnerFromRow).sort(byId);
}

export function liveManagers(db: Database): ManagerRecord[] {
  return db.rows(MANAGERS).map(managerFromRow).sort(byId);
}

export function liveProjectIds(db: Database): number[] {
  return db
    .rows(PROJECTS)
    .map((row) => integerField(row, 'id'))
    .sort((left, right) => left - right);
}

/** A runner's project assignments (ci_runner_projects rows), lowest id first. */
export function runnerProjectRows(
  db: Database,
  runnerId: number,
): { readonly id: number; readonly projectId: number }[] {
  return db
    .rows(RUNNER_PROJECTS)
    .filter((row) => row['runner_id'] === runnerId)
    .map((row) => ({ id: integerField(row, 'id'), projectId: integerField(row, 'project_id') }))
    .sort(byId);
}

/** The (k mod n)-th item, so any generated index names a live object and shrinking stays valid. */
export function pickByIndex<T>(items: readonly T[], index: number): T | undefined {
  if (!Number.isSafeInteger(index) || index < 0) fail(`an index argument must be a natural number, got ${index}`);
  return items.length === 0 ? undefined : items[index % items.length];
}

/**
 * Remembers a runner the application created as a runner process would: by its token, read
 * back from the row (`ensure_unique_id` may have replaced the id the token was made from).
 */
export function rememberRunnerToken(
  world: { readonly db: Database; readonly runnerTokens: Map<number, string> },
  runnerId: number,
): void {
  const [row] = world.db.select(RUNNERS, { where: eq(col('id'), runnerId) });
  const token = row?.['token'];
  if (typeof token === 'string') world.runnerTokens.set(runnerId, token);
}

/** Forgets the runner holding `token` (deleted through the API: its runner process is told to stop). */
export function forgetRunnerToken(
  world: { readonly runnerTokens: Map<number, string> },
  token: SqlValue | undefined,
): void {
  for (const [id, known] of world.runnerTokens) if (known === token) world.runnerTokens.delete(id);
}
