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
});
