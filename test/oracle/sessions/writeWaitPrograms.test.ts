/**
 * Waits in the middle of a write on the engine's sessions: the programs, permutations and expected
 * outcomes of writeWaitPrograms.ts, which the real server is held to as well
 * (test/oracle/server/writeWaitPrograms.test.ts), through the same driver.
 */
import { describe, expect, it } from 'vitest';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { outcomeDifferences } from '../../../src/oracle/server/expectation.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { writeWaitPrograms } from './writeWaitPrograms.js';

describe('waits in the middle of a write, on the engine', () => {
  for (const regression of writeWaitPrograms) {
    it(regression.program.name, async () => {
      const outcomes = await runProgram(new EngineSessionBackend([regression.program]), regression.program);
      expect(outcomes).toHaveLength(regression.expected.length);
      const differences = outcomes.flatMap((outcome, index) =>
        outcomeDifferences(outcome, regression.expected[index]!),
      );
      expect(differences, JSON.stringify(outcomes, null, 1)).toEqual([]);
    });
  }
});
