/**
 * Every concurrent counterexample of the corpus (plans with `concurrency`) exports as a
 * multi-session program that reproduces it on the real server: the Node script (run as a child
 * process, as a user would run it) and the isolation-tester spec (cut by the tester's lexer and
 * run through the driver) both issue the engine's schedule, see every step wait or not, succeed
 * or fail as on the engine, and end with the broken invariant's check query returning rows.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../model/runners/cli.js';
import { runnersDomain } from '../../../model/runners/domain.js';
import { loadCounterexample } from '../../../src/harness/corpus.js';
import { loadPlanDirectory } from '../../../src/harness/planFile.js';
import type { Plan } from '../../../src/harness/domain.js';
import type { Scenario } from '../../../src/harness/scenario.js';
import { fixturePlan } from '../../explanations/fixturePlan.js';
import type { FixtureVariant } from '../../explanations/fixturePlan.js';
import {
  concurrentNodeScript,
  concurrentScenarioExport,
  concurrentSpec,
} from '../../../src/oracle/concurrentExport.js';
import type { ConcurrentExport } from '../../../src/oracle/concurrentExport.js';
import type { ExpectedStep } from '../../../src/oracle/server/nodeScript.js';
import { runProgram } from '../../../src/oracle/server/permutationDriver.js';
import { useServer } from './serverFixture.js';
import { programFromSpec } from './specLexer.js';

const server = useServer();
const root = packageRoot();
// Inside the project, so the script's `import pg from 'pg'` resolves to our node_modules.
const scratch = join(
  fileURLToPath(new URL('../../..', import.meta.url)),
  'node_modules',
  '.cache',
  `pgdrill-ce-${process.pid}`,
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const plans = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans'));
const concurrent: {
  readonly file: string;
  readonly counterexample: { readonly plan: string; readonly outcome: string; readonly scenario: Scenario };
  readonly plan: Plan | undefined;
}[] = readdirSync(join(root, 'test', 'corpus'))
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, counterexample: loadCounterexample(join(root, 'test', 'corpus', file)) }))
  .map(({ file, counterexample }) => ({
    file,
    counterexample,
    plan: plans.find((plan) => plan.name === counterexample.plan),
  }))
  .filter(({ plan }) => plan?.concurrency !== undefined);

/**
 * Races written by hand on a plan variant (test/explanations/planted-counterexamples.json, the
 * entries with a `concurrency`): the default budget does not reach them, the server must still agree.
 */
interface PlantedRace extends FixtureVariant {
  readonly mutant: string;
  readonly plan: string;
  readonly invariant: string;
  readonly scenario: Scenario;
}
const plantedRaces = (
  JSON.parse(readFileSync(join(root, 'test', 'explanations', 'planted-counterexamples.json'), 'utf8')) as PlantedRace[]
)
  .filter((entry) => entry.concurrency !== undefined)
  .map((entry) => ({
    file: `planted-${entry.mutant.replace(/[^a-z0-9]+/g, '-')}.json`,
    counterexample: { plan: entry.plan, outcome: entry.invariant, scenario: entry.scenario },
    plan: fixturePlan(plans.find((plan) => plan.name === entry.plan)!, entry),
  }));
concurrent.push(...plantedRaces);

const exports = new Map<string, ConcurrentExport>();
function exported(file: string): ConcurrentExport {
  let found = exports.get(file);
  if (found === undefined) {
    const entry = concurrent.find((candidate) => candidate.file === file)!;
    found = concurrentScenarioExport(runnersDomain, entry.plan!, entry.counterexample.scenario);
    exports.set(file, found);
  }
  return found;
}

interface ScriptOutput {
  readonly steps: readonly { step: string; waitedFor: readonly string[] | null; error: string | null }[];
  readonly mismatches: readonly string[];
  readonly check: { readonly invariant: string; readonly violations: number } | null;
  readonly reproduced: boolean | null;
}

/** The script's verdict: its JSON, and its exit code (0 only when it reproduced exactly). */
async function runScript(file: string): Promise<{ output: ScriptOutput; code: number }> {
  try {
    const { stdout } = await promisify(execFile)('node', [file, server.connectionString()], {
      cwd: root,
      timeout: 60_000,
    });
    return { output: JSON.parse(stdout) as ScriptOutput, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; code?: number };
    if (typeof failed.stdout !== 'string' || failed.stdout === '') throw error;
    return { output: JSON.parse(failed.stdout) as ScriptOutput, code: failed.code ?? -1 };
  }
}

const view = (steps: readonly ExpectedStep[]) =>
  steps.map((step) => ({ step: step.step, waitedFor: step.waitedFor, error: step.completed ? step.error : 'any' }));

describe('concurrent counterexamples of the corpus', () => {
  it('verify racing a runner deletion is checked by its failing manager INSERT (api-never-500 has no query)', () => {
    const race = exported('verify-races-runner-deletion.json');
    expect(race.check).toMatchObject({ invariant: 'api-never-500', error: '23503' });
    const failed = race.check !== null && 'failedStep' in race.check ? race.check.failedStep : null;
    const step = race.program.sessions.flatMap((session) => session.steps).find((each) => each.name === failed);
    expect(step?.sql).toContain('INSERT INTO ci_runner_machines ');
  });

  it('include the leftover assignment of a deleted project, checked by what a second owner-service run would change', () => {
    const race = exported('planted-plan-workers-in-sessions.json');
    expect(race.check?.invariant).toBe('owner-service-idempotent');
    expect(race.check !== null && 'sql' in race.check ? race.check.sql : '').toContain(
      'FROM ci_runner_projects p WHERE p.project_id IN (',
    );
  });

  it('include the two races of issue 12, one of them with a step that waits', () => {
    expect(concurrent.map(({ counterexample }) => counterexample.plan)).toEqual(
      expect.arrayContaining(['assign-to-concurrent', 'ensure-copy-races-heartbeat']),
    );
    const race = exported('ensure-copy-races-heartbeat.json');
    expect(race.expected.filter((step) => step.waitedFor !== null)).toEqual([
      { step: 's1_5', waitedFor: ['s2'], error: null, completed: false },
    ]);
    expect(race.program.sessions.map((session) => session.name)).toEqual(['s1', 's2']);
    expect(race.check?.invariant).toBe('copy-equals-source-where-present');
  });

  /**
   * api-waits-bounded is a wait, which no query of the state after the schedule shows: its export
   * has no check, and reproducing it is every step waiting for the same sessions as on the engine
   * (the request queued behind the migration's DDL among them).
   */
  const waitsOnly = (file: string): boolean =>
    concurrent.find((entry) => entry.file === file)?.counterexample.outcome === 'api-waits-bounded';

  it.each(concurrent.map(({ file }) => file))('%s: the Node script reproduces it on the server', async (file) => {
    const export_ = exported(file);
    if (waitsOnly(file)) {
      expect(export_.check).toBeNull();
      expect(export_.expected.some((step) => step.waitedFor !== null)).toBe(true);
    } else expect(export_.check).not.toBeNull();
    mkdirSync(scratch, { recursive: true });
    const script = join(scratch, file.replace(/\.json$/, '.mjs'));
    writeFileSync(script, concurrentNodeScript(export_));
    // The script has no timing retries of its own: on a busy machine, give it three tries.
    let result = await runScript(script);
    for (let attempt = 1; attempt < 3 && result.code !== 0; attempt += 1) result = await runScript(script);
    expect(result.output.mismatches).toEqual([]);
    if (!waitsOnly(file)) {
      expect(result.output.reproduced).toBe(true);
      expect(result.output.check?.violations).toBeGreaterThan(0);
      expect(result.code).toBe(0);
    }
    const observed = result.output.steps.map((step, index) => ({
      step: step.step,
      waitedFor: step.waitedFor,
      error: export_.expected[index]?.completed === false ? 'any' : step.error,
    }));
    expect(observed).toEqual(view(export_.expected));
  });

  it.each(concurrent.map(({ file }) => file))('%s: the isolation spec reproduces it on the server', async (file) => {
    const export_ = exported(file);
    const [outcome] = await runProgram(server.backend(), programFromSpec(concurrentSpec(export_)));
    const breaking = export_.check;
    if (breaking !== null && 'failedStep' in breaking) {
      // Broken by a statement's error (an API 500): that step fails on the server as on the engine.
      const failed = outcome!.steps.find((step) => step.step === breaking.failedStep);
      expect(failed?.result?.ok === false && failed.result.code).toBe(breaking.error);
    } else {
      const check = outcome!.steps.find((step) => step.step === 'check_invariant');
      if (!waitsOnly(file)) expect(check?.result?.ok && check.result.rowCount).toBeGreaterThan(0);
    }
    const observed = outcome!.steps
      .filter((step) => step.step !== 'check_invariant')
      .map((step, index) => ({
        step: step.step,
        waitedFor: step.blocked?.by ?? null,
        error:
          export_.expected[index]?.completed === false
            ? 'any'
            : step.result === null || step.result.ok
              ? null
              : step.result.code,
      }));
    expect(observed).toEqual(view(export_.expected));
  });

  it('the same statements of ensure-copy-races-heartbeat in a serial order break nothing (the race is the interleaving)', async () => {
    const spec = programFromSpec(concurrentSpec(exported('ensure-copy-races-heartbeat.json')));
    const names = (session: string): string[] =>
      spec.sessions.find((each) => each.name === session)!.steps.map((step) => step.name);
    const [outcome] = await runProgram(server.backend(), {
      ...spec,
      permutations: [[...names('s2'), ...names('s1'), 'check_invariant']],
    });
    expect(outcome!.steps.every((step) => step.blocked === null)).toBe(true);
    const check = outcome!.steps.find((step) => step.step === 'check_invariant');
    expect(check?.result).toMatchObject({ ok: true, rowCount: 0 });
  });
});
