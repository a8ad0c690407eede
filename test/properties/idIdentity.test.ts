import { describe, expect, it } from 'vitest';
import { Database } from '../../src/database.js';
import { col, eq } from '../../src/engine/expression.js';
import { DELETED_RECORDS, createDeletedRecordsTable } from '../../model/gitlab/looseForeignKeys/deletedRecordsTable.js';
import { recordCounts } from '../../properties/looseForeignKeyInvariants.js';
import { idsOf, tableColumns, tableIds } from '../../properties/rowsById.js';

/**
 * `tableIds` and `recordCounts` hand back the very object of the last read while what they derive
 * is unchanged (checks skip work keyed on it, properties/unchangedInputs.ts), and a new one with
 * the new content as soon as it changed, even when the table keeps its size.
 */
function runners(): Database {
  const db = new Database();
  db.createTable({
    name: 'runners',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  for (let count = 0; count < 3; count++) db.insert('runners', { note: 'a' });
  return db;
}

describe('tableIds keeps its set exactly while the ids stay the same', () => {
  it('across updates, and not across a delete and an insert that keep the row count', () => {
    const db = runners();
    const first = tableIds(db, 'runners');
    expect([...first]).toEqual([1, 2, 3]);
    db.update('runners', { note: 'b' }, eq(col('id'), 2));
    expect(tableIds(db, 'runners')).toBe(first);
    db.delete('runners', eq(col('id'), 2));
    db.insert('runners', { note: 'c' });
    const replaced = tableIds(db, 'runners');
    expect(replaced).not.toBe(first);
    expect([...replaced]).toEqual([1, 3, 4]);
    expect([...replaced]).toEqual([...idsOf(db.rows('runners'))]);
  });
});

describe('tableColumns keeps its token exactly while the columns read hold the same values', () => {
  it('across an update of another column, and not across one of a column read', () => {
    const db = runners();
    const columns = ['id', 'note'];
    const ids = ['id'];
    const first = tableColumns(db, 'runners', columns);
    const firstIds = tableColumns(db, 'runners', ids);
    db.update('runners', { note: 'b' }, eq(col('id'), 2));
    expect(tableColumns(db, 'runners', ids)).toBe(firstIds);
    expect(tableColumns(db, 'runners', columns)).not.toBe(first);
    const second = tableColumns(db, 'runners', columns);
    db.update('runners', { note: 'b' }, eq(col('id'), 2));
    expect(tableColumns(db, 'runners', columns)).toBe(second);
  });
});

describe('recordCounts keeps its map exactly while the records name the same keys', () => {
  it("across a record's status update, and not across a record replaced by another of the same size", () => {
    const db = new Database();
    createDeletedRecordsTable(db);
    db.insert(DELETED_RECORDS, { primary_key_value: 1, fully_qualified_table_name: 'public.ci_runners' });
    db.insert(DELETED_RECORDS, { primary_key_value: 2, fully_qualified_table_name: 'public.ci_runners' });
    const first = recordCounts(db);
    expect([...first.get('public.ci_runners')!]).toEqual([
      [1, 1],
      [2, 1],
    ]);
    db.update(DELETED_RECORDS, { status: 2 }, eq(col('primary_key_value'), 1));
    expect(recordCounts(db)).toBe(first);
    db.delete(DELETED_RECORDS, eq(col('primary_key_value'), 2));
    db.insert(DELETED_RECORDS, { primary_key_value: 1, fully_qualified_table_name: 'public.ci_runners' });
    const replaced = recordCounts(db);
    expect(replaced).not.toBe(first);
    expect([...replaced.get('public.ci_runners')!]).toEqual([[1, 2]]);
  });
});
