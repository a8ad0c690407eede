/**
 * Generic lock programs with PostgreSQL 18's observed outcomes: a deadlock (40P01, the earliest
 * waiter in the cycle is the victim), lock_timeout and NOWAIT (55P03), SKIP LOCKED, and REPEATABLE
 * READ write conflicts (40001). They pin down the driver on the real server and are the first
 * programs the engine's sessions must reproduce.
 */
import { arithmetic, col, eq } from '../../engine/expression.js';
import type { Expr } from '../../engine/expression.js';
import type { LockingClause } from '../../engine/statements/select.js';
import type { Statement } from '../../engine/statements/registry.js';
import type { SqlValue } from '../../engine/values.js';
import type { RegressionProgram } from './expectation.js';

const items = [
  'CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL)',
  'INSERT INTO items VALUES (1, 0), (2, 0), (3, 0)',
];

// The same programs as engine statement values (docs/concurrency.md): what the engine's sessions run.
const itemsStatements: readonly Statement[] = [
  {
    kind: 'createTable',
    spec: {
      name: 'items',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'integer', notNull: true },
      ],
      primaryKey: ['id'],
    },
  },
  {
    kind: 'insert',
    table: 'items',
    rows: [
      { id: 1, v: 0 },
      { id: 2, v: 0 },
      { id: 3, v: 0 },
    ],
    options: {},
  },
];

const begin: Statement = { kind: 'begin' };
const commit: Statement = { kind: 'commit' };
const rollback: Statement = { kind: 'rollback' };
const updateItem = (id: number, v: Expr | SqlValue): Statement => ({
  kind: 'update',
  table: 'items',
  set: { v },
  where: eq(col('id'), id),
  options: {},
});
const plus = (amount: number): Expr => arithmetic('+', col('v'), amount);
const lockItems = (locking: LockingClause, id?: number): Statement => ({
  kind: 'select',
  table: 'items',
  options: {
    ...(id === undefined ? { orderBy: [{ column: 'id', direction: 'asc' as const }] } : { where: eq(col('id'), id) }),
    locking,
  },
});

export const deadlockProgram: RegressionProgram = {
  program: {
    name: 'deadlock-two-rows',
    description:
      'Two transactions update two rows in opposite orders; the first to wait is the one whose deadlock ' +
      'check finds the cycle, so it is aborted with 40P01 and the other proceeds.',
    setup: items,
    setupStatements: itemsStatements,
    sessions: [
      {
        name: 's1',
        steps: [
          { name: 's1_begin', sql: 'BEGIN', statements: [begin] },
          { name: 's1_row1', sql: 'UPDATE items SET v = v + 1 WHERE id = 1', statements: [updateItem(1, plus(1))] },
          { name: 's1_row2', sql: 'UPDATE items SET v = v + 10 WHERE id = 2', statements: [updateItem(2, plus(10))] },
          { name: 's1_commit', sql: 'COMMIT', statements: [commit] },
        ],
      },
      {
        name: 's2',
        steps: [
          { name: 's2_begin', sql: 'BEGIN', statements: [begin] },
          { name: 's2_row2', sql: 'UPDATE items SET v = v + 100 WHERE id = 2', statements: [updateItem(2, plus(100))] },
          {
            name: 's2_row1',
            sql: 'UPDATE items SET v = v + 1000 WHERE id = 1',
            statements: [updateItem(1, plus(1000))],
          },
          { name: 's2_commit', sql: 'COMMIT', statements: [commit] },
        ],
      },
    ],
    permutations: [
      ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's1_row2', 's2_row1', 's1_commit', 's2_commit'],
      ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's2_row1', 's1_row2', 's2_commit', 's1_commit'],
    ],
  },
  expected: [
    {
      permutation: ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's1_row2', 's2_row1', 's1_commit', 's2_commit'],
      blocked: { s1_row2: ['s2'], s2_row1: ['s1'] },
      locks: { s1_row2: 'ShareLock on transaction', s2_row1: 'ShareLock on transaction' },
      errors: { s1_row2: '40P01' },
      completionOrder: ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's2_row1', 's1_row2', 's1_commit', 's2_commit'],
      contents: {
        items: [
          { id: 1, v: 1000 },
          { id: 2, v: 100 },
          { id: 3, v: 0 },
        ],
      },
    },
    {
      permutation: ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's2_row1', 's1_row2', 's2_commit', 's1_commit'],
      blocked: { s2_row1: ['s1'], s1_row2: ['s2'] },
      errors: { s2_row1: '40P01' },
      completionOrder: ['s1_begin', 's2_begin', 's1_row1', 's2_row2', 's1_row2', 's2_row1', 's2_commit', 's1_commit'],
      contents: {
        items: [
          { id: 1, v: 1 },
          { id: 2, v: 10 },
          { id: 3, v: 0 },
        ],
      },
    },
  ],
};

export const lockTimeoutProgram: RegressionProgram = {
  program: {
    name: 'lock-timeout-nowait-skip-locked',
    description:
      'A transaction holds row 1 FOR UPDATE: NOWAIT fails at once with 55P03, SKIP LOCKED returns the ' +
      'other rows, and an UPDATE under lock_timeout waits, then fails with 55P03.',
    setup: items,
    setupStatements: itemsStatements,
    sessions: [
      {
        name: 'holder',
        steps: [
          {
            name: 'hold_row1',
            sql: 'BEGIN; SELECT id FROM items WHERE id = 1 FOR UPDATE',
            statements: [begin, lockItems({ strength: 'Update' }, 1)],
          },
          { name: 'holder_commit', sql: 'COMMIT', statements: [commit] },
        ],
      },
      {
        name: 'other',
        setup: ["SET lock_timeout = '150ms'"],
        setupStatements: [{ kind: 'set', name: 'lock_timeout', milliseconds: 150 }],
        steps: [
          {
            name: 'nowait',
            sql: 'SELECT id FROM items WHERE id = 1 FOR UPDATE NOWAIT',
            statements: [lockItems({ strength: 'Update', wait: 'nowait' }, 1)],
          },
          {
            name: 'skip_locked',
            sql: 'SELECT id FROM items ORDER BY id FOR UPDATE SKIP LOCKED',
            statements: [lockItems({ strength: 'Update', wait: 'skipLocked' })],
          },
          { name: 'update_row1', sql: 'UPDATE items SET v = 7 WHERE id = 1', statements: [updateItem(1, 7)] },
          { name: 'update_row2', sql: 'UPDATE items SET v = 8 WHERE id = 2', statements: [updateItem(2, 8)] },
        ],
      },
    ],
    permutations: [['hold_row1', 'nowait', 'skip_locked', 'update_row1', 'update_row2', 'holder_commit']],
  },
  expected: [
    {
      permutation: ['hold_row1', 'nowait', 'skip_locked', 'update_row1', 'update_row2', 'holder_commit'],
      blocked: { update_row1: ['holder'] },
      locks: { update_row1: 'ShareLock on transaction' },
      errors: { nowait: '55P03', update_row1: '55P03' },
      rowCounts: { skip_locked: 2, update_row2: 1 },
      completionOrder: ['hold_row1', 'nowait', 'skip_locked', 'update_row1', 'update_row2', 'holder_commit'],
      contents: {
        items: [
          { id: 1, v: 0 },
          { id: 2, v: 8 },
          { id: 3, v: 0 },
        ],
      },
    },
  ],
};

export const serializationProgram: RegressionProgram = {
  program: {
    name: 'repeatable-read-write-conflict',
    description:
      'A REPEATABLE READ transaction updates a row another transaction changed after its snapshot: 40001 ' +
      'at once if that change committed before, after a wait if it was still open.',
    setup: items,
    setupStatements: itemsStatements,
    sessions: [
      {
        name: 'rr',
        steps: [
          {
            name: 'rr_begin',
            sql: 'BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM items',
            // The engine reads the rows themselves: its SELECT has no aggregates; the snapshot is the same.
            statements: [
              { kind: 'begin', isolation: 'repeatable read' },
              { kind: 'select', table: 'items', options: {} },
            ],
          },
          { name: 'rr_update', sql: 'UPDATE items SET v = v + 1 WHERE id = 1', statements: [updateItem(1, plus(1))] },
          { name: 'rr_rollback', sql: 'ROLLBACK', statements: [rollback] },
        ],
      },
      {
        name: 'writer',
        steps: [
          { name: 'w_begin', sql: 'BEGIN', statements: [begin] },
          { name: 'w_update', sql: 'UPDATE items SET v = 5 WHERE id = 1', statements: [updateItem(1, 5)] },
          { name: 'w_commit', sql: 'COMMIT', statements: [commit] },
        ],
      },
    ],
    permutations: [
      ['rr_begin', 'w_begin', 'w_update', 'w_commit', 'rr_update', 'rr_rollback'],
      ['rr_begin', 'w_begin', 'w_update', 'rr_update', 'w_commit', 'rr_rollback'],
      ['w_begin', 'w_update', 'rr_begin', 'rr_update', 'w_commit', 'rr_rollback'],
    ],
  },
  expected: [
    {
      permutation: ['rr_begin', 'w_begin', 'w_update', 'w_commit', 'rr_update', 'rr_rollback'],
      blocked: {},
      errors: { rr_update: '40001' },
      completionOrder: ['rr_begin', 'w_begin', 'w_update', 'w_commit', 'rr_update', 'rr_rollback'],
      contents: {
        items: [
          { id: 1, v: 5 },
          { id: 2, v: 0 },
          { id: 3, v: 0 },
        ],
      },
    },
    {
      permutation: ['rr_begin', 'w_begin', 'w_update', 'rr_update', 'w_commit', 'rr_rollback'],
      blocked: { rr_update: ['writer'] },
      errors: { rr_update: '40001' },
      completionOrder: ['rr_begin', 'w_begin', 'w_update', 'w_commit', 'rr_update', 'rr_rollback'],
      contents: {
        items: [
          { id: 1, v: 5 },
          { id: 2, v: 0 },
          { id: 3, v: 0 },
        ],
      },
    },
    {
      permutation: ['w_begin', 'w_update', 'rr_begin', 'rr_update', 'w_commit', 'rr_rollback'],
      blocked: { rr_update: ['writer'] },
      errors: { rr_update: '40001' },
      completionOrder: ['w_begin', 'w_update', 'rr_begin', 'w_commit', 'rr_update', 'rr_rollback'],
      contents: {
        items: [
          { id: 1, v: 5 },
          { id: 2, v: 0 },
          { id: 3, v: 0 },
        ],
      },
    },
  ],
};

export const lockPrograms: readonly RegressionProgram[] = [deadlockProgram, lockTimeoutProgram, serializationProgram];
