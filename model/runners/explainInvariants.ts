/**
 * The explanation of last resort, one per invariant, so that no failure is reported without a
 * why. Each names the mechanism the invariant guards and the step of the trace that broke it,
 * read from the world's record and the trace, never a fixed sentence per invariant alone.
 */
import type { LockWaitRecord, TracedStep, Violation } from '../../src/harness/domain.js';
import type { BackgroundFailure } from '../gitlab/migrationWorld.js';
import { isSatisfiedAsCheck, referencedColumns } from '../../src/engine/expression.js';
import { explainLooseForeignKeys } from './explainLooseForeignKeys.js';
import { OWNER_FLAG } from './ownerRecalculation/updateProjectRunnersOwnerWorker.js';
import { deletedProject } from './ownerRecalculation/projectDeletedEvents.js';
import { LEGACY_MANAGER_RUNNER_FK, RUNNERS } from './schema.js';
import type { RunnersWorld } from './world.js';
import { backfillStory, creationStory, stepLabel } from './runnerHistory.js';
import { RUNNERS_COPY } from './partitionedCopies.js';
import { explainOwnerServiceNotIdempotent } from './explainOwnerIdempotence.js';

/** Trace step `index` (from 0) as `step N (kind label: outcome)`, N counted from 1. */
function describeStep(trace: readonly TracedStep[], index: number): string {
  const step = trace[index]!;
  return `step ${index + 1} (${step.kind} ${step.label}: ${step.outcome})`;
}

/** The trace step that broke an `always` invariant: the last one. */
function lastStep(trace: readonly TracedStep[]): string {
  return trace.length === 0 ? 'before any step' : describeStep(trace, trace.length - 1);
}

const mentions = (step: TracedStep, needle: RegExp): boolean => needle.test(step.outcome) || needle.test(step.label);

/** The last trace step whose outcome or label mentions `needle`, or null. */
function stepMentioning(trace: readonly TracedStep[], needle: RegExp): string | null {
  const index = trace.findLastIndex((step) => mentions(step, needle));
  return index < 0 ? null : describeStep(trace, index);
}

/** The first trace step whose outcome or label mentions `needle`, or null. */
function firstStepMentioning(trace: readonly TracedStep[], needle: RegExp): string | null {
  const index = trace.findIndex((step) => mentions(step, needle));
  return index < 0 ? null : describeStep(trace, index);
}

function number(message: string, pattern: RegExp): number | null {
  const match = pattern.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}

function explainVanishedRunner(world: RunnersWorld, violation: Violation, trace: readonly TracedStep[]): string {
  const runnerId = number(violation.message, /runner (\d+)/);
  const swap = world.rollout.swapOf(RUNNERS);
  if (swap !== undefined && swap.step === trace.length) {
    const history =
      runnerId === null
        ? 'its backfill had not finished'
        : `${creationStory(world, runnerId).text} and ${backfillStory(world, runnerId)}`;
    return `replace_with_partitioned_table at step ${swap.step} made ${swap.copy} the new ${RUNNERS}, and runner ${String(runnerId)} was not in it (${history}), so its token now finds no row`;
  }
  return `${lastStep(trace)} removed runner ${String(runnerId)}${violation.invariant === 'runner-with-live-projects-kept' ? ', a runner that still had assignments to live projects, which only DELETE /runners/:id may remove' : ' while it still had an owner'}`;
}

function explainOwner(world: RunnersWorld, violation: Violation, trace: readonly TracedStep[]): string {
  const notIdempotent =
    violation.invariant === OWNER_SERVICE_IDEMPOTENT ? explainOwnerServiceNotIdempotent(world, violation, trace) : null;
  if (notIdempotent !== null) return notIdempotent;
  const projectId = number(violation.message, /(?:sharding_key_id|owned by project|for project) (\d+)/);
  const event = projectId === null ? undefined : deletedProject(world.ownerEvents, projectId);
  if (event === undefined) {
    const keyWriter = violation.invariant === OWNER_IS_LOWEST ? explainKeyWriter(violation, trace) : null;
    if (keyWriter !== null) return keyWriter;
    const jobs = world.ownerEvents.jobs;
    return `no ProjectDeletedEvent explains it: ${jobs.length} owner-recalculation job(s) ran, ${OWNER_FLAG} is ${world.flagEnabled(OWNER_FLAG) ? 'on' : 'off'}; the runner's key and its lowest-id assignment disagree after the write that last changed either`;
  }
  const jobs = world.ownerEvents.jobs.filter((job) => job.event.projectId === event.projectId);
  const handled = jobs.map(
    (job) =>
      `delivery ${job.delivery}: ${job.handled === null ? 'never ran' : job.handled.skipped ? 'returned early (flag off)' : `ran ${job.batches} batch(es)${job.failedAttempts > 0 ? `, failing ${job.failedAttempts} time(s)` : ''}, ${job.phase === 'done' ? `done ${stepLabel(job.finishedAt ?? -1)}` : 'unfinished'}`}`,
  );
  return `project ${event.projectId} was deleted ${stepLabel(event.step)}; UpdateProjectRunnersOwnerWorker for it: ${handled.join('; ')}, and its runners still do not follow the owner rule (the lowest-id remaining assignment, or deletion when none is left)`;
}

const OWNER_IS_LOWEST = 'owner-is-lowest-runner-project';
const OWNER_SERVICE_IDEMPOTENT = 'owner-service-idempotent';

/**
 * Two concurrent assign_to of one runner, each re-owning it from the same read (a lost update):
 * the later commit overwrote the earlier's owner. Read from the sessions' steps of the trace.
 */
function explainLostOwnerUpdate(trace: readonly TracedStep[], runner: string, key: string): string | null {
  const pattern = new RegExp(
    `^(s\\d+) .*→ POST /projects/\\d+/runners runner ${runner} → 201 \\(sharding_key_id (\\S+) → (\\d+)\\)`,
  );
  const reowns = trace.flatMap((step, index) => {
    const found = pattern.exec(`${step.label} → ${step.outcome}`);
    return found === null ? [] : [{ step: index + 1, session: found[1]!, from: found[2]!, to: found[3]! }];
  });
  const last = reowns[reowns.length - 1];
  if (last === undefined || last.to !== key) return null;
  const earlier = [...reowns.slice(0, -1)]
    .reverse()
    .find((reown) => reown.session !== last.session && reown.from === last.from);
  if (earlier === undefined) return null;
  return `assign_to in ${earlier.session} and in ${last.session} both read runner ${runner} with no live owner (sharding_key_id ${last.from}) before either committed: ${earlier.session} re-owned it to project ${earlier.to} (step ${earlier.step}), then ${last.session}, deciding from its older read, overwrote that with project ${key} (step ${last.step}), a lost update; in any serial order the second assign_to finds the first one's owner and keeps it, and GitLab's assign_to takes no row lock on the runner that would serialise them`;
}

/**
 * Who gave a project runner a key other than its lowest-id assignment's project: the owner
 * service re-owning it, the sharding-key backfill, or assign_to, read from the trace, latest first.
 */
function explainKeyWriter(violation: Violation, trace: readonly TracedStep[]): string | null {
  const found =
    /project runner (\d+) has sharding_key_id (\d+), but its lowest-id ci_runner_projects row \(id \d+\) is for project (\d+)/.exec(
      violation.message,
    );
  if (found === null) return null;
  const [, runner, key, lowest] = found;
  const reowned = stepMentioning(trace, new RegExp(`re-owned (?:\\d+, )*${runner}\\b`));
  if (reowned !== null)
    return `${reowned} re-owned runner ${runner} to project ${key}, not to project ${lowest}, the project of its lowest-id remaining ci_runner_projects row, which UpdateProjectRunnersOwnerService must choose (docs/semantics.md §e.2)`;
  const backfill = stepMentioning(trace, /BackfillShardingKeyIdOnCiRunners/);
  if (backfill !== null)
    return `runner ${runner} got sharding_key_id ${key} from BackfillShardingKeyIdOnCiRunners (${backfill}), which must take the project of the runner's lowest-id ci_runner_projects row, here project ${lowest} (docs/semantics.md §a.2)`;
  const lostUpdate = explainLostOwnerUpdate(trace, runner!, key!);
  if (lostUpdate !== null) return lostUpdate;
  const assigned = stepMentioning(trace, new RegExp(`runner ${runner} .*sharding_key_id`));
  if (assigned !== null)
    return `${assigned} set runner ${runner}'s sharding_key_id to ${key}, while its lowest-id ci_runner_projects row is for project ${lowest}`;
  // A runner_type change to project gives the runner its new owner's key (changeRunnerType.ts).
  const madeProjectRunner = stepMentioning(trace, new RegExp(`PUT /admin/runners/${runner} runner_type project → 200`));
  if (madeProjectRunner !== null)
    return `${madeProjectRunner} made runner ${runner} a project runner, which must take the project of its lowest-id ci_runner_projects row (project ${lowest}) as its sharding_key_id, yet it holds ${key}: the type change did not write the new owner's key`;
  return null;
}

/**
 * A VALIDATE of a CHECK that failed: the first row violating it, and the backfill over that table
 * the plan ran before, which was to have made every row satisfy it.
 */
function explainFailedCheckValidation(world: RunnersWorld, trace: readonly TracedStep[]): string | null {
  const failed = [...trace]
    .reverse()
    .find((step) => /check constraint "([^"]+)" of relation "([^"]+)" is violated/.test(step.outcome));
  if (failed === undefined) return null;
  const [, name, table] = /check constraint "([^"]+)" of relation "([^"]+)" is violated/.exec(failed.outcome)!;
  if (!world.db.hasTable(table!)) return null;
  const constraint = world.db.constraints().find((candidate) => candidate.table === table && candidate.name === name);
  if (constraint?.checkExpr === undefined || constraint.checkExpr === null) return null;
  const row = world.db.rows(table!).find((candidate) => !isSatisfiedAsCheck(constraint.checkExpr!, { row: candidate }));
  if (row === undefined) return null;
  const backfill = stepMentioning(trace, /finalize_background_migration|Backfill/);
  const shown = Object.entries(row)
    .map(([column, value]) => `${column}=${value === null ? 'null' : String(value)}`)
    .join(' ');
  const violated = `VALIDATE CONSTRAINT ${name} found ${table} row ${shown} violating ${constraint.checkSql ?? name}`;
  // A row whose checked columns all hold values was not left unfilled: it was written wrong.
  const checked = [...referencedColumns(constraint.checkExpr)];
  if (checked.every((column) => row[column] !== null && row[column] !== undefined)) {
    const written =
      table === RUNNERS ? firstStepMentioning(trace, new RegExp(`\\brunner ${String(row['id'])}\\b`)) : null;
    return `${violated}: every column the check reads holds a value, so the row was not left unfilled but written with a value the check forbids${written === null ? '' : ` (it was created by ${written})`}`;
  }
  return `${violated}${backfill === null ? ', and no backfill ran before it' : `, a row the backfill before it (${backfill}) left unfilled`}`;
}

/**
 * Whom the request that waited too long was queued behind: a session whose statement itself waited
 * (a migration's DDL waiting for a long transaction) makes every later conflicting request queue
 * behind it, since PostgreSQL grants no lock that conflicts with a waiter ahead of it.
 */
function explainApiWait(world: RunnersWorld): string {
  const record = world.concurrency;
  const generic =
    'the request queued behind a lock that another session held, or was waiting for ahead of it, for longer than the plan allows: for its user the request timed out although nothing failed';
  if (record === undefined || record === null) return generic;
  const late = record.waits.find((wait) => wait.api && wait.countedMs > record.apiWaitBoundMs);
  if (late === undefined) return generic;
  const ahead = record.waits.find(
    (wait) =>
      late.blockedBy.includes(wait.session) &&
      wait.since <= late.since &&
      (wait.until === null || wait.until > late.since),
  );
  if (ahead === undefined) return generic;
  const holders = ahead.blockedBy.map((session) => `s${session}`).join(', ');
  return `${late.operation} in s${late.session} queued behind s${ahead.session}'s waiting ${ahead.statement.split(' ').slice(0, 2).join(' ')} (${ahead.operation}), which waited for ${holders} to end its transaction; PostgreSQL grants no lock that conflicts with a waiter ahead of it, so the request waited ${late.countedMs} ms behind the step. In a serial order nothing is in flight while the step deploys`;
}

/** What a waiting statement is, in a few words: the backfill's sub-batch, or its verb and table. */
function statementGist(statement: string): string {
  const subBatch = /^INSERT INTO (\S+) .* SELECT .* FOR UPDATE ON CONFLICT/.exec(statement);
  if (subBatch !== null) return `sub-batch INSERT … SELECT … FOR UPDATE ON CONFLICT DO NOTHING into ${subBatch[1]}`;
  return statement.split(' ').slice(0, 3).join(' ');
}

/**
 * A background job that PostgreSQL chose as a deadlock's victim: the two waits of the cycle, read
 * from the scenario's lock-wait record (each session waited for the other's transaction), and, when
 * the other session is verify, the ensure-copy INSERT of the copy row it made in its open transaction
 * (read from the trace), which is what the sub-batch's ON CONFLICT waited for. Null when the record
 * shows no such cycle.
 */
function explainDeadlock(world: RunnersWorld, failure: BackgroundFailure, trace: readonly TracedStep[]): string | null {
  if (failure.error.code !== '40P01') return null;
  const waits = world.concurrency?.waits ?? [];
  const overlaps = (left: LockWaitRecord, right: LockWaitRecord): boolean =>
    left.since <= (right.until ?? Number.POSITIVE_INFINITY) && right.since <= (left.until ?? Number.POSITIVE_INFINITY);
  // The job's own wait is the victim's: an API request's waits are never a background failure.
  for (const victim of waits.filter((wait) => !wait.api)) {
    const other = waits.find(
      (candidate) =>
        candidate !== victim &&
        victim.blockedBy.includes(candidate.session) &&
        candidate.blockedBy.includes(victim.session) &&
        overlaps(victim, candidate),
    );
    if (other === undefined) continue;
    const first = other.since < victim.since ? other : victim;
    const cycle = [
      `s${victim.session} (${victim.operation}) waited in its ${statementGist(victim.statement)}`,
      `for s${other.session}'s transaction, while s${other.session} (${other.operation}) waited in its`,
      `${statementGist(other.statement)} for s${victim.session}'s: a deadlock, in which PostgreSQL aborts`,
      `the session whose deadlock check runs first, the one that waited first (s${first.session}), with 40P01`,
    ].join(' ');
    const ensureCopy = new RegExp(`^s${other.session} INSERT INTO ${RUNNERS}_\\w+ \\(.*\\) VALUES .* ON CONFLICT`);
    let copied = -1;
    for (let index = trace.length - 1; index >= 0 && copied < 0; index--)
      if (ensureCopy.test(trace[index]!.label)) copied = index;
    if (/^verifyRunner\b/.test(other.operation) && /^INSERT INTO /.test(other.statement) && copied >= 0) {
      return [
        `a deadlock between POST /runners/verify and the ${failure.job} sub-batch: verify in s${other.session}`,
        `inserted the runner's copy row (ensure_partitioned_runner_record_exists) at step ${copied + 1} in its open`,
        `transaction; the sub-batch in s${victim.session} then locked the same runner FOR UPDATE and waited on that`,
        "uncommitted copy row (its ON CONFLICT arbiter needs to know whether it commits); verify's manager INSERT",
        "then needed KEY SHARE on the runner for its foreign key, which the sub-batch's FOR UPDATE blocks.",
        `${cycle}, so the batch failed (${failure.summary}). In any serial order one of them runs whole first:`,
        'verify commits its copy row before the sub-batch locks the runner (the sub-batch skips it), or the',
        "sub-batch commits before verify's INSERT needs the runner",
      ].join(' ');
    }
    const serial = 'A serial order never has two transactions each waiting for the other';
    return `${failure.job} failed ${stepLabel(failure.step)}: ${cycle}. ${serial}`;
  }
  return null;
}

/** SQLSTATE 55P03: NOWAIT met a held lock, or lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

function explainBackgroundWork(world: RunnersWorld, trace: readonly TracedStep[]): string {
  const failure = world.backgroundFailures[0]!;
  const deadlock = explainDeadlock(world, failure, trace);
  if (deadlock !== null) return deadlock;
  const detail = failure.error.detail === undefined ? '' : ` (${failure.error.detail})`;
  const failed = `${failure.job} failed ${stepLabel(failure.step)} with ${failure.error.code}${failure.error.constraint === undefined ? '' : ` on ${failure.error.constraint}`}${detail}`;
  // Only an integrity violation (class 23) is about the data; a lock that was not granted is about timing.
  if (failure.error.code.startsWith('23'))
    return `${failed}: the job's writes do not satisfy a constraint in force, so retrying cannot succeed until the data changes`;
  if (failure.error.code === LOCK_NOT_AVAILABLE)
    return `${failed} (${failure.error.message}): one of its statements could not obtain a lock at once (NOWAIT, or a lock_timeout that ran out) on a row or table another transaction held, so the batch failed where it should have waited; a retry succeeds only if the holder has gone`;
  return `${failed}: ${failure.error.message}`;
}

/**
 * A copy row inserted inside an open transaction while another session updated its source row:
 * that UPDATE's sync trigger could not see the uncommitted copy row. Read from the SQL labels of
 * the sessions' steps (reports); null when the trace shows no such interleaving.
 */
function explainUncommittedCopyRace(
  trace: readonly TracedStep[],
  source: string,
  copy: string,
  column: string,
): string | null {
  const last = trace.length;
  const committer = /^(s\d+) COMMIT$/.exec(trace[last - 1]?.label ?? '')?.[1];
  if (committer === undefined) return null;
  const sessionOf = (step: TracedStep): string | undefined => /^(s\d+) /.exec(step.label)?.[1];
  let insertedAt = -1;
  for (let index = last - 2; index >= 0; index--) {
    const step = trace[index]!;
    if (sessionOf(step) === committer && step.label.startsWith(`${committer} BEGIN`)) break;
    if (sessionOf(step) === committer && step.label.startsWith(`${committer} INSERT INTO ${copy} `)) insertedAt = index;
  }
  if (insertedAt < 0) return null;
  const update = trace
    .slice(insertedAt + 1, last - 1)
    .findIndex(
      (step) =>
        sessionOf(step) !== committer && / UPDATE /.test(` ${step.label}`) && step.label.includes(`UPDATE ${source} `),
    );
  if (update < 0) return null;
  const updater = sessionOf(trace[insertedAt + 1 + update]!)!;
  return `${committer} inserted the ${copy} row at step ${insertedAt + 1} inside its open transaction (ensure_partitioned_runner_record_exists, from the runner it had loaded), and ${updater} updated the ${source} row at step ${insertedAt + update + 2} before that commit: ${updater}'s sync trigger UPDATE of the copy could not see the uncommitted copy row and changed nothing, so after the commit at step ${last} the copy keeps the old ${column}; in any serial order the update either finds the committed copy row or comes first and is what verify copies`;
}

/**
 * A copy row that verify's ensure-copy inserted from the runner as it had loaded it, after another
 * session's write to the source row had committed: that write's sync trigger found no copy row yet,
 * and the INSERT wrote verify's older values. Read from the SQL labels of the sessions' steps
 * (reports); null when the trace shows no such interleaving.
 */
function explainStaleAttributesCopyRace(
  trace: readonly TracedStep[],
  source: string,
  copy: string,
  id: string,
  column: string,
): string | null {
  const sessionOf = (step: TracedStep): string | undefined => /^(s\d+) /.exec(step.label)?.[1];
  const insertedAt = trace.findLastIndex(
    (step) => step.label.includes(` INSERT INTO ${copy} (`) && step.label.includes(` VALUES (${id}, `),
  );
  if (insertedAt < 0) return null;
  const verifier = sessionOf(trace[insertedAt]!);
  const loadedAt = trace.findLastIndex(
    (step, index) =>
      index < insertedAt && sessionOf(step) === verifier && step.label.includes(`SELECT * FROM ${source} `),
  );
  if (verifier === undefined || loadedAt < 0) return null;
  const writtenAt = trace.findIndex(
    (step, index) =>
      index > loadedAt &&
      index < insertedAt &&
      sessionOf(step) !== verifier &&
      step.label.includes(` UPDATE ${source} SET `),
  );
  if (writtenAt < 0) return null;
  const writer = sessionOf(trace[writtenAt]!)!;
  return `${verifier} loaded ${source} id=${id} at step ${loadedAt + 1}; ${writer} updated it at step ${writtenAt + 1} and committed while the copy had no row for it, so its sync trigger's UPDATE changed nothing; then ${verifier}'s ensure_partitioned_runner_record_exists inserted the copy row at step ${insertedAt + 1} from the runner as ${verifier} had loaded it, so the copy keeps the older ${column}. In any serial order verify loads the runner after the write, or the write finds the committed copy row`;
}

/**
 * A backfill sub-batch (`INSERT INTO copy … SELECT … FROM source` without FOR UPDATE) that ran while
 * another session's transaction had updated or deleted the source row and not yet committed: the
 * sub-batch's snapshot showed the old row and it did not wait for the writer's row lock, while the
 * writer's sync trigger had found no copy row to change. Read from the SQL labels of the sessions'
 * steps (reports); null when the trace shows no such interleaving.
 */
function explainSnapshotCopyRace(
  trace: readonly TracedStep[],
  source: string,
  copy: string,
  id: string,
  change: string,
): string | null {
  const last = trace.length;
  const committer = /^(s\d+) COMMIT$/.exec(trace[last - 1]?.label ?? '')?.[1];
  if (committer === undefined) return null;
  const sessionOf = (step: TracedStep): string | undefined => /^(s\d+) /.exec(step.label)?.[1];
  const write = new RegExp(`^${committer} (UPDATE ${source} |DELETE FROM ${source} )`);
  let writtenAt = -1;
  for (let index = last - 2; index >= 0; index--) {
    const step = trace[index]!;
    if (sessionOf(step) === committer && step.label.startsWith(`${committer} BEGIN`)) break;
    if (write.test(step.label)) writtenAt = index;
  }
  if (writtenAt < 0) return null;
  const copiedAt = trace.findIndex(
    (step, index) =>
      index > writtenAt &&
      index < last - 1 &&
      sessionOf(step) !== committer &&
      step.label.includes(`INSERT INTO ${copy} (`) &&
      step.label.includes(` FROM ${source} WHERE `) &&
      !step.label.includes(' FOR UPDATE'),
  );
  if (copiedAt < 0) return null;
  const copier = sessionOf(trace[copiedAt]!)!;
  const verb = change === 'deleted' ? 'deleted' : 'updated';
  return `${committer} ${verb} ${source} id=${id} at step ${writtenAt + 1} in its open transaction, where the sync trigger found no copy row to change; ${copier}'s backfill sub-batch copied the row at step ${copiedAt + 1} from its snapshot, which did not see that ${change === 'deleted' ? 'delete' : 'update'}, without waiting for ${committer}'s row lock (no FOR UPDATE); after ${committer}'s commit at step ${last} the copy keeps ${change === 'deleted' ? 'a runner the source no longer has' : `the old ${change}`}. In any serial order the sub-batch copies the committed row, before the write (which the trigger then carries) or after it`;
}

function explainCopy(world: RunnersWorld, violation: Violation, trace: readonly TracedStep[]): string {
  const [, copy, id] = /^(\S+) (?:holds )?id=(\d+)/.exec(violation.message) ?? [];
  const pair = world.syncPairs.find((candidate) => candidate.copy === copy);
  const trigger = pair === undefined ? 'the sync trigger' : pair.triggerName;
  const installed =
    pair !== undefined &&
    world.db.hasTable(pair.source) &&
    world.db.describe(pair.source).triggers.some((candidate) => candidate.name === pair.triggerName);
  if (!installed) return `${copy ?? 'the copy'} is not kept in step with its source: ${trigger} is not installed on it`;
  if (violation.invariant === 'copy-subset-of-source')
    return (
      explainSnapshotCopyRace(trace, pair!.source, copy!, String(id), 'deleted') ??
      `${lastStep(trace)} deleted ${pair!.source} id=${String(id)}, and ${trigger}'s DELETE did not remove the copy row`
    );
  const column = /has (\w+)=/.exec(violation.message)?.[1] ?? 'a column';
  const race =
    explainUncommittedCopyRace(trace, pair!.source, copy!, column) ??
    explainSnapshotCopyRace(trace, pair!.source, copy!, String(id), column) ??
    explainStaleAttributesCopyRace(trace, pair!.source, copy!, String(id), column);
  if (race !== null) return race;
  return `${lastStep(trace)} changed ${pair!.source} id=${String(id)}, and ${trigger}'s UPDATE did not carry ${column} to the copy row (a copy may lag only between ensure_partitioned_runner_record_exists and the next UPDATE)`;
}

function explainDenormalized(violation: Violation, trace: readonly TracedStep[]): string {
  const runnerId = number(violation.message, /runner (\d+)/);
  const kind = violation.invariant === 'manager-matches-runner' ? 'managers' : 'taggings';
  const change =
    runnerId === null
      ? null
      : stepMentioning(
          trace,
          // A request on the runner, or UpdateProjectRunnersOwnerService's batch line `re-owned 1, 4`.
          new RegExp(
            `(admin/runners/${runnerId}\\b|runner ${runnerId}\\b.*(re-owned|sharding_key_id)|re-owned (\\d+, )*${runnerId}\\b)`,
          ),
        );
  return `the runner's runner_type or sharding_key_id changed${change === null ? '' : ` in ${change}`} and the write did not carry it to its ${kind}, which denormalize both (docs/semantics.md, invariant 11)`;
}

/**
 * A manager without its runner's key that a request created after the code populating keys was
 * deployed: no backfill missed it (the order was right), the code path that created it left the key out.
 */
function explainManagerCreatedWithoutKey(violation: Violation, trace: readonly TracedStep[]): string | null {
  const match = /^manager (\d+) has runner_type \d+ and sharding_key_id null but runner (\d+) has \d+ and (\d+)/.exec(
    violation.message,
  );
  if (match === null) return null;
  const [, manager, runner, key] = match;
  const created = trace.findIndex((step) => step.outcome.includes(`created manager ${manager})`));
  const deployed = trace.findIndex((step) => /populateShardingKey=true/.test(step.label));
  if (created < 0 || deployed < 0 || created < deployed) return null;
  const step = trace[created]!;
  return `step ${created + 1} (${step.kind} ${step.label}: ${step.outcome}) created manager ${manager} after the code that populates sharding_key_id was deployed (step ${deployed + 1}), yet without runner ${runner}'s sharding_key_id ${key}: the request's code path left the key out, and the managers' backfill, which fills only the ids its cursor has not yet passed, did not come back to it`;
}

function explainConstraintFailure(violation: Violation): string {
  const constraint =
    /constraint "([^"]+)"/.exec(violation.message)?.[1] ??
    /constraint (\S+)/.exec(violation.message)?.[1] ??
    'a constraint';
  const key = /Key \(([^)]*)\)=\(([^)]*)\) is not present in table "?([^".]+)"?/.exec(violation.message);
  if (key !== null)
    return `${constraint} requires (${key[1]})=(${key[2]}) to exist in ${key[3]}, which lacks it: the referenced row was never written there or was removed before this write`;
  if (/check constraint/.test(violation.message))
    return `the new row does not satisfy ${constraint}, and PostgreSQL checks every new row version against a CHECK, valid or NOT VALID (docs/semantics.md §c.3)`;
  return `the statement broke ${constraint}: ${violation.message}`;
}

/** A type change moving a tagging whose tag is gone: the move's INSERT meets the key to tags. */
function explainTaggingMove(world: RunnersWorld, violation: Violation): string | null {
  if (!violation.message.startsWith('PUT /admin/runners/:id') || !violation.message.includes('ci_runner_taggings'))
    return null;
  const failed = [...world.responses]
    .reverse()
    .find((response) => response.status === 500 && response.endpoint === 'PUT /admin/runners/:id');
  const detail = failed?.error?.detail ?? '';
  const deletions = world.responses
    .filter((response) => response.endpoint === 'Ci::Tag#destroy' && response.status === 200)
    .map((response) => `${response.summary.replace(/ → .*/, '')} at step ${response.step}`);
  return `the runner-type change moves the runner's taggings to another ci_runner_taggings partition, a DELETE plus an INSERT, and the INSERT is checked by ${failed?.error?.constraint ?? 'the key to tags'} even while it is NOT VALID; a tagging still names a deleted tag${deletions.length > 0 ? ` (${deletions.join(', ')})` : ''} that neither the data migration nor the LFK worker had removed yet${detail === '' ? '' : ` (${detail})`}`;
}

/**
 * A request that inserts a row referencing a runner (verify's manager, assign_to's
 * ci_runner_projects row) and failed that row's key to ci_runners because another session deleted
 * the runner after the request had loaded it: the DELETE's session and steps, read from the
 * trace's SQL labels; null when the trace shows no such deletion.
 */
function explainRunnerDeletedUnderRequest(violation: Violation, trace: readonly TracedStep[]): string | null {
  const failed = /^(\S+ \S+) for runner (\d+) answered 500: 23503 .*constraint "([^"]+)"/.exec(violation.message);
  if (failed === null) return null;
  const [, endpoint, runnerId, constraint] = failed;
  const deleteAt = trace.findIndex((step) =>
    new RegExp(`^s\\d+ DELETE FROM ${RUNNERS} WHERE \\(id = ${runnerId}\\)`).test(step.label),
  );
  if (deleteAt < 0) return null;
  const deleter = /^(s\d+) /.exec(trace[deleteAt]!.label)![1]!;
  const commitAt = trace.findIndex((step, index) => index > deleteAt && step.label.startsWith(`${deleter} COMMIT`));
  const committed = commitAt < 0 ? 'left uncommitted' : `committed at step ${commitAt + 1}`;
  const rescue =
    constraint === LEGACY_MANAGER_RUNNER_FK
      ? 'safe_find_or_create_by rescues only RecordNotUnique'
      : 'assign_to rescues only RecordInvalid';
  return `${deleter} deleted runner ${runnerId} (DELETE /runners/${runnerId}) at step ${deleteAt + 1}, ${committed}, while ${endpoint}, which had already loaded the runner, was in flight; its INSERT's check of ${constraint} (KEY SHARE on the runner row, which waits for an uncommitted delete and then finds it committed) found no runner, and ${rescue}, so the request answered 500. GitLab has this race without any migration: in any serial order the request after the deletion finds no runner`;
}

/**
 * A background statement over its bound: the limit is what GitLab's worker passes as the query's
 * LIMIT (or the batch size its batching reads), so touching more rows means the statement ran
 * without it. Each bound exists to keep one statement's locks and writes short.
 */
function explainOversizedWork(world: RunnersWorld): string {
  const oversized = world.oversizedWork[0];
  if (oversized === undefined) return 'no background statement was recorded over its limit';
  const others = world.oversizedWork.length - 1;
  if (oversized.scope === 'run')
    return `${oversized.job}'s run at step ${oversized.step} modified ${oversized.rows} rows in all where a run stops at the query that brings its modifications to modificationLimit (${oversized.limit} rows at most): the run did not stop when its modifications, counted over all its parent tables, reached the limit, so one run went on cleaning past it`;
  return `${oversized.job} at step ${oversized.step} ran one ${oversized.what} that touched ${oversized.rows} rows where its limit is ${oversized.limit}: the statement did not apply its LIMIT (or batch size), so one statement held locks on and wrote every matching row at once${others > 0 ? `; ${others} more statement(s) did the same` : ''}`;
}

/**
 * A verify that gave up with 404: `safe_find_or_create_by!` retries its find-or-create once after
 * RecordNotUnique (23505) and then raises RecordNotFound. The response names the last unique
 * violation; when it is the runner copy's key, the ensure-copy INSERT met a copy row already there.
 */
function explainVerifyNotFound(violation: Violation): string {
  const last = /the last: (23505 [^)]*)\)/.exec(violation.message)?.[1];
  const runner = /for runner (\d+)/.exec(violation.message)?.[1] ?? '?';
  const copyRow = last?.includes(RUNNERS_COPY)
    ? `: the INSERT of runner ${runner}'s copy into ${RUNNERS_COPY} met the copy row already there (the backfill or an earlier verify had copied it), and without ON CONFLICT DO NOTHING that is a unique violation on every attempt`
    : '';
  // The response says how many attempts raised it: safe_ensure_unique(retries: 1) makes two.
  const once = /RecordNotUnique once/.test(violation.message);
  const attempts = once
    ? 'on its only attempt (no retry, where safe_ensure_unique(retries: 1) retries once, finding the row the concurrent request inserted)'
    : 'on both of its attempts';
  return `ensure_manager (safe_find_or_create_by!) raised RecordNotUnique ${attempts} for runner ${runner}, the last ${last ?? 'a 23505'}, and gave up with RecordNotFound${copyRow}, although the runner still exists`;
}

export function explainByInvariant(world: RunnersWorld, violation: Violation, trace: readonly TracedStep[]): string {
  const taggingMove = violation.invariant === 'api-never-500' ? explainTaggingMove(world, violation) : null;
  if (taggingMove !== null) return taggingMove;
  const deletedUnderVerify =
    violation.invariant === 'api-never-500' ? explainRunnerDeletedUnderRequest(violation, trace) : null;
  if (deletedUnderVerify !== null) return deletedUnderVerify;
  switch (violation.invariant) {
    case 'runner-with-live-projects-kept':
    case 'runners-keep-authenticating':
      return explainVanishedRunner(world, violation, trace);
    case 'owner-is-lowest-runner-project':
    case 'no-orphan-project-runners':
    case 'owner-service-idempotent':
      return explainOwner(world, violation, trace);
    case 'lfk-records-each-delete-once':
    case 'lfk-eventually-clean':
      return explainLooseForeignKeys(world, violation);
    case 'api-waits-bounded':
      return explainApiWait(world);
    case 'verify-ensures-manager':
      return explainVerifyNotFound(violation);
    case 'background-work-bounded':
      return explainOversizedWork(world);
    case 'background-work-succeeds':
      return world.backgroundFailures.length > 0
        ? explainBackgroundWork(world, trace)
        : explainConstraintFailure(violation);
    case 'copy-subset-of-source':
    case 'copy-equals-source-where-present':
      return explainCopy(world, violation, trace);
    case 'manager-matches-runner':
    case 'tagging-matches-runner':
      return explainDenormalized(violation, trace);
    case 'copy-complete-after-backfill':
    case 'copy-keeps-copied-rows':
      return `${lastStep(trace)} left the copy without a row its source still has: the backfill skipped it, or a delete path of the copy (a cascade, a loose foreign key) removed it without the source (docs/semantics.md §h.1)`;
    case 'validated-fk-holds':
    case 'validated-check-holds':
      return `the constraint was marked valid, yet ${lastStep(trace)} left a row violating it: a VALIDATE that accepted an existing violator, or a write the constraint did not see`;
    case 'sharding-key-backfilled':
      return (
        explainManagerCreatedWithoutKey(violation, trace) ??
        `the backfill passed the row before it had an owner link or key to copy, and ${stepMentioning(trace, /deploy_code|sharding/) ?? 'no later write'} gave it one; code that populates sharding_key_id must be deployed before the backfill runs (docs/semantics.md §a.2)`
      );
    case 'join-table-typing':
      return `${stepMentioning(trace, /admin\/runners/) ?? lastStep(trace)} changed a runner's type without removing the join rows of its old type`;
    case 'swap-preserves-rows':
    case 'ids-unique-across-partitions':
      return `replace_with_partitioned_table and ensure_unique_id must hand the names, sequence, defaults and triggers over as docs/semantics.md §f says; ${lastStep(trace)} found otherwise`;
    case 'migrations-succeed': {
      const check = explainFailedCheckValidation(world, trace);
      if (check !== null) return check;
      return violation.message.includes('violates')
        ? explainConstraintFailure(violation)
        : `${lastStep(trace)} broke ${violation.invariant}`;
    }
    default:
      return violation.message.includes('violates')
        ? explainConstraintFailure(violation)
        : `${lastStep(trace)} broke ${violation.invariant}`;
  }
}
