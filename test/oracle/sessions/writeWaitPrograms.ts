/**
 * Waits in the middle of a write, with PostgreSQL 18's observed outcomes: what a write has already
 * done when it waits is visible to the others' lock checks meanwhile, and it goes on from there.
 *
 * - A cross-partition UPDATE has deleted the row from its source partition before its insert half
 *   waits (in the destination's unique check, or in a BEFORE INSERT trigger's statement): another
 *   writer of the row waits for the mover, then fails with 40001 if the move committed.
 * - An INSERT writes its heap tuple and its index entries one index at a time (in index creation
 *   order) and waits in the unique check of the index that meets an uncommitted key
 *   (_bt_check_unique): the keys of the indexes before it are already taken, so an insert of one of
 *   them waits for it, and a deadlock can run through it.
 *
 * Each program runs on the real server (test/oracle/server/writeWaitPrograms.test.ts) and on the
 * engine's sessions (writeWaitPrograms.test.ts), held to the same expected outcomes.
 */
import type { RegressionProgram } from '../../../src/oracle/server/expectation.js';
import type { ProgramStep, SessionProgram } from '../../../src/oracle/server/program.js';
import { col, eq } from '../../../src/index.js';
import type { Statement } from '../../../src/index.js';

const begin: Statement = { kind: 'begin' };
const commit: Statement = { kind: 'commit' };
const rollback: Statement = { kind: 'rollback' };
const step = (name: string, sql: string, statement: Statement): ProgramStep => ({
  name,
  sql,
  statements: [statement],
});

/** `t (k, p, v)` LIST-partitioned by p into t_1 and t_2, with the row (1, 1, 0), and `moves (k)`. */
const partitionedSetup = [
  'CREATE TABLE t (k int, p int, v int, PRIMARY KEY (k, p)) PARTITION BY LIST (p)',
  'CREATE TABLE t_1 PARTITION OF t FOR VALUES IN (1)',
  'CREATE TABLE t_2 PARTITION OF t FOR VALUES IN (2)',
  'CREATE TABLE moves (k int PRIMARY KEY)',
  'INSERT INTO t VALUES (1, 1, 0)',
];
const partitionedStatements: readonly Statement[] = [
  {
    kind: 'createTable',
    spec: {
      name: 't',
      columns: [
        { name: 'k', type: 'integer' },
        { name: 'p', type: 'integer' },
        { name: 'v', type: 'integer' },
      ],
      primaryKey: ['k', 'p'],
      partitionBy: { list: 'p' },
    },
  },
  { kind: 'createTable', spec: { name: 't_1', partitionOf: { parent: 't', values: [1] } } },
  { kind: 'createTable', spec: { name: 't_2', partitionOf: { parent: 't', values: [2] } } },
  { kind: 'createTable', spec: { name: 'moves', columns: [{ name: 'k', type: 'integer' }], primaryKey: ['k'] } },
  { kind: 'insert', table: 't', rows: [{ k: 1, p: 1, v: 0 }], options: {} },
];

const moveSessions = (holderInsert: ProgramStep): SessionProgram['sessions'] => [
  {
    name: 'holder',
    steps: [
      step('h_begin', 'BEGIN', begin),
      holderInsert,
      step('h_rollback', 'ROLLBACK', rollback),
      step('h_commit', 'COMMIT', commit),
    ],
  },
  {
    name: 'mover',
    steps: [
      step('m_move', 'UPDATE t SET p = 2 WHERE k = 1', {
        kind: 'update',
        table: 't',
        set: { p: 2 },
        where: eq(col('k'), 1),
        options: {},
      }),
    ],
  },
  {
    name: 'other',
    steps: [
      step('o_update', 'UPDATE t SET v = 5 WHERE k = 1', {
        kind: 'update',
        table: 't',
        set: { v: 5 },
        where: eq(col('k'), 1),
        options: {},
      }),
    ],
  },
];

const moved = ['h_begin', 'h_insert', 'm_move', 'o_update', 'h_rollback'];
const refused = ['h_begin', 'h_insert', 'm_move', 'o_update', 'h_commit'];

export const moveWaitsInDestinationKey: RegressionProgram = {
  program: {
    name: 'row-move-waits-in-destination-key',
    description:
      "A cross-partition UPDATE waits in the destination's unique check for an uncommitted row with its new key; " +
      'the row is already gone from its source partition, so another UPDATE of it waits for the mover.',
    setup: partitionedSetup,
    setupStatements: partitionedStatements,
    sessions: moveSessions(
      step('h_insert', 'INSERT INTO t VALUES (1, 2, 9)', {
        kind: 'insert',
        table: 't',
        rows: [{ k: 1, p: 2, v: 9 }],
        options: {},
      }),
    ),
    permutations: [moved, refused],
  },
  expected: [
    {
      permutation: moved,
      blocked: { m_move: ['holder'], o_update: ['mover'] },
      errors: { o_update: '40001' },
      rowCounts: { m_move: 1 },
      completionOrder: ['h_begin', 'h_insert', 'h_rollback', 'm_move', 'o_update'],
      contents: { t_1: [], t_2: [{ k: 1, p: 2, v: 0 }], moves: [] },
    },
    {
      permutation: refused,
      blocked: { m_move: ['holder'], o_update: ['mover'] },
      errors: { m_move: '23505 t_2_pkey' },
      rowCounts: { o_update: 1 },
      completionOrder: ['h_begin', 'h_insert', 'h_commit', 'm_move', 'o_update'],
      contents: { t_1: [{ k: 1, p: 1, v: 5 }], t_2: [{ k: 1, p: 2, v: 9 }], moves: [] },
    },
  ],
};

export const moveWaitsInBeforeInsertTrigger: RegressionProgram = {
  program: {
    name: 'row-move-waits-in-before-insert-trigger',
    description:
      "A cross-partition UPDATE's BEFORE INSERT trigger inserts a key an open transaction holds and waits; the " +
      'row is already gone from its source partition, so another UPDATE of it waits for the mover.',
    setup: [
      ...partitionedSetup,
      'CREATE FUNCTION note_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO moves VALUES (NEW.k); ' +
        'RETURN NEW; END $$',
      'CREATE TRIGGER note_move BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION note_move()',
    ],
    setupStatements: [
      ...partitionedStatements,
      {
        kind: 'createTrigger',
        spec: {
          name: 'note_move',
          table: 't',
          timing: 'before',
          events: ['insert'],
          fn: ({ db, newRow }) => {
            db.insert('moves', { k: newRow?.['k'] ?? null });
            return newRow;
          },
        },
      },
    ],
    sessions: moveSessions(
      step('h_insert', 'INSERT INTO moves VALUES (1)', {
        kind: 'insert',
        table: 'moves',
        rows: [{ k: 1 }],
        options: {},
      }),
    ),
    permutations: [moved, refused],
  },
  expected: [
    {
      permutation: moved,
      blocked: { m_move: ['holder'], o_update: ['mover'] },
      errors: { o_update: '40001' },
      rowCounts: { m_move: 1 },
      completionOrder: ['h_begin', 'h_insert', 'h_rollback', 'm_move', 'o_update'],
      contents: { t_1: [], t_2: [{ k: 1, p: 2, v: 0 }], moves: [{ k: 1 }] },
    },
    {
      permutation: refused,
      blocked: { m_move: ['holder'], o_update: ['mover'] },
      errors: { m_move: '23505 moves_pkey' },
      rowCounts: { o_update: 1 },
      completionOrder: ['h_begin', 'h_insert', 'h_commit', 'm_move', 'o_update'],
      contents: { t_1: [{ k: 1, p: 1, v: 5 }], t_2: [], moves: [{ k: 1 }] },
    },
  ],
};

const insertU = (name: string, id: number, s: number): ProgramStep =>
  step(name, `INSERT INTO u VALUES (${id}, ${s})`, { kind: 'insert', table: 'u', rows: [{ id, s }], options: {} });

const heldFirstKey = ['a_begin', 'a_insert', 'b_begin', 'b_insert', 'c_insert', 'a_rollback', 'b_commit'];
const deadlockThroughIt = ['a_begin', 'a_insert', 'b_begin', 'b_insert', 'a_insert_b_key', 'a_commit'];

export const insertHoldsEarlierKeys: RegressionProgram = {
  program: {
    name: 'insert-waits-in-second-unique-key',
    description:
      'An INSERT waiting in the unique check of its second index (u_s) for an uncommitted key already holds its ' +
      'primary key: an insert of that key waits for it, and a deadlock can run through it.',
    setup: ['CREATE TABLE u (id int PRIMARY KEY, s int)', 'CREATE UNIQUE INDEX u_s ON u (s)'],
    setupStatements: [
      {
        kind: 'createTable',
        spec: {
          name: 'u',
          columns: [
            { name: 'id', type: 'integer' },
            { name: 's', type: 'integer' },
          ],
          primaryKey: ['id'],
        },
      },
      { kind: 'createIndex', spec: { name: 'u_s', table: 'u', columns: ['s'], unique: true } },
    ],
    sessions: [
      {
        name: 'a',
        steps: [
          step('a_begin', 'BEGIN', begin),
          insertU('a_insert', 1, 10),
          insertU('a_insert_b_key', 2, 30),
          step('a_rollback', 'ROLLBACK', rollback),
          step('a_commit', 'COMMIT', commit),
        ],
      },
      {
        name: 'b',
        steps: [step('b_begin', 'BEGIN', begin), insertU('b_insert', 2, 10), step('b_commit', 'COMMIT', commit)],
      },
      { name: 'c', steps: [insertU('c_insert', 2, 20)] },
    ],
    permutations: [heldFirstKey, deadlockThroughIt],
  },
  expected: [
    {
      permutation: heldFirstKey,
      blocked: { b_insert: ['a'], c_insert: ['b'] },
      errors: { c_insert: '23505 u_pkey' },
      completionOrder: ['a_begin', 'a_insert', 'b_begin', 'a_rollback', 'b_insert', 'b_commit', 'c_insert'],
      contents: { u: [{ id: 2, s: 10 }] },
    },
    {
      permutation: deadlockThroughIt,
      blocked: { b_insert: ['a'], a_insert_b_key: ['b'] },
      errors: { b_insert: '40P01' },
      completionOrder: ['a_begin', 'a_insert', 'b_begin', 'a_insert_b_key', 'b_insert', 'a_commit'],
      contents: {
        u: [
          { id: 1, s: 10 },
          { id: 2, s: 30 },
        ],
      },
    },
  ],
};

export const writeWaitPrograms: readonly RegressionProgram[] = [
  moveWaitsInDestinationKey,
  moveWaitsInBeforeInsertTrigger,
  insertHoldsEarlierKeys,
];
