import fc from 'fast-check';
import { pickKnownRunner, runnerIndexArbitrary } from '../recency.js';
import { SqlState, and, col, eq, isPgError } from '../../../src/index.js';
import type { CatalogView, PgError, Row, Tx, Work } from '../../../src/index.js';
import { assert } from '../../../src/engine/assert.js';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { MANAGERS_COPY, RUNNERS_COPY } from '../partitionedCopies.js';
import { RUNNER_PROBES } from '../probes.js';
import { integerField, runnerFromRow } from '../records.js';
import type { RunnerRecord } from '../records.js';
import { MANAGERS, RUNNERS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { intArg, natArg } from './args.js';
import { notApplied, requestOperation } from './request.js';
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
function managerCopyHasForeignKey(catalog: CatalogView): boolean {
  if (!catalog.hasTable(MANAGERS_COPY)) return false;
  const tables = new Set([MANAGERS_COPY, ...catalog.describe(MANAGERS_COPY).partitions]);
  return catalog.constraints().some((constraint) => constraint.kind === 'foreignKey' && tables.has(constraint.table));
}

/**
 * For the `verify-runner-missing-from-copy` probe only: GitLab sends no such read. The catalog is
 * checked first, so the read happens only once the machine copy has a foreign key.
 */
function* runnerMissingFromCopy(tx: Tx, runnerId: number): Work<boolean> {
  if (!tx.catalog.hasTable(RUNNERS_COPY) || !managerCopyHasForeignKey(tx.catalog)) return false;
  return (yield* tx.select(RUNNERS_COPY, { where: eq(col('id'), runnerId) })).length === 0;
}

/**
 * `ensure_partitioned_runner_record_exists`: `insert_all([attributes], unique_by: [:id, :runner_type])`
 * from the in-memory runner, so a fresh copy takes the in-memory values, and an existing copy is left alone.
 */
function* ensurePartitionedRunnerCopy(tx: Tx, inMemoryRunner: Row): Work<Row | null> {
  const columns = tx.catalog
    .describe(RUNNERS_COPY)
    .columns.map((column) => column.name)
    .filter((name) => name in inMemoryRunner);
  const [inserted] = yield* tx.insert(
    RUNNERS_COPY,
    Object.fromEntries(columns.map((column) => [column, inMemoryRunner[column] ?? null])),
    mutated('ensure-copy-without-on-conflict')
      ? {}
      : { onConflict: { target: ['id', 'runner_type'], action: 'nothing' } },
  );
  return inserted ?? null;
}

/**
 * After verify committed a copy row it inserted: when the committed runner already differs from
 * it, and also from the runner as this request left it (`requestView`: the row it loaded with the
 * heartbeat it wrote), another session's write committed between verify's read and its commit that
 * the sync trigger could not carry (the copy row was not there, or not yet committed), so the world
 * records the race's copy row (knownRaces.ts). A copy that differs from what the request itself
 * wrote is no race but verify copying the wrong attributes, and gets no cause. In a serial run the
 * runner never differs from the request's view at this point.
 */
function recordEnsuredCopy(world: RunnersWorld, copy: Row, requestView: Row): void {
  const runner = world.db.rows(RUNNERS).find((row) => row.id === copy.id);
  const differs = (left: Row, right: Row): boolean =>
    Object.keys(copy).some((column) => column in left && column in right && left[column] !== right[column]);
  const stale = runner !== undefined && differs(runner, copy) && differs(runner, requestView);
  let ensured = world.ensuredCopies.get(RUNNERS_COPY);
  if (ensured === undefined) {
    ensured = new Map();
    world.ensuredCopies.set(RUNNERS_COPY, ensured);
  }
  if (stale) ensured.set(copy.id as number, copy);
  else ensured.delete(copy.id as number);
}

type EnsuredManager =
  | { readonly kind: 'found'; readonly id: number }
  | { readonly kind: 'created'; readonly id: number; readonly ensuredCopy: Row | null }
  /** Every attempt raised RecordNotUnique; `error` is the last one, which the response names. */
  | { readonly kind: 'notFound'; readonly error: PgError; readonly attempts: number };

/**
 * `Ci::Runner#ensure_manager`, i.e. `RunnerManager.safe_find_or_create_by!(runner_id:, system_xid:)`:
 * `safe_ensure_unique(retries: 1) { find_or_create_by(…) }`, a `transaction(requires_new: true)`
 * (a savepoint inside an open transaction) around the find and the create, whose block first
 * ensures the runner's copy; `RecordNotUnique` (23505) rolls the block back and retries once, then
 * gives up, and the `!` raises RecordNotFound (docs/semantics.md §d.1).
 */
interface ManagerRequest {
  readonly runner: RunnerRecord;
  /** The runner as the request holds it: the row it loaded, with the contacted_at it wrote. */
  readonly inMemoryRunner: Row;
  readonly systemXid: string;
  readonly rejectOrphans: boolean;
  /** The request's instant. */
  readonly now: number;
}

/**
 * `find_or_create_by` inside `transaction(requires_new: true)`; a module-level generator (see "Bodies" in
 * src/coroutines/transactionApi.ts).
 */
function* findOrCreateManager(world: RunnersWorld, tx: Tx, request: ManagerRequest): Work<EnsuredManager> {
  const { runner, inMemoryRunner, systemXid, rejectOrphans, now } = request;
  const [manager] = yield* tx.select(MANAGERS, {
    where: and(eq(col('runner_id'), runner.id), eq(col('system_xid'), systemXid)),
  });
  if (manager !== undefined) return { kind: 'found', id: integerField(manager, 'id') };
  if (yield* runnerMissingFromCopy(tx, runner.id)) world.probes.hit(RUNNER_PROBES.verifyRunnerMissingFromCopy);
  const ensuredCopy =
    world.code.ensurePartitionedRunnerCopy &&
    !rejectOrphans &&
    tx.catalog.hasTable(RUNNERS_COPY) &&
    !mutated('verify-skips-runner-copy')
      ? yield* ensurePartitionedRunnerCopy(tx, inMemoryRunner)
      : null;
  const shardingKey =
    world.code.populateShardingKey && runner.shardingKeyId !== null && !mutated('verify-manager-without-sharding-key')
      ? { sharding_key_id: runner.shardingKeyId }
      : {};
  const [created] = yield* tx.insert(MANAGERS, {
    runner_id: runner.id,
    // The code before the sharding key (17.5) wrote neither the key nor runner_type on managers.
    ...(world.code.populateShardingKey ? { runner_type: runner.runnerType } : {}),
    ...shardingKey,
    system_xid: systemXid,
    contacted_at: now,
  });
  assert(created !== undefined, 'an INSERT without ON CONFLICT returns its row');
  return { kind: 'created', id: integerField(created, 'id'), ensuredCopy };
}

function* ensureManager(world: RunnersWorld, tx: Tx, request: ManagerRequest): Work<EnsuredManager> {
  let uniqueViolation: PgError | null = null;
  const attempts = mutated('verify-ensure-manager-no-retry') ? 1 : 2;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return yield* tx.transaction(() => findOrCreateManager(world, tx, request), { requiresNew: true });
    } catch (error) {
      if (!isPgError(error) || error.code !== SqlState.uniqueViolation) throw error;
      uniqueViolation = error;
    }
  }
  assert(uniqueViolation !== null, 'ensure_manager gives up only after RecordNotUnique');
  return { kind: 'notFound', error: uniqueViolation, attempts };
}

function* verify(world: RunnersWorld, tx: Tx, token: string, systemXid: string): Work<HandlerResult> {
  // The request's instant (`Time.current`), read once: other sessions may move the clock between statements.
  const now = tx.now;
  const [row] = yield* tx.select(RUNNERS, { where: eq(col('token'), token) });
  if (row === undefined) return { status: 403, note: 'no runner has this token' };
  const runner = runnerFromRow(row);
  // The orphan check (UnknownRunnerOwnerError) belongs to the code that knows sharding keys.
  const orphan = world.code.populateShardingKey && runner.runnerType !== 1 && runner.shardingKeyId === null;
  const rejectOrphans = world.flagEnabled('reject_orphaned_runners');
  if (rejectOrphans && orphan) {
    world.probes.hit(RUNNER_PROBES.verifyOrphanRunner);
    return { status: 403, note: 'Runner is orphaned' };
  }
  // `current_runner.heartbeat`: its own statement, before the manager is ensured.
  yield* tx.update(RUNNERS, { contacted_at: now }, eq(col('id'), runner.id));
  const inMemoryRunner: Row = mutated('ensure-copy-from-loaded-row') ? row : { ...row, contacted_at: now };
  if (orphan) {
    world.probes.hit(RUNNER_PROBES.verifyOrphanRunner);
    return { status: 422, note: 'Runner is orphaned' };
  }
  const manager = yield* ensureManager(world, tx, { runner, inMemoryRunner, systemXid, rejectOrphans, now });
  if (manager.kind === 'notFound')
    return {
      status: 404,
      note: `RecordNotFound after RecordNotUnique ${manager.attempts === 1 ? 'once' : 'twice'} (the last: ${manager.error.code} ${manager.error.message})`,
    };
  if (manager.kind === 'created') {
    const copy = manager.ensuredCopy;
    return {
      status: 200,
      note: `created manager ${manager.id}`,
      ...(copy === null ? {} : { afterCommit: () => recordEnsuredCopy(world, copy, { ...row, contacted_at: now }) }),
    };
  }
  // `current_runner_manager.heartbeat`.
  yield* tx.update(MANAGERS, { contacted_at: now }, eq(col('id'), manager.id));
  return { status: 200, note: `manager ${manager.id} heartbeat` };
}

export const verifyRunner: OperationKind<RunnersWorld> = requestOperation({
  name: 'verifyRunner',
  description:
    'POST /runners/verify: finds the runner by token, heartbeats it and ensures its manager for system_id, creating it (and copying the runner when the d.2 fix is deployed). runner: index newest first; system: system id s0-s2.',
  args: fc.record({ runner: runnerIndexArbitrary, system: fc.integer({ min: 0, max: 2 }) }),
  references: KNOWN_RUNNER_REFERENCE,
  request(world: RunnersWorld, args: JsonObject) {
    const runner = pickKnownRunner(world, natArg(args, 'runner'));
    if (runner === undefined) return notApplied('POST /runners/verify', 'no runner with a token yet');
    const token = runner.token;
    const systemXid = `s${intArg(args, 'system', 0, 2)}`;
    return {
      endpoint: 'POST /runners/verify',
      description: `POST /runners/verify runner ${runner.id} system_id ${systemXid}`,
      runnerId: runner.id,
      writes: [RUNNERS, MANAGERS],
      work: (tx) => verify(world, tx, token, systemXid),
    };
  },
});
