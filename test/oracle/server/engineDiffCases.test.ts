/**
 * The stored server records of the schedules the engine once got wrong
 * (test/oracle/sessions/engineDiffCases.ts) are what PostgreSQL 18 does: each schedule runs again on
 * the real server and must give the same record, so the engine-only test holds the engine to the
 * server's behaviour, not to a guess.
 */
import { describe, expect, it } from 'vitest';
import { runPermutation } from '../../../src/oracle/server/permutationDriver.js';
import { firstDifference, scheduleRecord } from '../../../src/oracle/sessions/scheduleRecord.js';
import { engineDiffCases } from '../sessions/engineDiffCases.js';
import { useServer } from './serverFixture.js';

const server = useServer();

describe('the server records of the engine-diff cases', () => {
  for (const entry of engineDiffCases)
    it(entry.why, async (context) => {
      let outcome: Awaited<ReturnType<typeof runPermutation>>;
      try {
        outcome = await runPermutation(server.backend(), entry.program, entry.program.permutations[0]!);
      } catch (error) {
        // A machine too busy to follow the schedule's timing (every retry failed) proves nothing either way.
        if (error instanceof Error && /could not follow the schedule's timing/.test(error.message)) {
          context.skip(`the server could not follow the schedule's timing: ${error.message.slice(0, 200)}`);
          return;
        }
        throw error;
      }
      expect(firstDifference(entry.server, scheduleRecord(outcome, false))).toBeNull();
    });
});
