/**
 * The generic lock programs on the real server: deadlock victim, lock_timeout, NOWAIT, SKIP LOCKED
 * and REPEATABLE READ conflicts must come out as PostgreSQL 18 was observed to produce them.
 */
import { describe, expect, it } from 'vitest';
import { outcomeDifferences } from '../../../src/oracle/server/expectation.js';
import { lockPrograms } from '../../../src/oracle/server/lockPrograms.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { useServer } from './serverFixture.js';

const server = useServer();

describe('lock programs on the real server', () => {
  for (const regression of lockPrograms) {
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
