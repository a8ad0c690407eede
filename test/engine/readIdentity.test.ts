import { afterEach, describe, expect, it } from 'vitest';
import { Database, setReadCaches } from '../../src/database.js';
import { col, eq, fromCol, gt } from '../../src/engine/expression.js';
import type { Row } from '../../src/engine/values.js';

/**
 * `rows(table)` and `constraints()` hand back the same objects while what they describe is
 * unchanged, and new ones as soon as it may have changed: incremental invariant checks
 * (properties/unchangedInputs.ts) rely on both directions.
 */
function twoTables(): Database {
  const db = new Database();
  db.createTable({ name: 'parents', columns: [{ name: 'id', type: 'bigserial' }], primaryKey: ['id'] });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'parent_id', type: 'bigint' },
    ],
    primaryKey: ['id'],
  });
  db.insert('parents', {});
  db.insert('children', { parent_id: 1 });
  return db;
}

/** `fk_parent` from children.parent_id to parents, added NOT VALID or validated. */
function addParentKey(db: Database, { notValid }: { readonly notValid: boolean }): void {
  db.addConstraint('children', {
    kind: 'foreignKey',
    name: 'fk_parent',
    columns: ['parent_id'],
    references: { table: 'parents' },
    notValid,
  });
}

describe('rows(table) keeps its identity exactly while the table is unchanged', () => {
  it('across writes to other tables and DDL elsewhere', () => {
    const db = twoTables();
    const children = db.rows('children');
    db.insert('parents', {});
    db.createTable({ name: 'others', columns: [{ name: 'id', type: 'bigint' }] });
    db.addColumn('parents', { name: 'note', type: 'text' });
    expect(db.rows('children')).toBe(children);
  });

  it('not across a write, an undone write, a rewrite or a partition change of the table', () => {
    const db = twoTables();
    const first = db.rows('children');
    db.update('children', { parent_id: 2 }, eq(col('id'), 1));
    const updated = db.rows('children');
    expect(updated).not.toBe(first);
    expect(updated[0]!['parent_id']).toBe(2);

    db.begin();
    db.delete('children');
    expect(db.rows('children')).toHaveLength(0);
    db.rollback();
    const restored = db.rows('children');
    expect(restored).not.toBe(updated);
    expect(restored).toEqual(updated);

    db.addColumn('children', { name: 'note', type: 'text', default: 'x' });
    expect(db.rows('children')).not.toBe(restored);
    expect(db.rows('children')[0]!['note']).toBe('x');

    db.renameTable('children', 'kids');
    db.createTable({ name: 'children', columns: [{ name: 'id', type: 'bigint' }] });
    expect(db.rows('children')).toHaveLength(0);
  });
});

/** The table's rows read afresh from the heaps, bypassing every read cache. */
function freshRows(db: Database, table: string): readonly Row[] {
  setReadCaches(false);
  try {
    return db.rows(table);
  } finally {
    setReadCaches(true);
  }
}

/**
 * Reads `table` once (so the cache holds it), runs `write`, and asserts the cached read after it
 * equals a fresh one: a write path that forgets its table's write stamp fails here.
 */
function expectFollows(db: Database, table: string, write: () => void): readonly Row[] {
  const before = db.rows(table);
  write();
  const after = db.rows(table);
  expect(after).toEqual(freshRows(db, table));
  return before;
}

afterEach(() => setReadCaches(true));

describe('rows(table) follows every path that writes the table', () => {
  it('INSERT … SELECT, UPDATE … FROM and TRUNCATE', () => {
    const db = twoTables();
    const before = expectFollows(db, 'children', () =>
      db.execute({
        kind: 'insertSelect',
        table: 'children',
        columns: ['parent_id'],
        query: { table: 'parents', select: [col('id')], where: null },
        options: {},
      }),
    );
    expect(db.rows('children')).toHaveLength(before.length + 1);
    expectFollows(db, 'children', () =>
      db.execute({
        kind: 'update',
        table: 'children',
        set: { parent_id: fromCol('p', 'id') },
        from: { table: 'parents', alias: 'p' },
        where: eq(col('id'), fromCol('p', 'id')),
        options: {},
      }),
    );
    expectFollows(db, 'children', () => db.truncate('children'));
    expect(db.rows('children')).toHaveLength(0);
  });

  it('savepoints rolled back and transactions rolled back', () => {
    const db = twoTables();
    db.begin();
    db.savepoint('a');
    expectFollows(db, 'children', () => db.insert('children', { parent_id: 1 }));
    expectFollows(db, 'children', () => db.rollbackToSavepoint('a'));
    expectFollows(db, 'children', () => db.truncate('children'));
    expectFollows(db, 'children', () => db.rollback());
    expect(db.rows('children')).toHaveLength(1);
  });

  it("another session's writes once committed or rolled back, TRUNCATE included", () => {
    const db = twoTables();
    const session = db.openSession();
    const committed = expectFollows(db, 'children', () => {
      session.begin();
      session.insert('children', { parent_id: 1 });
      // Uncommitted: not shown while the session's transaction is open.
      expect(db.rows('children')).toEqual(db.rows('children'));
      expect(db.rows('children')).toHaveLength(1);
      session.commit();
    });
    expect(db.rows('children')).toHaveLength(committed.length + 1);
    expectFollows(db, 'children', () => {
      session.begin();
      session.update('children', { parent_id: 2 }, null);
      session.delete('children', eq(col('id'), 1));
      session.rollback();
    });
    expect(db.rows('children').map((row) => row['parent_id'])).toEqual([1, 1]);
    expectFollows(db, 'children', () => {
      session.begin();
      session.execute({ kind: 'truncate', tables: ['children'], options: {} });
      session.rollback();
    });
    expect(db.rows('children')).toHaveLength(2);
    expectFollows(db, 'children', () => {
      session.begin();
      session.execute({ kind: 'truncate', tables: ['children'], options: {} });
      session.commit();
    });
    expect(db.rows('children')).toHaveLength(0);
  });

  it("another session's commit while a third session's transaction stays open", () => {
    const db = twoTables();
    const open = db.openSession();
    const writer = db.openSession();
    open.begin();
    open.insert('children', { parent_id: 1 });
    writer.begin();
    writer.insert('children', { parent_id: 1 });
    // Read while both run (the cache now holds the committed rows), then the writer commits: no row
    // is written, yet its row is now visible.
    const before = db.rows('children');
    const stamp = db.contentStamp();
    expect(db.rows('children')).toBe(before);
    expect(db.contentStamp()).toBe(stamp);
    expectFollows(db, 'children', () => writer.commit());
    expect(db.rows('children')).toHaveLength(before.length + 1);
    expect(db.contentStamp()).not.toBe(stamp);
    // A transaction that begins and rolls back writes nothing visible: the rows read are equal again.
    const committed = db.rows('children');
    expectFollows(db, 'children', () => {
      writer.begin();
      writer.rollback();
    });
    expect(db.rows('children')).toEqual(committed);
    open.rollback();
  });

  it('a fork and its original apart', () => {
    const db = twoTables();
    const original = db.rows('children');
    const fork = db.fork();
    expectFollows(fork, 'children', () => fork.insert('children', { parent_id: 1 }));
    expect(db.rows('children')).toBe(original);
    expect(fork.rows('children')).toHaveLength(original.length + 1);
    const forked = fork.rows('children');
    expectFollows(db, 'children', () => db.delete('children'));
    expect(fork.rows('children')).toBe(forked);
    expect(db.rows('children')).toHaveLength(0);
  });
});

describe('constraints() hands out the same description while a constraint is unchanged', () => {
  it('and a new one once it is validated or renamed', () => {
    const db = twoTables();
    addParentKey(db, { notValid: true });
    const before = db.constraints();
    const key = before.find((constraint) => constraint.name === 'fk_parent')!;
    db.createTable({ name: 'others', columns: [{ name: 'id', type: 'bigint' }] });
    const after = db.constraints();
    expect(after).not.toBe(before);
    expect(after.find((constraint) => constraint.name === 'fk_parent')).toBe(key);

    db.validateConstraint('children', 'fk_parent');
    const validated = db.constraints().find((constraint) => constraint.name === 'fk_parent')!;
    expect(validated).not.toBe(key);
    expect(validated.valid).toBe(true);

    db.renameConstraint('children', 'fk_parent', 'fk_children_parent');
    expect(db.constraints().find((constraint) => constraint.name === 'fk_children_parent')).toBeDefined();
    expect(db.constraints().some((constraint) => constraint.name === 'fk_parent')).toBe(false);
  });
});

describe('constraintsOfKind(kind) lists the descriptions constraints() hands out, of that kind', () => {
  /** The catalog's constraints of `kind` as `constraints()` describes them, in its order. */
  const ofKind = (db: Database, kind: string): unknown[] =>
    db.constraints().filter((constraint) => constraint.kind === kind);

  it('the same list across catalog changes that leave them, a new one after one that changes them', () => {
    const db = twoTables();
    addParentKey(db, { notValid: true });
    const keys = db.constraintsOfKind('foreignKey');
    expect(keys).toEqual(ofKind(db, 'foreignKey'));
    expect(keys.every((key, index) => key === ofKind(db, 'foreignKey')[index])).toBe(true);
    expect(db.constraintsOfKind('check')).toEqual([]);

    db.createTable({ name: 'others', columns: [{ name: 'id', type: 'bigint' }] });
    db.addConstraint('others', { kind: 'check', name: 'id_positive', expr: gt(col('id'), 0) });
    expect(db.constraintsOfKind('foreignKey')).toBe(keys);
    expect(db.constraintsOfKind('check').map((check) => check.name)).toEqual(['id_positive']);

    db.validateConstraint('children', 'fk_parent');
    const validated = db.constraintsOfKind('foreignKey');
    expect(validated).not.toBe(keys);
    expect(validated.map((key) => key.valid)).toEqual([true]);
    expect(validated[0]).toBe(ofKind(db, 'foreignKey')[0]);

    db.renameTable('parents', 'owners');
    expect(db.constraintsOfKind('foreignKey').map((key) => key.referencedTable)).toEqual(['owners']);
  });

  it('described afresh at every call while the read caches are off', () => {
    const db = twoTables();
    addParentKey(db, { notValid: false });
    setReadCaches(false);
    const first = db.constraintsOfKind('foreignKey');
    const second = db.constraintsOfKind('foreignKey');
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});
