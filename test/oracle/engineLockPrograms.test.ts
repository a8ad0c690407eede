/**
 * The lock programs on the engine's sessions: the same programs, permutations and expected outcomes
 * the real server is held to (test/oracle/server/lockPrograms.test.ts), through the same driver.
 */
import { describe, expect, it } from 'vitest';
import { EngineSessionBackend } from '../../src/oracle/server/engineSessionBackend.js';
import { outcomeDifferences } from '../../src/oracle/server/expectation.js';
import { lockPrograms } from '../../src/oracle/server/lockPrograms.js';
import { runProgram } from '../../src/oracle/server/permutationDriver.js';

describe('lock programs on the engine', () => {
  for (const regression of lockPrograms) {
    it(regression.program.name, async () => {
      const backend = new EngineSessionBackend([regression.program]);
      const outcomes = await runProgram(backend, regression.program);
      expect(outcomes).toHaveLength(regression.expected.length);
      const differences = outcomes.flatMap((outcome, index) =>
        outcomeDifferences(outcome, regression.expected[index]!),
      );
      expect(differences, JSON.stringify(outcomes, null, 1)).toEqual([]);
    });
  }
});
