import { describe, expect, it } from 'vitest';
import { Database, PgError, Tx, col, eq, isPgError, runSerially } from '../../src/index.js';
import type { Statement, Work } from '../../src/index.js';

/** A table with a unique key, and the kinds of the statements the database ran. */
function database(): { db: Database; kinds: string[] } {
  const kinds: string[] = [];
  const db = new Database();
  db.createTable({
    name: 'items',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.onStatement = (event) => kinds.push((event.statement as Statement).kind);
  return { db, kinds };
}

const names = (db: Database): string[] => db.rows('items').map((row) => String(row['name']));

describe('the serial runner of the transaction API', () => {
  it('hands each statement its result and returns the body value', () => {
    const { db, kinds } = database();
    const tx = new Tx(db, 0);
    const result = runSerially(
      db,
      (function* (): Work<number> {
        const inserted = yield* tx.insert('items', [
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
        ]);
        yield* tx.update('items', { name: 'c' }, eq(col('id'), 2));
        const rows = yield* tx.select('items', { orderBy: [{ column: 'id', direction: 'desc' }] });
        return inserted.length * 10 + rows.length + (rows[0]?.['name'] === 'c' ? 100 : 0);
      })(),
    );
    expect(result).toBe(122);
    expect(kinds).toEqual(['insert', 'update', 'select']);
  });

  it('opens BEGIN … COMMIT in autocommit and rolls back and rethrows on an error', () => {
    const { db, kinds } = database();
    const tx = new Tx(db, 0);
    runSerially(
      db,
      tx.transaction(function* () {
        yield* tx.insert('items', { id: 1, name: 'kept' });
      }),
    );
    expect(kinds).toEqual(['begin', 'insert', 'commit']);
    let caught: unknown = null;
    try {
      runSerially(
        db,
        tx.transaction(function* () {
          yield* tx.insert('items', { id: 2, name: 'undone' });
          yield* tx.insert('items', { id: 1, name: 'duplicate' });
        }),
      );
    } catch (error) {
      caught = error;
    }
    expect(isPgError(caught) && caught.code).toBe('23505');
    expect(kinds.slice(3)).toEqual(['begin', 'insert', 'insert', 'rollback']);
    expect(names(db)).toEqual(['kept']);
    expect(db.transactionStatus).toBe('idle');
  });

  it('joins an open transaction, and makes a savepoint with requiresNew that a rescue can survive', () => {
    const { db, kinds } = database();
    // Depth 1: the caller's transaction is open around the body, as the serial harness runs a request.
    const tx = new Tx(db, 1);
    const outcome = db.transaction((inner) =>
      runSerially(
        inner,
        (function* (): Work<string> {
          yield* tx.transaction(function* () {
            yield* tx.insert('items', { id: 1, name: 'joined' });
          });
          try {
            yield* tx.transaction(
              function* () {
                yield* tx.insert('items', { id: 2, name: 'undone' });
                yield* tx.insert('items', { id: 1, name: 'duplicate' });
              },
              { requiresNew: true },
            );
          } catch (error) {
            // ActiveRecord's `rescue ActiveRecord::RecordNotUnique`.
            if (!(error instanceof PgError) || error.code !== '23505') throw error;
            return 'rescued';
          }
          return 'not reached';
        })(),
      ),
    );
    expect(outcome).toBe('rescued');
    expect(kinds).toEqual(['begin', 'insert', 'savepoint', 'insert', 'insert', 'rollbackToSavepoint', 'commit']);
    expect(names(db)).toEqual(['joined']);
  });

  it('lets an error the body does not catch escape, with the statement that raised it', () => {
    const { db } = database();
    const tx = new Tx(db, 0);
    expect(() =>
      runSerially(
        db,
        (function* (): Work<void> {
          yield* tx.select('no_such_table');
        })(),
      ),
    ).toThrow(/no_such_table/);
  });

  it('passes over a pause: serially no other session runs while the body sleeps', () => {
    const { db, kinds } = database();
    const tx = new Tx(db, 0);
    const before = kinds.length;
    const value = runSerially(
      db,
      (function* (): Work<number> {
        yield* tx.insert('items', { id: 1, name: 'before' });
        yield* tx.sleep(50);
        yield* tx.insert('items', { id: 2, name: 'after' });
        return 7;
      })(),
    );
    expect(value).toBe(7);
    expect(kinds.slice(before)).toEqual(['insert', 'insert']);
    expect(() => runSerially(db, tx.sleep(-1))).toThrow(/whole milliseconds/);
  });
});
