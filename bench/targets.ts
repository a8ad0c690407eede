import { PGlite } from '@electric-sql/pglite';
import { Database } from '../src/database.js';
import { col, eq } from '../src/engine/expression.js';
import { isPgError } from '../src/engine/errors.js';
import type { BenchStatement, Workload } from './workload.js';

/**
 * The three targets of `npm run bench`. Each preloads the workload's rows untimed, then runs its
 * statements and returns the number of statements that raised a foreign-key error, which must be
 * the same for all three (the benchmark asserts it, so no target can win by doing less).
 */
export interface Target {
  readonly name: string;
  run(statements: readonly BenchStatement[]): Promise<number> | number;
  rows(): Promise<{ parents: number; children: number }> | { parents: number; children: number };
}

const PRELOAD_BATCH = 1000;

export function engineTarget(workload: Workload): Target {
  const db = new Database();
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'parent_id', type: 'bigint', notNull: true },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        name: 'children_parent_id_fkey',
        columns: ['parent_id'],
        references: { table: 'parents' },
        onDelete: 'cascade',
      },
    ],
  });
  for (let start = 1; start <= workload.size; start += PRELOAD_BATCH) {
    const ids = Array.from(
      { length: Math.min(PRELOAD_BATCH, workload.size - start + 1) },
      (_, offset) => start + offset,
    );
    db.insert(
      'parents',
      ids.map((id) => ({ id, name: `parent-${id % 64}` })),
    );
    db.insert(
      'children',
      ids.map((id) => ({ id, parent_id: id, note: 'preloaded' })),
    );
  }
  return {
    name: 'engine',
    run(statements) {
      let errors = 0;
      for (const statement of statements) {
        switch (statement.kind) {
          case 'insertParent':
            db.insert('parents', { id: statement.id, name: statement.name });
            break;
          case 'insertChild':
            try {
              db.insert('children', { id: statement.id, parent_id: statement.parentId, note: statement.note });
            } catch (error) {
              if (!isPgError(error) || error.code !== '23503') throw error;
              errors++;
            }
            break;
          case 'updateChild':
            db.update('children', { note: statement.note }, eq(col('id'), statement.id));
            break;
          case 'deleteParent':
            db.delete('parents', eq(col('id'), statement.id));
            break;
        }
      }
      return errors;
    },
    rows: () => ({ parents: db.rows('parents').length, children: db.rows('children').length }),
  };
}

/** Plain JS Maps doing the same look-ups and writes with no semantics: the ceiling. */
export function mapTarget(workload: Workload): Target {
  interface ChildRow {
    readonly id: number;
    readonly parent_id: number;
    readonly note: string;
  }
  const parents = new Map<number, { readonly id: number; readonly name: string }>();
  const children = new Map<number, ChildRow>();
  const childrenByParent = new Map<number, Set<number>>();
  for (let id = 1; id <= workload.size; id++) {
    parents.set(id, { id, name: `parent-${id % 64}` });
    children.set(id, { id, parent_id: id, note: 'preloaded' });
    childrenByParent.set(id, new Set([id]));
  }
  return {
    name: 'raw Map ceiling',
    run(statements) {
      let errors = 0;
      for (const statement of statements) {
        switch (statement.kind) {
          case 'insertParent':
            if (parents.has(statement.id)) throw new Error('duplicate parent');
            parents.set(statement.id, { id: statement.id, name: statement.name });
            break;
          case 'insertChild': {
            if (!parents.has(statement.parentId)) {
              errors++;
              break;
            }
            children.set(statement.id, { id: statement.id, parent_id: statement.parentId, note: statement.note });
            let set = childrenByParent.get(statement.parentId);
            if (set === undefined) {
              set = new Set();
              childrenByParent.set(statement.parentId, set);
            }
            set.add(statement.id);
            break;
          }
          case 'updateChild': {
            const row = children.get(statement.id);
            if (row !== undefined) children.set(statement.id, { ...row, note: statement.note });
            break;
          }
          case 'deleteParent': {
            parents.delete(statement.id);
            for (const child of childrenByParent.get(statement.id) ?? []) children.delete(child);
            childrenByParent.delete(statement.id);
            break;
          }
        }
      }
      return errors;
    },
    rows: () => ({ parents: parents.size, children: children.size }),
  };
}

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function sqlOf(statement: BenchStatement): string {
  switch (statement.kind) {
    case 'insertParent':
      return `INSERT INTO parents (id, name) VALUES (${statement.id}, ${quote(statement.name)})`;
    case 'insertChild':
      return `INSERT INTO children (id, parent_id, note) VALUES (${statement.id}, ${statement.parentId}, ${quote(statement.note)})`;
    case 'updateChild':
      return `UPDATE children SET note = ${quote(statement.note)} WHERE id = ${statement.id}`;
    case 'deleteParent':
      return `DELETE FROM parents WHERE id = ${statement.id}`;
  }
}

/**
 * Real PostgreSQL 18 in WASM, reused, each statement under a savepoint inside one transaction
 * (as the differential oracle drives it), so its per-statement cost includes what the oracle pays.
 */
export async function pgliteTarget(workload: Workload): Promise<Target & { close(): Promise<void> }> {
  const pg = new PGlite();
  await pg.exec(`
    CREATE TABLE parents (id bigint PRIMARY KEY, name text);
    CREATE TABLE children (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parents(id) ON DELETE CASCADE, note text);
    CREATE INDEX children_parent_id_idx ON children (parent_id);
    INSERT INTO parents SELECT g, 'parent-' || (g % 64) FROM generate_series(1, ${workload.size}) g;
    INSERT INTO children SELECT g, g, 'preloaded' FROM generate_series(1, ${workload.size}) g;
    BEGIN;`);
  return {
    name: 'PGlite (PostgreSQL 18)',
    async run(statements) {
      let errors = 0;
      for (const statement of statements) {
        try {
          await pg.exec(`SAVEPOINT s; ${sqlOf(statement)}; RELEASE SAVEPOINT s;`);
        } catch (error) {
          if ((error as { code?: string }).code !== '23503') throw error;
          errors++;
          await pg.exec('ROLLBACK TO SAVEPOINT s; RELEASE SAVEPOINT s;');
        }
      }
      return errors;
    },
    async rows() {
      const result = await pg.query<{ parents: number; children: number }>(
        'SELECT (SELECT count(*)::int FROM parents) AS parents, (SELECT count(*)::int FROM children) AS children',
      );
      return result.rows[0]!;
    },
    async close() {
      await pg.close();
    },
  };
}
