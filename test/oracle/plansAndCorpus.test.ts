import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCounterexample } from '../../src/harness/corpus.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import { planCampaign } from '../../src/oracle/planDiff.js';
import { scenarioScript } from '../../src/oracle/sqlScript.js';
import type { SqlSession } from '../../src/oracle/sqlSession.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { sharedPgliteSession } from '../support/pglite.js';

/** The GitLab world's statements against PostgreSQL 18, and every saved counterexample as SQL. */
const root = packageRoot();
const plans = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans'));
const corpusFiles = readdirSync(join(root, 'test', 'corpus'))
  .filter((file) => file.endsWith('.json'))
  .sort();

let session: SqlSession;
beforeAll(async () => {
  session = await sharedPgliteSession();
});

// PGlite is one connection: plans with concurrency run several sessions, which it cannot judge.
const serialPlans = plans.filter((plan) => plan.concurrency === undefined);
const concurrentNames = new Set(plans.filter((plan) => plan.concurrency !== undefined).map((plan) => plan.name));
// Concurrent counterexamples export as multi-session programs, run on the real server (test/oracle/server/concurrentCorpus.test.ts).
const corpus = corpusFiles.filter(
  (file) => !concurrentNames.has(loadCounterexample(join(root, 'test', 'corpus', file)).plan),
);

describe('scenarios of every serial plan agree with PostgreSQL', () => {
  it.each(serialPlans.map((plan) => [plan.name, plan] as const))('%s', async (_name, plan) => {
    const result = await planCampaign(session, runnersDomain, plan, { runs: 6, seed: 20_241_031 });
    expect(result.divergence?.divergence ?? null).toBeNull();
  });
});

describe('every saved counterexample, as a SQL script, fails on PostgreSQL where it fails in the model', () => {
  it.each(corpus)('%s', async (file) => {
    const counterexample = loadCounterexample(join(root, 'test', 'corpus', file));
    const plan = plans.find((candidate) => candidate.name === counterexample.plan);
    expect(plan).toBeDefined();
    const script = scenarioScript(runnersDomain, plan!, counterexample.scenario);
    await session.run('ROLLBACK');
    for (const sql of script.preamble) expect((await session.run(sql)).ok).toBe(true);
    let failing: { readonly code: string; readonly constraint: string | null } | null = null;
    for (const [index, statement] of script.statements.entries()) {
      const result = await session.run(statement.sql);
      if (statement.kind === 'clock') continue;
      // Every statement ends as the model said it would: the same SQLSTATE, or success.
      expect(result.ok ? null : result.code, `${file}: ${statement.sql}`).toBe(statement.expected?.code ?? null);
      if (index === script.failingIndex && !result.ok) failing = { code: result.code, constraint: result.constraint };
    }
    await session.run('ROLLBACK');
    const marked = script.failingIndex === null ? null : script.statements[script.failingIndex]!;
    if (marked?.expected) expect(failing).toEqual(marked.expected);
    if (file === 'incident-2024-10-31.json') {
      expect(marked?.sql).toMatch(/^INSERT INTO ci_runner_machines /);
      expect(failing).toEqual({ code: '23503', constraint: 'fk_rails_3f92913d27' });
      expect(script.text).toContain(
        '-- >>> THE COUNTEREXAMPLE FAILS HERE: the model raised 23503 on fk_rails_3f92913d27',
      );
    }
  });
});
