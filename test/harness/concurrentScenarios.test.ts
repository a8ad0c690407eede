import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runnersDomain } from '../../model/runners/domain.js';
import { packageRoot } from '../../model/runners/cli.js';
import { loadPlanFile, planInvariants } from '../../src/harness/planFile.js';
import { runScenario } from '../../src/harness/runScenario.js';
import { scenarioOperationProblem } from '../../src/harness/scenario.js';
import type { OperationCall, Scenario } from '../../src/harness/scenario.js';

/**
 * Concurrent scenarios (docs/plans.md, "concurrency"): operations started in sessions advance one
 * statement per `@step`, the rest of a session runs when an atomic call or the end needs it, and
 * the same scenario always gives the same trace. The scenarios are GitLab's assign_to race,
 * written by hand, on the shipped design and on the one that locks the runner row first.
 */
const plan = (name: string) => loadPlanFile(runnersDomain, join(packageRoot(), 'model', 'plans', `${name}.json`));

const step = (session: number): OperationCall => ({ op: '@step', args: {}, session });

/** A project runner whose owner project is deleted, then two assign_to of it in sessions 1 and 2. */
const race: Scenario = {
  swarm: ['createRunner', 'deleteProject', 'assignRunnerToProject'],
  legacy: [],
  steps: [
    { op: 'createRunner', args: { type: 3, project: 0, group: 0, extraProjects: 0 } },
    { op: 'deleteProject', args: { ownerOfRunner: true, runner: 0, project: 0, deliveries: 1 } },
    { op: 'assignRunnerToProject', args: { runner: 0, project: 0 }, session: 1 },
    { op: 'assignRunnerToProject', args: { runner: 0, project: 1 }, session: 2 },
    // Session 2 reads the runner, its assignments and the projects before session 1 writes.
    step(2),
    step(2),
    step(2),
    step(2),
    step(2),
    { op: '@plan', args: {} },
  ],
};

function run(name: string, scenario: Scenario) {
  const checked = plan(name);
  return runScenario(runnersDomain, checked, scenario, {
    recordChanges: true,
    invariants: planInvariants(runnersDomain, checked),
  });
}

describe('concurrent scenarios', () => {
  it('find the lost update of two assign_to that read before either committed, and explain it', () => {
    const result = run('assign-to-concurrent', race);
    expect(result.failure?.violations[0]?.invariant).toBe('owner-is-lowest-runner-project');
    expect(result.failure?.explanation).toMatch(/assign_to in s1 and in s2 both read runner 1 .* a lost update/);
    const sessions = result.trace.filter((traced) => traced.kind === 'session');
    expect(sessions.map((traced) => traced.session)).toContain(1);
    expect(sessions.map((traced) => traced.session)).toContain(2);
    expect(sessions.find((traced) => traced.label === 's2 SELECT * FROM projects')?.outcome).toBe('3 rows');
  });

  it('replay byte for byte', () => {
    const first = run('assign-to-concurrent', race);
    const second = run('assign-to-concurrent', race);
    expect(JSON.stringify(second.trace)).toBe(JSON.stringify(first.trace));
  });

  it('with the runner row locked first, the later assign_to waits for the other and keeps its owner', () => {
    const result = run('assign-to-locks-runner', race);
    expect(result.failure).toBeNull();
    const waited = result.trace.find((traced) => traced.outcome.startsWith('waits for'));
    // Session 2 took the row lock in its third statement; session 1 reaches its own lock later.
    expect(waited?.label).toMatch(/^s1 SELECT \* FROM ci_runners WHERE \(id = 1\) FOR UPDATE/);
    expect(waited?.outcome).toBe('waits for s2 (ShareLock on transaction)');
    expect(result.world.concurrency?.waits).toHaveLength(1);
    expect(result.world.concurrency?.waits[0]?.until).not.toBeNull();
    const owner = result.world.db.rows('ci_runners')[0]?.['sharding_key_id'];
    // Session 2 re-owned the runner to its project (3); session 1 found that owner alive and kept it.
    expect(owner).toBe(3);
  });

  it('an atomic call first finishes the sessions in flight, lowest first', () => {
    const atomicAfterStart: Scenario = {
      ...race,
      steps: [
        ...race.steps.slice(0, 4),
        { op: 'createRunner', args: { type: 1, project: 0, group: 0, extraProjects: 0 } },
      ],
    };
    const result = run('assign-to-concurrent', atomicAfterStart);
    const labels = result.trace.map((traced) => traced.label.split(' ')[0]);
    const create = labels.lastIndexOf('createRunner');
    expect(labels.slice(0, create).filter((label) => label === 's1').length).toBeGreaterThan(0);
    expect(labels.lastIndexOf('s1')).toBeLessThan(labels.indexOf('s2', labels.indexOf('s2') + 1));
    expect(result.failure).toBeNull();
  });

  it('a scenario file must fit the plan: no sessions without concurrency, none past its requests', () => {
    expect(scenarioOperationProblem(runnersDomain, race, plan('assign-to-concurrent'))).toBeNull();
    expect(scenarioOperationProblem(runnersDomain, race, plan('owner-recalc-flag-on'))).toMatch(
      /step 3: the plan has no concurrency/,
    );
    const third: Scenario = { ...race, steps: [...race.steps, step(3)] };
    expect(scenarioOperationProblem(runnersDomain, third, plan('assign-to-concurrent'))).toMatch(
      /session 3 is not one of the plan's sessions 1-2/,
    );
    const atomicOnly: Scenario = { ...race, steps: [{ op: 'createRunner', args: {}, session: 1 }] };
    expect(scenarioOperationProblem(runnersDomain, atomicOnly, plan('assign-to-concurrent'))).toMatch(
      /createRunner cannot run in a session/,
    );
    // A worker starts in a session only when the plan's concurrency allows workers.
    const worker: Scenario = { ...race, steps: [{ op: 'ownerWorkerTick', args: { job: 0 }, session: 1 }] };
    expect(scenarioOperationProblem(runnersDomain, worker, plan('assign-to-concurrent'))).toMatch(
      /ownerWorkerTick cannot run in a session/,
    );
  });
});
