/**
 * Waits in the middle of a write on the real server: a cross-partition UPDATE waiting in its insert
 * half, an INSERT waiting in its second unique index. What PostgreSQL 18 does here is what the
 * engine's sessions are held to (test/oracle/sessions/writeWaitPrograms.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { outcomeDifferences } from '../../../src/oracle/server/expectation.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { writeWaitPrograms } from '../sessions/writeWaitPrograms.js';
import { useServer } from './serverFixture.js';

const server = useServer();

describe('waits in the middle of a write, on the real server', () => {
  for (const regression of writeWaitPrograms) {
    it(regression.program.name, async () => {
      const outcomes = await runProgram(server.backend(), regression.program);
      expect(outcomes).toHaveLength(regression.expected.length);
      const differences = outcomes.flatMap((outcome, index) =>
        outcomeDifferences(outcome, regression.expected[index]!),
      );
      expect(differences, JSON.stringify(outcomes, null, 1)).toEqual([]);
    });
  }
});
