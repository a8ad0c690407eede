/**
 * Reads through a snapshot use the unique indexes and foreign-key referencing maps, which hold newest
 * versions only (docs/concurrency.md, "How the engine models it"). A probe must still find a row the
 * snapshot sees through an older version: one whose key a running transaction changed or whose
 * delete is not visible yet. Checked on fixed cases, then against the whole-heap read over random
 * three-session histories (fixed seed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { col, eq, gt } from '../../../src/index.js';
import type { Database, Row, Statement } from '../../../src/index.js';
import { begin, commit, world } from './helpers.js';

const byId = { orderBy: [{ column: 'id', direction: 'asc' as const }] };

function schema(db: Database): void {
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'v', type: 'integer', notNull: true },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'parent_id', type: 'integer' },
      { name: 'v', type: 'integer', notNull: true },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        columns: ['parent_id'],
        references: { table: 'parents' },
        onDelete: 'cascade',
        onUpdate: 'cascade',
      },
    ],
  });
  db.insert('parents', [
    { id: 1, v: 0 },
    { id: 2, v: 0 },
  ]);
  db.insert('children', [
    { id: 1, parent_id: 1, v: 0 },
    { id: 2, parent_id: 2, v: 0 },
  ]);
}

const select = (table: string, where: Statement extends never ? never : ReturnType<typeof eq> | null): Statement =>
  where === null ? { kind: 'select', table, options: byId } : { kind: 'select', table, options: { ...byId, where } };

describe('index probes through a snapshot', () => {
  it('find the version a snapshot sees under its old key, and not under the new one', () => {
    const w = world(schema);
    w.run(0, begin, { kind: 'update', table: 'parents', set: { id: 10 }, where: eq(col('id'), 1), options: {} });
    w.run(1, select('parents', eq(col('id'), 1)));
    expect(w.result(1)).toEqual([{ id: 1, v: 0 }]);
    w.run(1, select('parents', eq(col('id'), 10)));
    expect(w.result(1)).toEqual([]);
    // The cascaded key change is not visible either: the child is found under its old parent.
    w.run(1, select('children', eq(col('parent_id'), 1)));
    expect(w.result(1)).toEqual([{ id: 1, parent_id: 1, v: 0 }]);
    w.run(0, commit);
    w.run(1, select('parents', eq(col('id'), 1)));
    expect(w.result(1)).toEqual([]);
    w.run(1, select('children', eq(col('parent_id'), 10)));
    expect(w.result(1)).toEqual([{ id: 1, parent_id: 10, v: 0 }]);
  });

  it('find a row whose delete the snapshot does not see, and a REPEATABLE READ snapshot keeps it', () => {
    const w = world(schema);
    w.run(1, { kind: 'begin', isolation: 'repeatable read' }, select('parents', null));
    w.run(0, { kind: 'delete', table: 'parents', where: eq(col('id'), 2), options: {} });
    w.run(1, select('parents', eq(col('id'), 2)), select('children', eq(col('parent_id'), 2)));
    expect(w.result(1)).toEqual([{ id: 2, parent_id: 2, v: 0 }]);
    w.run(1, select('parents', eq(col('id'), 2)));
    expect(w.result(1)).toEqual([{ id: 2, v: 0 }]);
  });
});

describe('a key held by a version its own transaction superseded', () => {
  // Observed on PostgreSQL 18.4: the index entry of the dead version makes the second insert wait
  // for the first transaction (its dirty snapshot sees an inserter in progress).
  for (const [name, supersede] of [
    ['updated away', { kind: 'update', table: 'parents', set: { id: 4 }, where: eq(col('id'), 3), options: {} }],
    ['deleted', { kind: 'delete', table: 'parents', where: eq(col('id'), 3), options: {} }],
  ] as const) {
    it(`makes another insert of the key wait until the transaction ends (inserted, then ${name})`, () => {
      const w = world(schema);
      const insert3: Statement = { kind: 'insert', table: 'parents', rows: [{ id: 3, v: 0 }], options: {} };
      w.run(0, begin, insert3, supersede as Statement);
      expect(w.run(1, insert3)).toBe('waiting');
      w.run(0, { kind: 'rollback' });
      w.scheduler.runUntilQuiescent();
      expect(w.scheduler.statusOf(1)).toBe('idle');
      w.run(1, select('parents', eq(col('id'), 3)));
      expect(w.result(1)).toEqual([{ id: 3, v: 0 }]);
    });
  }
});

// --- random histories ------------------------------------------------------------------------

type Action =
  | { readonly kind: 'begin'; readonly session: number; readonly repeatable: boolean }
  | { readonly kind: 'end'; readonly session: number; readonly commit: boolean }
  | { readonly kind: 'write'; readonly session: number; readonly statement: Statement };

const key = fc.integer({ min: 1, max: 4 });
const session = fc.integer({ min: 0, max: 2 });
const write: fc.Arbitrary<Statement> = fc.oneof(
  key.map((id): Statement => ({ kind: 'insert', table: 'parents', rows: [{ id, v: 0 }], options: {} })),
  fc.tuple(fc.integer({ min: 1, max: 6 }), key).map(
    ([id, parent]): Statement => ({
      kind: 'insert',
      table: 'children',
      rows: [{ id, parent_id: parent, v: 0 }],
      options: {},
    }),
  ),
  fc.tuple(key, key).map(
    ([from, to]): Statement => ({
      kind: 'update',
      table: 'parents',
      set: { id: to },
      where: eq(col('id'), from),
      options: {},
    }),
  ),
  key.map(
    (id): Statement => ({ kind: 'update', table: 'parents', set: { v: 1 }, where: eq(col('id'), id), options: {} }),
  ),
  fc.tuple(fc.integer({ min: 1, max: 6 }), key).map(
    ([id, parent]): Statement => ({
      kind: 'update',
      table: 'children',
      set: { parent_id: parent },
      where: eq(col('id'), id),
      options: {},
    }),
  ),
  key.map((id): Statement => ({ kind: 'delete', table: 'parents', where: eq(col('id'), id), options: {} })),
  fc
    .integer({ min: 1, max: 6 })
    .map((id): Statement => ({ kind: 'delete', table: 'children', where: eq(col('id'), id), options: {} })),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('begin' as const), session, repeatable: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('end' as const), session, commit: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('write' as const), session, statement: write }), weight: 6 },
);

/** Every keyed read, in one step, next to the whole tables read in the same step. */
const reads: readonly Statement[] = [
  select('parents', gt(col('id'), 0)),
  select('children', gt(col('id'), 0)),
  ...[1, 2, 3, 4].flatMap((k) => [select('parents', eq(col('id'), k)), select('children', eq(col('parent_id'), k))]),
  ...[1, 2, 3, 4, 5, 6].map((k) => select('children', eq(col('id'), k))),
];

function checkReads(outcomes: readonly unknown[]): void {
  const [parents, children, ...keyed] = outcomes as Row[][];
  for (const [position, k] of [1, 2, 3, 4].entries()) {
    expect(keyed[2 * position]).toEqual(parents!.filter((row) => row.id === k));
    expect(keyed[2 * position + 1]).toEqual(children!.filter((row) => row.parent_id === k));
  }
  for (const [position, k] of [1, 2, 3, 4, 5, 6].entries())
    expect(keyed[8 + position]).toEqual(children!.filter((row) => row.id === k));
}

describe('index probes through a snapshot, against whole-heap reads', () => {
  it('agree over random three-session histories', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 30 }), (actions) => {
        const w = world(schema, 3);
        let checked = 0;
        for (const next of actions) {
          if (w.scheduler.statusOf(next.session) !== 'idle') continue;
          const statements: Statement[] =
            next.kind === 'begin'
              ? [next.repeatable ? { kind: 'begin', isolation: 'repeatable read' } : begin]
              : next.kind === 'end'
                ? [next.commit ? commit : { kind: 'rollback' }]
                : [next.statement];
          w.run(next.session, ...statements);
          // Let deadlocks and waits resolve on the virtual clock before reading.
          for (let bound = 0; w.scheduler.waiting().length === 3 && bound < 10; bound++) {
            w.scheduler.advanceClock();
            w.scheduler.runUntilQuiescent();
          }
          for (let reader = 0; reader < 3; reader++) {
            if (w.scheduler.statusOf(reader) !== 'idle' || w.sessions[reader]!.transactionStatus === 'aborted')
              continue;
            w.scheduler.submit(reader, reads);
            w.scheduler.step(reader);
            w.scheduler.runUntilQuiescent();
            expect(w.scheduler.statusOf(reader)).toBe('idle');
            const outcomes = w.scheduler.outcomesOf(reader);
            expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
            checkReads(outcomes.map((outcome) => (outcome.ok ? outcome.value : null)));
            checked++;
          }
        }
        return checked >= 0;
      }),
      { seed: 20261201, numRuns: 80 },
    );
  });
});
