/**
 * The kinds of wait the multi-session campaign counts (`waits` in `pgdrill diff --sessions --json`),
 * and the generator reaching the foreign-key check's waits, at the statement's end and at COMMIT,
 * in a fixed-seed campaign on the engine (the server campaign reaches the same schedules).
 */
import { describe, expect, it } from 'vitest';
import { col, eq } from '../../../src/engine/expression.js';
import type { ProgramOp } from '../../../src/oracle/randomProgram.js';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import type { SessionProgram } from '../../../src/oracle/server/program.js';
import { runSessionCampaign } from '../../../src/oracle/sessions/sessionCampaign.js';
import { SESSION_FEATURES, sqlOnlyOp, statementOp } from '../../../src/oracle/sessions/sessionOps.js';
import { keyGraphOf, waitKind } from '../../../src/oracle/sessions/waitKinds.js';

const table = (name: string, references?: string): ProgramOp => ({
  kind: 'createTable',
  spec: {
    name,
    columns: [
      { name: 'k1', type: 'integer' },
      { name: 'r1', type: 'integer' },
    ],
    primaryKey: ['k1'],
    ...(references === undefined
      ? { partitionBy: { list: 'k1' } }
      : {
          constraints: [{ kind: 'foreignKey', name: 'fk', columns: ['r1'], references: { table: references } }],
        }),
  },
});
const program: SessionProgram = {
  name: 'kinds',
  description: 'parents, partitioned, and children',
  setup: [],
  setupOps: [
    table('parents'),
    { kind: 'createTable', spec: { name: 'parents_1', partitionOf: { parent: 'parents', values: [1] } } },
    table('children', 'parents'),
  ],
  sessions: [],
  permutations: [],
};

describe('the kinds of wait a blocked step reached', () => {
  const graph = keyGraphOf(program);
  const insertChild = statementOp({ kind: 'insert', table: 'children', rows: [{ k1: 1, r1: 1 }], options: {} });
  const deleteParent = statementOp({ kind: 'delete', table: 'parents', where: eq(col('k1'), 1), options: {} });

  it('tells FK checks and actions from other row and table waits, and keys from rows', () => {
    const kind = (op: Parameters<typeof waitKind>[1], lock: string, row: string | null = null) =>
      waitKind(graph, op, { lock, row });
    expect(kind(insertChild, 'RowShareLock on relation parents_1')).toBe('fk check');
    expect(kind(insertChild, 'ShareLock on transaction', 'parents_1')).toBe('fk check');
    expect(kind(insertChild, 'ExclusiveLock on tuple', 'parents')).toBe('fk check');
    expect(kind(statementOp({ kind: 'commit' }), 'ShareLock on transaction', 'parents_1')).toBe('fk check at COMMIT');
    expect(kind(deleteParent, 'RowShareLock on relation children')).toBe('fk action');
    expect(kind(deleteParent, 'ShareLock on transaction', 'children')).toBe('fk action');
    expect(kind(deleteParent, 'ShareLock on transaction', 'parents_1')).toBe('row lock');
    expect(kind(insertChild, 'RowExclusiveLock on relation children')).toBe('table lock');
    expect(kind(insertChild, 'ShareLock on transaction')).toBe('key');
    const lockRead = sqlOnlyOp({ kind: 'lockingRead', table: 'parents', where: null, strength: 'UPDATE', wait: null });
    expect(kind(lockRead, 'ShareLock on transaction', 'parents_1')).toBe('row lock');
  });

  it('a fixed-seed campaign reaches the FK check waits, at the statement and at COMMIT', async () => {
    // Seed 11, 150 runs: the generator's races of referencing rows with their referenced rows.
    const result = await runSessionCampaign(new EngineSessionBackend(), new EngineSessionBackend(), {
      runs: 150,
      sessions: 3,
      seed: 11,
      features: new Set(SESSION_FEATURES),
    });
    expect(result.divergences).toEqual([]);
    expect(result.waits['fk check']).toBeGreaterThanOrEqual(5);
    expect(result.waits['fk check at COMMIT']).toBeGreaterThanOrEqual(2);
    expect(Object.values(result.waits).reduce((sum, count) => sum + count, 0)).toBe(result.blockedSteps);
  });
});
