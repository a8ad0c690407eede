/**
 * The races of GitLab's ci_runners designs that only concurrent sessions reach, on the real
 * server: which steps wait and for whom, the SQLSTATEs, the completion order and the final rows
 * must be the ones PostgreSQL 18 was observed to produce (model/runners/concurrency/races.ts).
 */
import { describe, expect, it } from 'vitest';
import { runnerRaces } from '../../../model/runners/concurrency/races.js';
import { outcomeDifferences } from '../../../src/oracle/server/expectation.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { useServer } from './serverFixture.js';

const server = useServer();

describe('ci_runners races on the real server', () => {
  for (const regression of runnerRaces) {
    it(regression.program.name, async () => {
      const outcomes = await runProgram(server.backend(), regression.program);
      expect(outcomes).toHaveLength(regression.expected.length);
      const differences = outcomes.flatMap((outcome, index) =>
        outcomeDifferences(outcome, regression.expected[index]!),
      );
      expect(differences).toEqual([]);
    });
  }
});
