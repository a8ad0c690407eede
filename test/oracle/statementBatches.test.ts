import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/index.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { scenarioArbitrary } from '../../src/harness/scenario.js';
import { diffRecorded } from '../../src/oracle/differential.js';
import { recordScenario } from '../../src/oracle/planDiff.js';
import { StatementRecorder } from '../../src/oracle/recorder.js';
import type { SqlSession } from '../../src/oracle/sqlSession.js';
import { batchEnd } from '../../src/oracle/statementBatches.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { sharedPgliteSession } from '../support/pglite.js';

/**
 * The differential sends runs of schema statements to PGlite in one round trip
 * (src/oracle/statementBatches.ts); its verdicts must be those of running every statement alone.
 */
let batched: SqlSession;
let oneByOne: SqlSession;
let batches = 0;
beforeAll(async () => {
  const shared = await sharedPgliteSession();
  const runAll = shared.runAll!;
  batched = {
    ...shared,
    runAll: (statements) => {
      batches++;
      return runAll(statements);
    },
  };
  const { runAll: _unused, ...withoutBatches } = shared;
  oneByOne = withoutBatches;
});

function twoTables(): { recorder: StatementRecorder; db: Database } {
  const recorder = new StatementRecorder();
  const db = new Database();
  recorder.attach(db);
  db.createTable({ name: 't', columns: [{ name: 'a', type: 'integer' }], primaryKey: ['a'] });
  db.createTable({ name: 'u', columns: [{ name: 'b', type: 'integer' }] });
  db.createIndex({ name: 'u_b', table: 'u', columns: ['b'] });
  db.insert('t', { a: 1 });
  return { recorder, db };
}

describe('statement batches in the differential', () => {
  it('group the schema statements that succeeded, and stop at a row statement', () => {
    const { recorder } = twoTables();
    expect(recorder.statements.map((statement) => statement.statement.kind)).toEqual([
      'createTable',
      'createTable',
      'createIndex',
      'insert',
    ]);
    const clock = recorder.statements[0]!.clock;
    expect(batchEnd(recorder.statements, 0, clock, false)).toBe(3);
    expect(batchEnd(recorder.statements, 0, clock, true)).toBe(0);
    expect(batchEnd(recorder.statements, 0, null, false)).toBe(0);
  });

  it('a statement PostgreSQL refuses inside a batch is reported at that statement, as when run alone', async () => {
    const { recorder, db } = twoTables();
    // The engine ran CREATE TABLE u; PostgreSQL is sent one that names a type it does not know.
    const planted = recorder.statements.map((statement, index) =>
      index === 1 ? { ...statement, sql: 'CREATE TABLE u (b no_such_type)' } : statement,
    );
    const before = batches;
    const alone = await diffRecorded(oneByOne, planted, db.snapshot());
    const together = await diffRecorded(batched, planted, db.snapshot());
    expect(batches).toBe(before + 1);
    expect(together).toEqual(alone);
    expect(together.divergence).toMatchObject({ statement: 1, reason: 'the model succeeded, PostgreSQL raised 42704' });
    expect(together.statements).toBe(2);
  });

  it('a scenario of the GitLab world, with transaction blocks, gives the same outcome in batches as one by one', async () => {
    const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
    const plan = plans.find((candidate) => candidate.name === 'incident-2024-10-31')!;
    const [scenario] = fc.sample(scenarioArbitrary(runnersDomain, plan), { numRuns: 1, seed: 7 });
    const recorded = recordScenario(runnersDomain, plan, scenario!, { recordChanges: false, invariants: [] });
    expect(recorded.recorded.some((statement) => statement.statement.kind === 'begin')).toBe(true);
    const before = batches;
    const together = await diffRecorded(batched, recorded.recorded, recorded.snapshot);
    expect(batches).toBeGreaterThan(before);
    expect(together).toEqual(await diffRecorded(oneByOne, recorded.recorded, recorded.snapshot));
    expect(together.divergence).toBeNull();
  });
});
