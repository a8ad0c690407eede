/**
 * When one event wakes two waiters, PostgreSQL runs both at once and the operating system decides
 * which gets on first. The engine runs them one after the other, by default the lowest session
 * first; `wakeOrder` chooses another order, and the campaign accepts a differing server record as
 * racy only when some order gives it (`wakeOrders`, sessionCampaign.ts).
 */
import { describe, expect, it } from 'vitest';
import { col, eq } from '../../../src/index.js';
import type { Statement } from '../../../src/index.js';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { runPermutation } from '../../../src/oracle/server/permutationDriver.js';
import type { SessionProgram } from '../../../src/oracle/server/program.js';
import { wakeOrders } from '../../../src/oracle/sessions/sessionCampaign.js';

const setItem = (v: number): Statement => ({
  kind: 'update',
  table: 'items',
  set: { v },
  where: eq(col('id'), 1),
  options: {},
});

/** Two writers queue behind an ACCESS EXCLUSIVE lock; its COMMIT grants both at once. */
const program: SessionProgram = {
  name: 'two-writers-woken-together',
  description: 'Two UPDATEs of one row wait for a table lock; its release wakes both, and the later writer wins.',
  setup: ['CREATE TABLE items (id int PRIMARY KEY, v int)', 'INSERT INTO items VALUES (1, 0)'],
  setupStatements: [
    {
      kind: 'createTable',
      spec: {
        name: 'items',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'v', type: 'integer' },
        ],
        primaryKey: ['id'],
      },
    },
    { kind: 'insert', table: 'items', rows: [{ id: 1, v: 0 }], options: {} },
  ],
  sessions: [
    {
      name: 'ddl',
      steps: [
        { name: 'd_begin', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
        {
          name: 'd_lock',
          sql: 'LOCK TABLE items IN ACCESS EXCLUSIVE MODE',
          statements: [{ kind: 'lockTable', tables: ['items'], mode: 'AccessExclusive', nowait: false }],
        },
        { name: 'd_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
      ],
    },
    { name: 'two', steps: [{ name: 'set_two', sql: 'UPDATE items SET v = 2 WHERE id = 1', statements: [setItem(2)] }] },
    {
      name: 'three',
      steps: [{ name: 'set_three', sql: 'UPDATE items SET v = 3 WHERE id = 1', statements: [setItem(3)] }],
    },
  ],
  permutations: [['d_begin', 'd_lock', 'set_two', 'set_three', 'd_commit']],
};

describe('the order in which sessions woken together run', () => {
  it('is every order of the sessions but the one the engine runs by default', () => {
    expect(wakeOrders(2)).toEqual([[1, 0]]);
    expect(wakeOrders(3)).toEqual([
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]);
  });

  it('decides which of two writers woken together writes last', async () => {
    const rowsAfter = async (backend: EngineSessionBackend | ReturnType<EngineSessionBackend['withWakeOrder']>) => {
      const outcome = await runPermutation(backend, program, program.permutations[0]!);
      expect(outcome.simultaneousWakeups).toBe(1);
      return outcome.contents.find((table) => table.table === 'items')?.rows;
    };
    const backend = new EngineSessionBackend([program]);
    expect(await rowsAfter(backend)).toEqual([{ id: 1, v: 3 }]);
    expect(await rowsAfter(backend.withWakeOrder([2, 1, 0]))).toEqual([{ id: 1, v: 2 }]);
  });
});
