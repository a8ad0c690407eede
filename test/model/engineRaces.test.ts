/**
 * The `ci_runners` races on the engine's sessions (model/runners/concurrency/races.ts): every race
 * program that gives engine statement values runs through the permutation driver and must match the
 * outcomes observed on PostgreSQL 18.4, as test/oracle/server/runnerRaces.test.ts holds the server to.
 */
import { describe, expect, it } from 'vitest';
import { runnerRaces } from '../../model/runners/concurrency/races.js';
import { EngineSessionBackend } from '../../src/oracle/server/engineSessionBackend.js';
import { outcomeDifferences } from '../../src/oracle/server/expectation.js';
import { runProgram } from '../../src/oracle/server/permutationDriver.js';

const onEngine = runnerRaces.filter((race) => race.program.setupStatements !== undefined);

describe('ci_runners races on the engine', () => {
  it('the backfill, ensure-copy, concurrent assign_to and waiting-DDL races run on the engine', () => {
    expect(onEngine.map((race) => race.program.name)).toEqual([
      'backfill-for-update-vs-api-writes',
      'backfill-waits-for-uncommitted-copy',
      'sharding-key-backfill-update-from',
      'ensure-copy-vs-heartbeat',
      'concurrent-assign-to-after-owner-deleted',
      'add-foreign-key-queues-writes',
    ]);
  });

  for (const race of onEngine) {
    it(race.program.name, async () => {
      const outcomes = await runProgram(new EngineSessionBackend([race.program]), race.program);
      const differences = outcomes.flatMap((outcome, index) => outcomeDifferences(outcome, race.expected[index]!));
      expect(differences, JSON.stringify(outcomes, null, 1)).toEqual([]);
    });
  }
});
