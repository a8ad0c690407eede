import { describe, expect, it } from 'vitest';
import { Database, Scheduler, Tx, col, eq, isPgError } from '../../src/index.js';
import type { Work } from '../../src/index.js';
import { SessionRunner } from '../../src/coroutines/sessionRunner.js';

/**
 * The session runner: a body advances one statement at a time in its scheduled session, parks
 * while a statement waits for another session's lock, resumes where it waited, and gets a
 * statement's error at its `yield*`; between statements `db.rows` shows only committed rows.
 */
function database(): { db: Database; scheduler: Scheduler } {
  const db = new Database();
  db.createTable({
    name: 'items',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.insert('items', { id: 1, name: 'a' });
  const sessions = [db.openSession(), db.openSession()];
  return { db, scheduler: new Scheduler(sessions.map((session) => session.state)) };
}

/** A writer of row 1 with a lock_timeout of 100 ms: it answers "updated" or the SQLSTATE it failed with. */
function* writerWithLockTimeout(tx: Tx): Work<string> {
  yield* tx.execute({ kind: 'set', name: 'lock_timeout', milliseconds: 100 });
  try {
    yield* tx.update('items', { name: 'writer' }, eq(col('id'), 1));
  } catch (error) {
    if (isPgError(error)) return error.code;
    throw error;
  }
  return 'updated';
}

describe('the session runner', () => {
  it('parks a statement that waits for a row lock and resumes it after the holder commits', () => {
    const { db, scheduler } = database();
    const tx = (): Tx => new Tx(db, 0);
    const first = tx();
    const holder = new SessionRunner(
      scheduler,
      0,
      first.transaction(function* (): Work<void> {
        yield* first.update('items', { name: 'held' }, eq(col('id'), 1));
      }),
    );
    const second = tx();
    const waiter = new SessionRunner(
      scheduler,
      1,
      (function* (): Work<string> {
        const rows = yield* second.update('items', { name: 'after' }, eq(col('id'), 1));
        return `updated ${rows.length}`;
      })(),
    );
    expect(holder.advance().statement.kind).toBe('begin');
    expect(holder.advance().outcome?.ok).toBe(true);
    // The uncommitted update is not what readers between statements see.
    expect(db.rows('items')[0]?.['name']).toBe('a');
    const parked = waiter.advance();
    expect(parked.wait?.blockedBy).toEqual([0]);
    expect(waiter.waiting).toBe(true);
    expect(waiter.runnable).toBe(false);
    const committed = holder.advance();
    expect(committed.statement.kind).toBe('commit');
    expect(holder.finished).toBe(true);
    expect(waiter.runnable).toBe(true);
    const resumed = waiter.advance();
    expect(resumed.finished).toBe(true);
    expect(waiter.value).toBe('updated 1');
    expect(db.rows('items')[0]?.['name']).toBe('after');
  });

  it("hands a statement's error to the body, which may rescue it", () => {
    const { db, scheduler } = database();
    const tx = new Tx(db, 0);
    const runner = new SessionRunner(
      scheduler,
      0,
      (function* (): Work<string> {
        try {
          yield* tx.insert('items', { id: 1, name: 'duplicate' });
        } catch (error) {
          if (isPgError(error)) return `rescued ${error.code}`;
          throw error;
        }
        return 'inserted';
      })(),
    );
    const step = runner.advance();
    expect(step.outcome?.ok).toBe(false);
    expect(runner.value).toBe('rescued 23505');
  });

  it('parks a pause on the virtual clock: the session holds its locks while it sleeps and wakes at its instant', () => {
    const { db, scheduler } = database();
    const tx = new Tx(db, 0);
    const sleeper = new SessionRunner(
      scheduler,
      0,
      tx.transaction(function* (): Work<string> {
        yield* tx.update('items', { name: 'held' }, eq(col('id'), 1));
        yield* tx.sleep(0);
        yield* tx.sleep(300);
        return 'committed';
      }),
    );
    sleeper.advance();
    sleeper.advance();
    // The pause of 0 ms was passed over: the next thing pending is the 300 ms one.
    expect(sleeper.pending).toEqual({ kind: 'pause', milliseconds: 300 });
    const began = sleeper.advance();
    expect(began.sleepsUntil).toBe(300);
    expect(sleeper.sleeping).toBe(true);
    expect(sleeper.runnable).toBe(false);
    expect(scheduler.nextTimerAt()).toBe(300);
    // A writer waiting for the sleeper's row lock with a lock_timeout of 100 ms times out first.
    const other = new Tx(db, 0);
    const writer = new SessionRunner(scheduler, 1, writerWithLockTimeout(other));
    writer.advance();
    expect(writer.advance().wait?.blockedBy).toEqual([0]);
    expect(scheduler.nextTimerAt()).toBe(100);
    expect(scheduler.advanceClock()).toBe(true);
    expect(scheduler.clock.now()).toBe(100);
    expect(sleeper.sleeping).toBe(true);
    writer.advance();
    expect(writer.value).toBe('55P03');
    // The wake-up is the only timer left.
    expect(scheduler.advanceClock()).toBe(true);
    expect(scheduler.clock.now()).toBe(300);
    expect(sleeper.runnable).toBe(true);
    const woke = sleeper.advance();
    expect(woke.statement.kind).toBe('pause');
    expect(woke.finished).toBe(false);
    expect(sleeper.pending?.kind).toBe('commit');
    sleeper.advance();
    expect(sleeper.value).toBe('committed');
    expect(db.rows('items')[0]?.['name']).toBe('held');
    expect(scheduler.advanceClock()).toBe(false);
    expect(scheduler.events).toContain('sleep s0 until 300');
    expect(scheduler.events).toContain('woke s0');
  });

  it('fires the earliest timer first, and at one instant a wake-up before a lock timer', () => {
    const { db, scheduler } = database();
    const tx = new Tx(db, 0);
    const sleeper = new SessionRunner(
      scheduler,
      0,
      tx.transaction(function* (): Work<void> {
        yield* tx.update('items', { name: 'held' }, eq(col('id'), 1));
        yield* tx.sleep(100);
      }),
    );
    const other = new Tx(db, 0);
    const writer = new SessionRunner(scheduler, 1, writerWithLockTimeout(other));
    sleeper.advance();
    sleeper.advance();
    expect(sleeper.advance().sleepsUntil).toBe(100);
    writer.advance();
    writer.advance();
    expect(writer.waiting).toBe(true);
    // Both are due at 100: the wake-up fires alone, and the woken session may commit before the timeout.
    scheduler.advanceClock();
    expect(scheduler.clock.now()).toBe(100);
    expect(sleeper.runnable).toBe(true);
    expect(writer.waiting).toBe(true);
    sleeper.advance();
    sleeper.advance();
    expect(sleeper.finished).toBe(true);
    expect(writer.runnable).toBe(true);
    writer.advance();
    expect(writer.value).toBe('updated');
    expect(db.rows('items')[0]?.['name']).toBe('writer');
  });
});
