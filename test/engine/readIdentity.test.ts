import { describe, expect, it } from 'vitest';
import { Database } from '../../src/database.js';
import { col, eq } from '../../src/engine/expression.js';

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

describe('constraints() hands out the same description while a constraint is unchanged', () => {
  it('and a new one once it is validated or renamed', () => {
    const db = twoTables();
    db.addConstraint('children', {
      kind: 'foreignKey',
      name: 'fk_parent',
      columns: ['parent_id'],
      references: { table: 'parents' },
      notValid: true,
    });
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
