import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Database, PgError, col, eq } from '../../src/index.js';
import type { ReferentialAction, Row } from '../../src/index.js';
import { plainSnapshot } from './helpers.js';

/**
 * Property: random DML on parent/child with one FK (random ON DELETE / ON UPDATE actions), inside
 * random transactions and savepoints. After every step the FK has no violator (checked by a full
 * scan of `db.rows()`, not by the engine's indexes), referential actions did what they say, and
 * every rollback (statement, savepoint, transaction) restores the earlier snapshot exactly.
 */
type Command =
  | { readonly kind: 'insertParent'; readonly id: number }
  | { readonly kind: 'insertChild'; readonly id: number; readonly pid: number | null }
  | { readonly kind: 'updateParentKey'; readonly from: number; readonly to: number }
  | { readonly kind: 'updateChild'; readonly id: number; readonly pid: number | null }
  | { readonly kind: 'touchChild'; readonly id: number }
  | { readonly kind: 'deleteParent'; readonly id: number }
  | { readonly kind: 'deleteChild'; readonly id: number }
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'savepoint'; readonly name: string }
  | { readonly kind: 'rollbackTo'; readonly name: string }
  | { readonly kind: 'release'; readonly name: string };

const key = fc.integer({ min: 1, max: 3 });
const childId = fc.integer({ min: 1, max: 6 });
// Mostly keys that can exist, sometimes one that never does, sometimes NULL (MATCH SIMPLE).
const childKey = fc.option(fc.integer({ min: 1, max: 4 }), { freq: 8 });
const savepointName = fc.constantFrom('a', 'b');
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: key.map((id) => ({ kind: 'insertParent' as const, id })) },
  {
    weight: 6,
    arbitrary: fc.record({ id: childId, pid: childKey }).map((value) => ({ kind: 'insertChild' as const, ...value })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ from: key, to: fc.integer({ min: 1, max: 5 }) })
      .map((value) => ({ kind: 'updateParentKey' as const, ...value })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ id: childId, pid: childKey }).map((value) => ({ kind: 'updateChild' as const, ...value })),
  },
  { weight: 1, arbitrary: childId.map((id) => ({ kind: 'touchChild' as const, id })) },
  { weight: 3, arbitrary: key.map((id) => ({ kind: 'deleteParent' as const, id })) },
  { weight: 1, arbitrary: childId.map((id) => ({ kind: 'deleteChild' as const, id })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'begin' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
  { weight: 3, arbitrary: savepointName.map((name) => ({ kind: 'savepoint' as const, name })) },
  { weight: 3, arbitrary: savepointName.map((name) => ({ kind: 'rollbackTo' as const, name })) },
  { weight: 1, arbitrary: savepointName.map((name) => ({ kind: 'release' as const, name })) },
);
const action: fc.Arbitrary<ReferentialAction> = fc.constantFrom('no action', 'restrict', 'cascade', 'set null');

function build(onDelete: ReferentialAction, onUpdate: ReferentialAction): Database {
  const db = new Database();
  db.createTable({
    name: 'parent',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'integer', default: 0 },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'child',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'pid', type: 'integer' },
      { name: 'v', type: 'integer', default: 0 },
    ],
    primaryKey: ['id'],
    constraints: [
      { kind: 'foreignKey', name: 'child_fk', columns: ['pid'], references: { table: 'parent' }, onDelete, onUpdate },
    ],
  });
  // Start with referenced parents so deletes and key updates hit referencing rows early.
  db.insert('parent', [{ id: 1 }, { id: 2 }, { id: 3 }]);
  db.insert('child', [
    { id: 1, pid: 1 },
    { id: 2, pid: 1 },
    { id: 3, pid: 2 },
  ]);
  return db;
}

const stats = {
  fkErrors: 0,
  restrictErrors: 0,
  cascadedDeletes: 0,
  cascadedUpdates: 0,
  setNulls: 0,
  statementRollbacks: 0,
  savepointRollbacks: 0,
  transactionRollbacks: 0,
  abortedTransactions: 0,
};

function referencing(rows: readonly Row[], id: number): Row[] {
  return rows.filter((row) => row.pid === id);
}

describe('FK property test (fast-check, fixed seed)', () => {
  it('a valid FK never has a violator and every rollback restores the earlier snapshot exactly', () => {
    fc.assert(
      fc.property(
        action,
        action,
        fc.array(command, { minLength: 10, maxLength: 60 }),
        (onDelete, onUpdate, commands) => {
          const db = build(onDelete, onUpdate);
          let beginSnapshot: Record<string, Row[]> | null = null;
          let savepoints: { name: string; snapshot: Record<string, Row[]> }[] = [];

          const statement = (body: () => void, expectError?: (error: PgError) => void): void => {
            const before = plainSnapshot(db);
            const inBlock = db.transactionStatus !== 'idle';
            try {
              body();
            } catch (error) {
              if (!(error instanceof PgError)) throw error;
              if (error.code === '25P02') return;
              expect(['23503', '23001', '23505']).toContain(error.code);
              if (error.code === '23503') stats.fkErrors++;
              if (error.code === '23001') stats.restrictErrors++;
              expectError?.(error);
              // The failed statement undid itself completely, in autocommit and in a transaction block.
              expect(plainSnapshot(db)).toEqual(before);
              stats.statementRollbacks++;
              if (inBlock) {
                expect(db.transactionStatus).toBe('aborted');
                stats.abortedTransactions++;
              }
            }
          };

          for (const step of commands) {
            const parents = db.rows('parent');
            const children = db.rows('child');
            switch (step.kind) {
              case 'insertParent':
                statement(() => db.insert('parent', { id: step.id }));
                break;
              case 'insertChild':
                statement(() => db.insert('child', { id: step.id, pid: step.pid }));
                break;
              case 'updateChild':
                statement(() => db.update('child', { pid: step.pid }, eq(col('id'), step.id)));
                break;
              case 'touchChild':
                statement(() => db.update('child', { v: 1 }, eq(col('id'), step.id)));
                break;
              case 'deleteChild':
                statement(() => db.delete('child', eq(col('id'), step.id)));
                break;
              case 'deleteParent': {
                const referencingRows = referencing(children, step.id);
                const exists = parents.some((row) => row.id === step.id);
                let failed = false;
                statement(
                  () => db.delete('parent', eq(col('id'), step.id)),
                  (error) => {
                    failed = true;
                    expect(error.code).toBe(onDelete === 'restrict' ? '23001' : '23503');
                  },
                );
                if (failed || db.transactionStatus === 'aborted' || !exists || referencingRows.length === 0) break;
                // The delete succeeded and had referencing rows: only a cascading action allows that.
                expect(['cascade', 'set null']).toContain(onDelete);
                const after = db.rows('child');
                if (onDelete === 'cascade') {
                  expect(referencingRows.every((row) => !after.some((other) => other.id === row.id))).toBe(true);
                  stats.cascadedDeletes++;
                } else {
                  expect(referencingRows.every((row) => after.find((other) => other.id === row.id)?.pid === null)).toBe(
                    true,
                  );
                  stats.setNulls++;
                }
                break;
              }
              case 'updateParentKey': {
                const referencingRows = referencing(children, step.from);
                const exists = parents.some((row) => row.id === step.from);
                const targetTaken = parents.some((row) => row.id === step.to);
                let failed = false;
                statement(
                  () => db.update('parent', { id: step.to }, eq(col('id'), step.from)),
                  () => {
                    failed = true;
                  },
                );
                if (
                  failed ||
                  db.transactionStatus === 'aborted' ||
                  !exists ||
                  targetTaken ||
                  step.from === step.to ||
                  referencingRows.length === 0
                )
                  break;
                expect(['cascade', 'set null']).toContain(onUpdate);
                const after = db.rows('child');
                const expectedPid = onUpdate === 'cascade' ? step.to : null;
                expect(
                  referencingRows.every((row) => after.find((other) => other.id === row.id)?.pid === expectedPid),
                ).toBe(true);
                if (onUpdate === 'cascade') stats.cascadedUpdates++;
                else stats.setNulls++;
                break;
              }
              case 'begin':
                if (db.transactionStatus === 'idle') {
                  beginSnapshot = plainSnapshot(db);
                  savepoints = [];
                }
                // PostgreSQL refuses BEGIN in an aborted block (25P02), as the engine now does.
                if (db.transactionStatus !== 'aborted') db.begin();
                break;
              case 'commit': {
                const wasAborted = db.transactionStatus === 'aborted';
                const result = db.commit();
                if (wasAborted) {
                  expect(result).toBe('ROLLBACK');
                  expect(plainSnapshot(db)).toEqual(beginSnapshot);
                  stats.transactionRollbacks++;
                }
                beginSnapshot = null;
                savepoints = [];
                break;
              }
              case 'rollback':
                if (beginSnapshot !== null) {
                  db.rollback();
                  expect(plainSnapshot(db)).toEqual(beginSnapshot);
                  stats.transactionRollbacks++;
                }
                beginSnapshot = null;
                savepoints = [];
                break;
              case 'savepoint':
                if (db.transactionStatus !== 'active') break;
                db.savepoint(step.name);
                savepoints.push({ name: step.name, snapshot: plainSnapshot(db) });
                break;
              case 'rollbackTo': {
                const index = savepoints.map((savepoint) => savepoint.name).lastIndexOf(step.name);
                if (index < 0) break;
                db.rollbackToSavepoint(step.name);
                expect(db.transactionStatus).toBe('active');
                expect(plainSnapshot(db)).toEqual(savepoints[index]!.snapshot);
                savepoints.length = index + 1;
                stats.savepointRollbacks++;
                break;
              }
              case 'release': {
                const index = savepoints.map((savepoint) => savepoint.name).lastIndexOf(step.name);
                if (index < 0 || db.transactionStatus !== 'active') break;
                db.releaseSavepoint(step.name);
                savepoints.length = index;
                break;
              }
            }
            // (a) The FK holds over a full scan of the heaps.
            const parentIds = new Set(db.rows('parent').map((row) => row.id));
            for (const row of db.rows('child')) {
              if (row.pid !== null) expect(parentIds.has(row.pid!)).toBe(true);
            }
            expect(db.constraint('child', 'child_fk').valid).toBe(true);
          }
          if (db.transactionStatus !== 'idle') {
            db.rollback();
            expect(plainSnapshot(db)).toEqual(beginSnapshot);
          }
        },
      ),
      { seed: 42, numRuns: 200 },
    );
    // The interesting cases were generated.
    expect(stats.fkErrors).toBeGreaterThan(0);
    expect(stats.restrictErrors).toBeGreaterThan(0);
    expect(stats.cascadedDeletes).toBeGreaterThan(0);
    expect(stats.cascadedUpdates).toBeGreaterThan(0);
    expect(stats.setNulls).toBeGreaterThan(0);
    expect(stats.savepointRollbacks).toBeGreaterThan(0);
    expect(stats.transactionRollbacks).toBeGreaterThan(0);
    expect(stats.abortedTransactions).toBeGreaterThan(0);
  });
});
