/**
 * The engine's sessions reproduce, step by step and table by table, the real server's record of
 * every schedule on which they once diverged from it (engineDiffCases.ts says where each was found
 * and which rule it pins down).
 */
import { describe, expect, it } from 'vitest';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { runPermutation } from '../../../src/oracle/server/permutationDriver.js';
import { firstDifference, scheduleRecord } from '../../../src/oracle/sessions/scheduleRecord.js';
import { engineDiffCases } from './engineDiffCases.js';

describe('schedules the engine once got wrong, against the server records', () => {
  it('there are cases, most of them with blocked steps', () => {
    expect(engineDiffCases.length).toBeGreaterThanOrEqual(8);
    const blocked = engineDiffCases.filter(({ server }) => server.steps.some((step) => step.blockedBy !== null));
    expect(blocked.length).toBeGreaterThanOrEqual(5);
  });

  it.each(engineDiffCases.map((entry) => [entry.why, entry] as const))('%s', async (_why, entry) => {
    const outcome = await runPermutation(new EngineSessionBackend(), entry.program, entry.program.permutations[0]!);
    expect(firstDifference(entry.server, scheduleRecord(outcome, false))).toBeNull();
  });
});
