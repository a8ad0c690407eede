/**
 * The lock manager against the real PostgreSQL 18 server: the table-lock programs run through the
 * permutation driver on both, and both must give PostgreSQL's observed outcome step by step (which
 * steps waited and for whom, what they waited for, which failed with what, the completion order).
 * The lock manager runs in virtual time with the server's deadlock_timeout.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { outcomeDifferences } from '../../../src/oracle/server/expectation.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { useServer } from '../../oracle/server/serverFixture.js';
import { lockModelBackend } from './support/lockModelBackend.js';
import { tableLockPrograms } from './tableLockPrograms.js';

const server = useServer();
let deadlockTimeoutMs = 0;

beforeAll(async () => {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    const row = await client.query<{ ms: number }>(
      "SELECT (extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000)::int AS ms",
    );
    deadlockTimeoutMs = row.rows[0]!.ms;
  } finally {
    await client.end();
  }
});

describe('table-lock programs: the lock manager predicts the real server', () => {
  for (const regression of tableLockPrograms) {
    it(regression.program.name, async () => {
      const onServer = await runProgram(server.backend(), regression.program);
      const onModel = await runProgram(lockModelBackend(deadlockTimeoutMs), regression.program);
      const differences = (outcomes: typeof onServer, who: string): string[] =>
        outcomes.flatMap((outcome, index) =>
          outcomeDifferences(outcome, regression.expected[index]!).map((difference) => `${who}: ${difference}`),
        );
      expect(differences(onServer, 'server'), JSON.stringify(onServer, null, 1)).toEqual([]);
      expect(differences(onModel, 'lock manager'), JSON.stringify(onModel, null, 1)).toEqual([]);
      // Beyond the expectation: every wait is for the same lock on both.
      const waits = (outcomes: typeof onServer) =>
        outcomes.map((outcome) => outcome.steps.map((step) => [step.step, step.blocked?.lock ?? null]));
      expect(waits(onModel)).toEqual(waits(onServer));
    });
  }
});
