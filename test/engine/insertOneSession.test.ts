import { describe, expect, it } from 'vitest';
import { Database, excluded } from '../../src/index.js';

/**
 * An INSERT runs without generators while one session is open (`executeInsertNow`) and as a
 * resumable execution once a second one is (docs/statements.md, "One session runs without
 * generators"). The two must behave alike, down to what `UPDATE OF` triggers see as updated: DO
 * UPDATE's SET list during the statement, the caller's list again after it.
 */
function world(): { db: Database; fired: string[] } {
  const db = new Database();
  const fired: string[] = [];
  db.createTable({
    name: 'counters',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'n', type: 'integer', default: 0 },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'audit',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'what', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTrigger({
    name: 'counters_n_changed',
    table: 'counters',
    timing: 'after',
    events: ['update'],
    level: 'row',
    updateOf: ['n'],
    fn: ({ newRow, db: handle }) => {
      fired.push(`n of ${String(newRow?.id)}`);
      // A statement of the trigger's own: an INSERT nested in the upsert, with the SET list still set.
      handle.insert('audit', { what: `n ${String(newRow?.n)}` });
    },
  });
  db.insert('counters', [{ id: 1, n: 1, note: 'a' }]);
  return { db, fired };
}

function upserts(db: Database): void {
  // Conflicts, and SETs n: the UPDATE OF n trigger fires.
  db.insert('counters', { id: 1, n: 5 }, { onConflict: { target: ['id'], action: { update: { n: excluded('n') } } } });
  // Conflicts, but SETs only note: it does not.
  db.insert(
    'counters',
    { id: 1, note: 'b' },
    { onConflict: { target: ['id'], action: { update: { note: excluded('note') } } } },
  );
  // No conflict: a plain insert, no UPDATE trigger at all.
  db.insert('counters', { id: 2, n: 7 }, { onConflict: { target: ['id'], action: { update: { n: excluded('n') } } } });
  // A plain UPDATE afterwards sees its own SET list, not one left behind by an upsert.
  db.update('counters', { note: 'c' });
  db.update('counters', { n: 9 });
}

describe('INSERT with one session and with several behave alike', () => {
  it('UPDATE OF triggers see DO UPDATE’s SET list, and only during the statement', () => {
    const single = world();
    upserts(single.db);
    const versioned = world();
    versioned.db.openSession();
    upserts(versioned.db);
    expect(single.fired).toEqual(['n of 1', 'n of 1', 'n of 2']);
    expect(versioned.fired).toEqual(single.fired);
    expect(versioned.db.select('counters')).toEqual(single.db.select('counters'));
    expect(versioned.db.select('audit')).toEqual(single.db.select('audit'));
    expect(single.db.select('audit').map((row) => row.what)).toEqual(['n 5', 'n 9', 'n 9']);
  });
});
