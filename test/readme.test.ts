import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Database, PgError, col, eq } from '../src/index.js';
import { runnersDomain } from '../model/runners/domain.js';

/** The README's engine example, run as written, so the documentation cannot drift from the engine. */
describe('README engine example', () => {
  it('behaves as the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain("db.validateConstraint('children', 'fk_parent');");
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
    db.insert('children', { parent_id: 99 });
    db.addConstraint('children', {
      kind: 'foreignKey',
      name: 'fk_parent',
      columns: ['parent_id'],
      references: { table: 'parents' },
      onDelete: 'cascade',
      notValid: true,
    });
    db.update('children', { parent_id: 99 }, eq(col('id'), 1));
    let caught: unknown;
    try {
      db.validateConstraint('children', 'fk_parent');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PgError);
    expect((caught as PgError).code).toBe('23503');
    expect((caught as PgError).message).toBe(
      'insert or update on table "children" violates foreign key constraint "fk_parent"',
    );
    expect(db.constraint('children', 'fk_parent').valid).toBe(false);
  });
});

/** Issue 13: the README lists each invariant with its sentence, exactly as `pgdrill invariants` prints it. */
describe('README invariant list', () => {
  it('has a row per invariant quoting its sentence', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const invariant of runnersDomain.invariants)
      expect(readme, invariant.id).toContain(`| \`${invariant.id}\` | ${invariant.scope} | ${invariant.sentence} |`);
  });
});
