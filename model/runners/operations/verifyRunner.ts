import fc from 'fast-check';
import { pickKnownRunner, runnerIndexArbitrary } from '../recency.js';
import { and, col, eq } from '../../../src/index.js';
import type { Database, Row } from '../../../src/index.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { MANAGERS_COPY, RUNNERS_COPY } from '../partitionedCopies.js';
import { RUNNER_PROBES } from '../probes.js';
import { integerField, runnerFromRow } from '../records.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import { notApplied, runRequest } from './request.js';
import type { HandlerResult } from './request.js';
import { KNOWN_RUNNER_REFERENCE } from '../collections.js';
import { mutated } from '../../gitlab/mutations.js';

/**
 * `POST /runners/verify` (docs/semantics.md §d.1–d.2): find the runner by token (403 if none); with
 * `reject_orphaned_runners`, an orphan is refused (403); heartbeat; an orphan is then 422
 * ("Runner is orphaned", UnknownRunnerOwnerError); finally `ensure_manager(system_id)` finds or
 * creates the manager. Creating one first copies the runner into ci_runners_e59bb2812d when the
 * d.2 fix is deployed and the flag is off; the manager INSERT then fires the sync trigger,
 * whose copy INSERT is checked by any FK on the machine copy: the incident's 500.
 */
function managerCopyHasForeignKey(db: Database): boolean {
  if (!db.hasTable(MANAGERS_COPY)) return false;
  const tables = new Set([MANAGERS_COPY, ...db.describe(MANAGERS_COPY).partitions]);
  return db.constraints().some((constraint) => constraint.kind === 'foreignKey' && tables.has(constraint.table));
}

function runnerMissingFromCopy(db: Database, runnerId: number): boolean {
  return db.hasTable(RUNNERS_COPY) && db.select(RUNNERS_COPY, { where: eq(col('id'), runnerId) }).length === 0;
}

/**
 * `ensure_partitioned_runner_record_exists`: `insert_all([attributes], unique_by: [:id, :runner_type])`
 * from the in-memory runner, so a fresh copy takes the in-memory values, and an existing copy is left alone.
 */
function ensurePartitionedRunnerCopy(db: Database, inMemoryRunner: Row): void {
  const columns = db
    .describe(RUNNERS_COPY)
    .columns.map((column) => column.name)
    .filter((name) => name in inMemoryRunner);
  db.insert(RUNNERS_COPY, Object.fromEntries(columns.map((column) => [column, inMemoryRunner[column] ?? null])), {
    onConflict: { target: ['id', 'runner_type'], action: 'nothing' },
  });
}

function verify(world: RunnersWorld, db: Database, token: string, systemXid: string): HandlerResult {
  const [row] = db.select(RUNNERS, { where: eq(col('token'), token) });
  if (row === undefined) return { status: 403, note: 'no runner has this token' };
  const runner = runnerFromRow(row);
  // The orphan check (UnknownRunnerOwnerError) belongs to the code that knows sharding keys.
  const orphan = world.code.populateShardingKey && runner.runnerType !== 1 && runner.shardingKeyId === null;
  const rejectOrphans = world.flagEnabled('reject_orphaned_runners');
  if (rejectOrphans && orphan) {
    world.probes.hit(RUNNER_PROBES.verifyOrphanRunner);
    return { status: 403, note: 'Runner is orphaned' };
  }
  db.update(RUNNERS, { contacted_at: db.now }, eq(col('id'), runner.id));
  const inMemoryRunner: Row = { ...row, contacted_at: db.now };
  if (orphan) {
    world.probes.hit(RUNNER_PROBES.verifyOrphanRunner);
    return { status: 422, note: 'Runner is orphaned' };
  }
  const [manager] = db.select(MANAGERS, {
    where: and(eq(col('runner_id'), runner.id), eq(col('system_xid'), systemXid)),
  });
  if (manager !== undefined) {
    db.update(MANAGERS, { contacted_at: db.now }, eq(col('id'), integerField(manager, 'id')));
    return { status: 200, note: `manager ${integerField(manager, 'id')} heartbeat` };
  }
  if (runnerMissingFromCopy(db, runner.id) && managerCopyHasForeignKey(db))
    world.probes.hit(RUNNER_PROBES.verifyRunnerMissingFromCopy);
  if (
    world.code.ensurePartitionedRunnerCopy &&
    !rejectOrphans &&
    db.hasTable(RUNNERS_COPY) &&
    !mutated('verify-skips-runner-copy')
  )
    ensurePartitionedRunnerCopy(db, inMemoryRunner);
  const shardingKey =
    world.code.populateShardingKey && runner.shardingKeyId !== null ? { sharding_key_id: runner.shardingKeyId } : {};
  const [created] = db.insert(MANAGERS, {
    runner_id: runner.id,
    runner_type: runner.runnerType,
    ...shardingKey,
    system_xid: systemXid,
    contacted_at: db.now,
  });
  return { status: 200, note: `created manager ${String(created?.['id'])}` };
}

export const verifyRunner: OperationKind<RunnersWorld> = {
  name: 'verifyRunner',
  description:
    'POST /runners/verify: finds the runner by token, heartbeats it and ensures its manager for system_id, creating it (and copying the runner when the d.2 fix is deployed). runner: index newest first; system: system id s0-s2.',
  args: fc.record({ runner: runnerIndexArbitrary, system: fc.integer({ min: 0, max: 2 }) }),
  references: KNOWN_RUNNER_REFERENCE,
  run(world: RunnersWorld, args: JsonObject) {
    const runner = pickKnownRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('POST /runners/verify', 'no runner with a token yet');
    const token = runner.token;
    const systemXid = `s${intArg(args, 'system', 0, 2)}`;
    return runRequest(world, {
      endpoint: 'POST /runners/verify',
      description: `POST /runners/verify runner ${runner.id} system_id ${systemXid}`,
      runnerId: runner.id,
      writes: [RUNNERS, MANAGERS],
      handle: (db) => verify(world, db, token, systemXid),
    });
  },
};
