/** A database with two or three sessions under a scheduler, and terse ways to drive them. */
import { Database, Scheduler } from '../../../src/index.js';
import type { Session, Statement } from '../../../src/index.js';

export interface World {
  readonly db: Database;
  readonly sessions: readonly Session[];
  readonly scheduler: Scheduler;
  /** Submits a step and runs it until it completes or waits; returns the session's status. */
  run(session: number, ...statements: Statement[]): ReturnType<Scheduler['statusOf']>;
  /** The last outcome of a session's step: rows, or the SQLSTATE. */
  result(session: number): unknown;
}

export function world(setup: (db: Database) => void, sessionCount = 2): World {
  const db = new Database();
  setup(db);
  const sessions = Array.from({ length: sessionCount }, () => db.openSession());
  const scheduler = new Scheduler(sessions.map((session) => session.state));
  return {
    db,
    sessions,
    scheduler,
    run(session, ...statements) {
      scheduler.submit(session, statements);
      scheduler.step(session);
      scheduler.runUntilQuiescent();
      return scheduler.statusOf(session);
    },
    result(session) {
      const outcomes = scheduler.outcomesOf(session);
      const last = outcomes[outcomes.length - 1];
      if (last === undefined) return undefined;
      return last.ok ? last.value : last.error.code;
    },
  };
}

export const items = (db: Database): void => {
  db.createTable({
    name: 'items',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'integer', notNull: true },
    ],
    primaryKey: ['id'],
  });
  db.insert('items', [
    { id: 1, v: 0 },
    { id: 2, v: 0 },
  ]);
};

export const begin: Statement = { kind: 'begin' };
export const commit: Statement = { kind: 'commit' };
export const rollback: Statement = { kind: 'rollback' };
