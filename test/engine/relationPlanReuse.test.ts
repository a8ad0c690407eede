import { describe, expect, it } from 'vitest';
import { Database } from '../../src/database.js';
import { col, gt } from '../../src/engine/expression.js';
import { isPgError } from '../../src/engine/errors.js';

/**
 * A relation's plan (src/engine/relationPlan.ts) is kept across catalog changes that leave what it
 * was built from as it was, and rebuilt after any that change it, including changes made in place
 * (a renamed CHECK moves in PostgreSQL's alphabetical check order) and changes to other relations
 * (a new foreign key referencing the table).
 */
function failure(body: () => void): { code: string; constraint: string | null } {
  try {
    body();
  } catch (error) {
    if (isPgError(error)) return { code: error.code, constraint: error.constraint ?? null };
    throw error;
  }
  throw new Error('the statement succeeded');
}

describe('relation plans across catalog changes', () => {
  it('a row breaking two CHECKs names the alphabetically first, before and after a rename reorders them', () => {
    const db = new Database();
    db.createTable({ name: 't', columns: [{ name: 'a', type: 'bigint' }] });
    db.addConstraint('t', { kind: 'check', name: 'b_positive', expr: gt(col('a'), 0) });
    db.addConstraint('t', { kind: 'check', name: 'c_large', expr: gt(col('a'), 10) });
    db.insert('t', { a: 20 });
    expect(failure(() => db.insert('t', { a: -1 }))).toEqual({ code: '23514', constraint: 'b_positive' });
    // DDL on another table keeps t's plan; its checks still run in the same order.
    db.createTable({ name: 'other', columns: [{ name: 'id', type: 'bigint' }] });
    expect(failure(() => db.insert('t', { a: -1 }))).toEqual({ code: '23514', constraint: 'b_positive' });
    db.renameConstraint('t', 'b_positive', 'd_positive');
    expect(failure(() => db.insert('t', { a: -1 }))).toEqual({ code: '23514', constraint: 'c_large' });
    db.renameConstraint('t', 'c_large', 'e_large');
    expect(failure(() => db.insert('t', { a: -1 }))).toEqual({ code: '23514', constraint: 'd_positive' });
  });

  it('a foreign key added on another table is enforced on the referenced table it did not change', () => {
    const db = new Database();
    db.createTable({ name: 'parents', columns: [{ name: 'id', type: 'bigint' }], primaryKey: ['id'] });
    db.createTable({ name: 'children', columns: [{ name: 'parent_id', type: 'bigint' }] });
    db.insert('parents', [{ id: 1 }, { id: 2 }]);
    db.delete('parents', gt(col('id'), 1));
    db.insert('children', { parent_id: 1 });
    db.addConstraint('children', {
      kind: 'foreignKey',
      name: 'children_parent_fk',
      columns: ['parent_id'],
      references: { table: 'parents', columns: ['id'] },
    });
    expect(failure(() => db.delete('parents'))).toEqual({ code: '23503', constraint: 'children_parent_fk' });
    db.dropConstraint('children', 'children_parent_fk');
    db.delete('parents');
    expect(db.rows('parents')).toEqual([]);
  });
});
