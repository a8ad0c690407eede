/**
 * The multi-session differential campaign (`pgdrill diff --sessions`) with a fixed seed: random
 * programs of three sessions, each schedule chosen on the real server and replayed on the engine's
 * sessions, which must agree on every step; a shorter server-against-server campaign checks that the
 * driver and the schedules are deterministic; a tampered backend shows that a difference is found
 * and reported at its step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgSessionBackend } from '../../../src/oracle/server/pgSessionBackend.js';
import type { BackendRun, SessionBackend } from '../../../src/oracle/server/sessionBackend.js';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { ENGINE_SESSIONS, SERVER_FEATURES } from '../../../src/oracle/sessions/sessionBackends.js';
import { runSessionCampaign } from '../../../src/oracle/sessions/sessionCampaign.js';
import { runInProcess } from '../../support/runCliInProcess.js';
import { useServer } from './serverFixture.js';

const server = useServer();
let second: SessionBackend | null = null;
beforeAll(async () => {
  second = await openPgSessionBackend({ connectionString: server.connectionString() });
});
afterAll(async () => {
  await second?.close();
});

/** The server, except that the first step that affects rows reports one row more. */
function tampered(backend: SessionBackend): SessionBackend {
  return {
    description: `${backend.description} (tampered)`,
    close: () => backend.close(),
    async begin(setup, sessionSetups, program): Promise<BackendRun> {
      const run = await backend.begin(setup, sessionSetups, program);
      let done = false;
      return {
        ...run,
        async settle(goal, boundMs) {
          const report = await run.settle(goal, boundMs);
          return {
            ...report,
            completed: report.completed.map((entry) => {
              if (done || !entry.result.ok || entry.result.rowCount === 0) return entry;
              done = true;
              return { ...entry, result: { ...entry.result, rowCount: entry.result.rowCount + 1 } };
            }),
          };
        },
      };
    },
  };
}

describe('pgdrill diff --sessions on the real server', () => {
  it('a fixed-seed campaign, the engine against the server: schedules block, and they agree on every step', async () => {
    const result = await runSessionCampaign(server.backend(), new EngineSessionBackend(), {
      runs: 40,
      sessions: 3,
      seed: 11,
      features: new Set(ENGINE_SESSIONS!.features),
    });
    expect(result.divergences.map((d) => ({ run: d.run, ...d.difference }))).toEqual([]);
    expect(result.permutations + result.timingFailures).toBe(40);
    expect(result.blockedSteps).toBeGreaterThan(0);
    expect(result.outcomes.ok).toBeGreaterThan(0);
    // Schedules the busy machine cannot follow are dropped, so only some of the concurrency outcomes are promised.
    expect(['40P01', '55P03', '40001'].filter((code) => (result.outcomes[code] ?? 0) > 0).length).toBeGreaterThan(0);
  }, 120_000);

  it('a fixed-seed campaign, the server against itself: the driver and the schedules are deterministic', async () => {
    const result = await runSessionCampaign(server.backend(), second!, {
      runs: 6,
      sessions: 3,
      seed: 11,
      features: SERVER_FEATURES,
    });
    expect(result.divergences.map((d) => d.difference)).toEqual([]);
    expect(result.permutations + result.timingFailures).toBe(6);
    expect(result.blockedSteps).toBeGreaterThan(0);
  });

  it('reports a backend that answers differently, at the step, with both records and the exports', async () => {
    const result = await runSessionCampaign(server.backend(), tampered(second!), {
      runs: 1,
      sessions: 2,
      seed: 4,
      features: SERVER_FEATURES,
    });
    expect(result.divergences).toHaveLength(1);
    const [divergence] = result.divergences;
    expect(divergence!.difference.what).toBe('step');
    expect(divergence!.difference.step).not.toBeNull();
    const [left, right] = [JSON.parse(divergence!.difference.left), JSON.parse(divergence!.difference.right)];
    expect(right.rowCount).toBe(left.rowCount + 1);
    expect(divergence!.spec).toContain(`permutation ${divergence!.permutation.map((name) => `"${name}"`).join(' ')}`);
    expect(divergence!.script).toContain('import pg from');
  });
});

describe('the command', () => {
  /** Runs `pgdrill diff …` in-process against the suite's server (DATABASE_URL), restoring the environment. */
  const runAgainstServer = async (argv: readonly string[]) => {
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = server.connectionString();
    try {
      return await runInProcess(argv);
    } finally {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
  };

  it('--json prints the campaign figures and the server; the engine is the candidate by default', async () => {
    const result = await runAgainstServer(['diff', '--sessions', '2', '--runs', '2', '--seed', '11', '--json']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    for (const key of [
      'runs',
      'sessions',
      'permutations',
      'blockedSteps',
      'waits',
      'outcomes',
      'divergences',
      'server',
    ])
      expect(json).toHaveProperty(key);
    expect(json).toMatchObject({ runs: 2, sessions: 2, divergences: [], against: 'engine', engine: 'available' });
    expect(json.server).toMatch(/^PostgreSQL 18\./);
  });

  it('says in one line what the candidate is, for the engine and for --against server', async () => {
    const engine = await runAgainstServer(['diff', '--sessions', '2', '--runs', '1', '--seed', '3']);
    expect(engine.code).toBe(0);
    expect(engine.stdout.split('\n').filter((line) => line.startsWith('engine sessions: the candidate'))).toHaveLength(
      1,
    );
    expect(engine.stdout).toContain('no divergence: the engine and the server agreed on every schedule');
    const self = await runAgainstServer([
      'diff',
      '--sessions',
      '2',
      '--runs',
      '1',
      '--seed',
      '3',
      '--against',
      'server',
    ]);
    expect(self.code).toBe(0);
    expect(self.stdout).toContain('no divergence: both runs agreed on every schedule');
  });
});
