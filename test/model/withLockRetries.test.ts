/**
 * `with_lock_retries` (model/gitlab/withLockRetries.ts) against real lock waits: the engine's sessions under
 * a scheduler, a long transaction holding a write lock on the table the DDL needs, and a writer that
 * queues behind the waiting DDL. A small driver advances the coroutine one statement at a time and
 * fires the scheduler's timers while it waits, as a session runner does.
 */
import { describe, expect, it } from 'vitest';
import { Database, Scheduler, Tx, isPgError, runSerially } from '../../src/index.js';
import type { Statement, Work } from '../../src/index.js';
import { DEFAULT_TIMING_CONFIGURATION, withLockRetries } from '../../model/gitlab/withLockRetries.js';
import type { LockRetryTiming } from '../../model/gitlab/withLockRetries.js';
import { ConcurrentSessions } from '../../src/harness/concurrentSessions.js';
import type { SessionAction } from '../../src/harness/concurrentSessions.js';
import type { LockWaitRecord, OperationOutcome } from '../../src/harness/domain.js';

function schema(db: Database): void {
  db.createTable({ name: 'parents', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'parent_id', type: 'integer' },
    ],
    primaryKey: ['id'],
  });
  db.insert('parents', { id: 1 });
  db.insert('children', { id: 1, parent_id: 1 });
}

const addForeignKey: Statement = {
  kind: 'addConstraint',
  table: 'children',
  constraint: {
    kind: 'foreignKey',
    name: 'fk_children_parent',
    columns: ['parent_id'],
    references: { table: 'parents', columns: ['id'] },
    onDelete: 'cascade',
    notValid: true,
  },
};

const reverseLock: Statement = {
  kind: 'lockTable',
  tables: ['parents', 'children'],
  mode: 'ShareRowExclusive',
  nowait: false,
};

/** Three sessions: 0 holds a long transaction, 1 runs the migration, 2 is traffic. */
function setup() {
  const db = new Database();
  schema(db);
  const sessions = [db.openSession(), db.openSession(), db.openSession()];
  const scheduler = new Scheduler(sessions.map((session) => session.state));
  const run = (index: number, statement: Statement): void => {
    scheduler.submit(index, [statement]);
    scheduler.step(index);
  };
  // The long transaction: an uncommitted UPDATE holds RowExclusive on children until it ends.
  run(0, { kind: 'begin' });
  run(0, { kind: 'update', table: 'children', set: { parent_id: 1 }, where: null, options: {} });
  return { db, scheduler, run };
}

/** A coroutine on one session: its statements one by one, its pauses recorded, its waits reported. */
class Driven<T> {
  private value: unknown = undefined;
  private failure: unknown = null;
  readonly kinds: string[] = [];
  readonly pauses: number[] = [];
  done = false;
  result: T | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly index: number,
    private readonly work: Work<T>,
  ) {}

  /** Runs statements until one waits or the coroutine ends; true when it ended. */
  advance(): boolean {
    for (let bound = 0; bound < 1000; bound++) {
      if (this.scheduler.statusOf(this.index) === 'waiting') return false;
      if (this.scheduler.statusOf(this.index) === 'ready') this.scheduler.step(this.index);
      if (this.scheduler.statusOf(this.index) !== 'idle') return false;
      const outcomes = this.scheduler.outcomesOf(this.index);
      const last = outcomes[outcomes.length - 1];
      if (last !== undefined && this.kinds.length > 0 && !this.consumed) {
        this.consumed = true;
        if (last.ok) this.value = last.value;
        else this.failure = last.error;
      }
      const next = this.failure !== null ? this.work.throw(this.failure) : this.work.next(this.value);
      this.failure = null;
      this.value = undefined;
      if (next.done === true) {
        this.done = true;
        this.result = next.value;
        return true;
      }
      if (next.value.kind === 'pause') {
        this.pauses.push(next.value.milliseconds);
        continue;
      }
      this.kinds.push(next.value.kind);
      this.consumed = false;
      this.scheduler.submit(this.index, [next.value]);
    }
    throw new Error('the driven coroutine did not settle');
  }

  private consumed = true;
}

const twoAttempts: readonly LockRetryTiming[] = [
  { lockTimeoutMs: 100, sleepMs: 50 },
  { lockTimeoutMs: 200, sleepMs: 50 },
];

describe('with_lock_retries', () => {
  it('keeps GitLab’s timing configuration: 41 attempts from 100 ms, about 40 minutes of sleeps', () => {
    expect(DEFAULT_TIMING_CONFIGURATION).toHaveLength(41);
    expect(DEFAULT_TIMING_CONFIGURATION[0]).toEqual({ lockTimeoutMs: 100, sleepMs: 50 });
    const sleeps = DEFAULT_TIMING_CONFIGURATION.reduce((total, attempt) => total + attempt.sleepMs, 0);
    expect(sleeps / 60_000).toBeGreaterThan(39);
    expect(sleeps / 60_000).toBeLessThan(42);
  });

  it('serially, one attempt: BEGIN, SET LOCAL lock_timeout, the block, COMMIT', () => {
    const db = new Database();
    schema(db);
    const kinds: string[] = [];
    db.onStatement = (event) => kinds.push((event.statement as Statement).kind);
    const tx = new Tx(db, 0);
    const outcome = runSerially(
      db,
      withLockRetries(tx, () => tx.execute(addForeignKey)),
    );
    expect(outcome.attempt).toBe(1);
    expect(kinds).toEqual(['begin', 'set', 'addConstraint', 'commit']);
    expect(db.constraint('children', 'fk_children_parent').valid).toBe(false);
  });

  it('retries on lock timeouts, lets queued writers through after each, and waits without a timeout at the end', () => {
    const { db, scheduler, run } = setup();
    const tx = new Tx(db, 0);
    const ddl = new Driven(
      scheduler,
      1,
      withLockRetries(tx, () => tx.execute(addForeignKey), twoAttempts),
    );
    expect(ddl.advance()).toBe(false);
    // The first attempt waits for the long transaction's RowExclusive.
    expect(scheduler.waitOf(1)?.blockedBy).toEqual([0]);
    // A write arriving now queues behind the waiting DDL, although it does not conflict with session 0.
    run(2, { kind: 'insert', table: 'children', rows: [{ id: 2, parent_id: 1 }], options: {} });
    expect(scheduler.statusOf(2)).toBe('waiting');
    expect(scheduler.waitOf(2)?.blockedBy).toContain(1);
    // lock_timeout fires (55P03): the attempt rolls back, and the queued write goes through.
    let timers = 0;
    while (scheduler.statusOf(1) === 'waiting' && scheduler.statusOf(2) === 'waiting' && timers++ < 10)
      scheduler.advanceClock();
    expect(scheduler.statusOf(2)).toBe('ready');
    scheduler.step(2);
    expect(scheduler.statusOf(2)).toBe('idle');
    expect(scheduler.outcomesOf(2)[0]?.ok).toBe(true);
    // The second attempt, then the last one without a timeout, which waits until the long transaction ends.
    for (let rounds = 0; !ddl.done && rounds < 20; rounds++) {
      if (ddl.advance()) break;
      if (!scheduler.advanceClock()) break;
    }
    expect(ddl.done).toBe(false);
    expect(ddl.pauses).toEqual([50]);
    expect(ddl.kinds.filter((kind) => kind === 'set')).toHaveLength(3);
    expect(ddl.kinds.filter((kind) => kind === 'rollback')).toHaveLength(2);
    run(0, { kind: 'commit' });
    expect(ddl.advance()).toBe(true);
    expect(ddl.result?.attempt).toBe(3);
    expect(db.constraint('children', 'fk_children_parent').valid).toBe(false);
  });

  it('does not retry a deadlock or any error other than a lock timeout', () => {
    const db = new Database();
    schema(db);
    const tx = new Tx(db, 0);
    let caught: unknown;
    try {
      runSerially(
        db,
        withLockRetries(tx, () => tx.execute({ ...addForeignKey, table: 'no_such_table' })),
      );
    } catch (error) {
      caught = error;
    }
    expect(isPgError(caught) && caught.code).toBe('42P01');
  });

  it("with reverse_lock_order, the last attempt's LOCK TABLE fails outside a transaction block (25P01)", () => {
    const { db, scheduler, run } = setup();
    const tx = new Tx(db, 0);
    const ddl = new Driven(
      scheduler,
      1,
      withLockRetries(
        tx,
        function* () {
          yield* tx.execute(reverseLock);
          yield* tx.execute(addForeignKey);
        },
        twoAttempts.slice(0, 1),
      ),
    );
    for (let rounds = 0; rounds < 20; rounds++) {
      if (ddl.advance()) break;
      if (!scheduler.advanceClock()) break;
    }
    expect(ddl.kinds).toEqual(['begin', 'set', 'lockTable', 'rollback', 'lockTable']);
    // PostgreSQL refuses LOCK TABLE outside a transaction block before taking any lock; the engine takes
    // the statement's table locks first, so here the refusal comes once the long transaction has ended.
    run(0, { kind: 'commit' });
    let threw: unknown = null;
    try {
      ddl.advance();
    } catch (error) {
      threw = error;
    }
    expect(isPgError(threw) && threw.code).toBe('25P01');
    expect(db.describe('children').constraints.some((constraint) => constraint.kind === 'foreignKey')).toBe(false);
  });

  it('runs in engine sessions of a concurrent scenario: sleeps on the clock, retries, and lets queued writers through', () => {
    const db = new Database();
    schema(db);
    const waits: LockWaitRecord[] = [];
    const sessions = new ConcurrentSessions(db, 3, waits, true);
    const outcome = (summary: string): OperationOutcome => ({ summary, applied: true });
    // Session 1: a long transaction holding RowExclusive on children for 1000 virtual ms.
    sessions.start(1, 'long transaction', {
      work: (tx) =>
        tx.transaction(function* () {
          yield* tx.update('children', { parent_id: 1 }, null);
          yield* tx.sleep(1000);
          return outcome('committed');
        }),
    });
    // Session 2: the migration, with two timed attempts before the last one without a timeout.
    sessions.start(2, 'add foreign key', {
      work: (tx) =>
        (function* () {
          const result = yield* withLockRetries(tx, () => tx.execute(addForeignKey), twoAttempts);
          return outcome(`added on attempt ${result.attempt}`);
        })(),
    });
    let writes = 0;
    const write = (): void => {
      writes++;
      sessions.start(3, `insert ${writes}`, {
        work: (tx) =>
          (function* () {
            yield* tx.insert('children', { id: 10 + writes, parent_id: 1 });
            return outcome('inserted');
          })(),
      });
    };
    const log: string[] = [];
    const advance = (session: number): SessionAction => {
      const action = sessions.advance(session);
      log.push(`s${action.session} ${action.label}: ${action.outcome}`);
      return action;
    };
    const clock = (): void => {
      const fired = sessions.advanceClock();
      expect(fired).not.toBeNull();
      log.push(`@clock ${fired}`);
    };
    advance(1); // BEGIN
    advance(1); // UPDATE
    expect(advance(1).outcome).toBe('sleeps until 1000 ms');
    // Attempt 1: BEGIN, SET LOCAL lock_timeout 100, ALTER TABLE waits for session 1.
    advance(2);
    advance(2);
    expect(advance(2).outcome).toMatch(/^waits for s1 /);
    // A write arriving now queues behind the waiting DDL.
    write();
    expect(advance(3).outcome).toMatch(/^waits for s2 /);
    clock(); // the attempt's lock_timeout at 100 ms
    expect(sessions.now).toBe(100);
    // The queued write goes through before the migration tries again.
    expect(advance(3).finished?.summary).toBe('inserted');
    expect(advance(2).outcome).toMatch(/^resumed: ERROR 55P03/);
    advance(2); // ROLLBACK
    expect(advance(2).outcome).toBe('sleeps until 150 ms');
    clock(); // the wake-up at 150 ms
    expect(sessions.now).toBe(150);
    expect(advance(2).outcome).toBe('woke at 150 ms');
    advance(2); // RESET lock_timeout
    advance(2); // BEGIN
    advance(2); // SET LOCAL lock_timeout 200
    expect(advance(2).outcome).toMatch(/^waits for s1 /);
    write();
    expect(advance(3).outcome).toMatch(/^waits for s2 /);
    clock(); // 55P03 at 350 ms
    expect(sessions.now).toBe(350);
    expect(advance(3).finished?.summary).toBe('inserted');
    expect(advance(2).outcome).toMatch(/^resumed: ERROR 55P03/);
    // The last attempt, without a timeout, waits until the long transaction commits at its wake-up.
    for (let actions = 0; sessions.busy(2) && actions < 20; actions++) {
      const next = sessions.nextRunnable(2);
      if (next === null) clock();
      else advance(next);
    }
    expect(sessions.busy(2)).toBe(false);
    expect(sessions.busy(1)).toBe(false);
    expect(log.slice(-3)).toEqual([
      's1 sleep 1000 ms: woke at 1000 ms',
      's1 COMMIT: COMMIT → committed',
      expect.stringMatching(
        /^s2 ALTER TABLE children ADD CONSTRAINT fk_children_parent .*: resumed: ok → added on attempt 3$/,
      ),
    ]);
    expect(db.constraint('children', 'fk_children_parent').valid).toBe(false);
    // Each write waited only as long as the attempt it queued behind: at most the attempt's lock_timeout.
    const writerWaits = waits.filter((wait) => wait.session === 3);
    expect(writerWaits.map((wait) => [wait.since, wait.until])).toEqual([
      [0, 100],
      [150, 350],
    ]);
    // The DDL's last wait lasted until the long transaction ended at 1000 ms.
    expect(waits.filter((wait) => wait.session === 2).map((wait) => wait.until)).toEqual([100, 350, 1000]);
    sessions.detach();
  });
});
