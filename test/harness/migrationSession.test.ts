import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runnersDomain } from '../../model/runners/domain.js';
import { packageRoot } from '../../model/runners/cli.js';
import { loadPlanFile, planInvariants } from '../../src/harness/planFile.js';
import { runScenario } from '../../src/harness/runScenario.js';
import { scenarioOperationProblem } from '../../src/harness/scenario.js';
import type { OperationCall, Scenario } from '../../src/harness/scenario.js';

/**
 * The migration session (docs/plans.md, "concurrency", `migrations`): add_concurrent_foreign_key runs
 * in session 4 while a job holds a runner row (a long transaction) and a heartbeat arrives. As a plain
 * ALTER TABLE the heartbeat queues behind the waiting DDL for the job's whole hold; under
 * with_lock_retries the first attempt times out after 100 ms and lets it through.
 */
const plan = (name: string) => loadPlanFile(runnersDomain, join(packageRoot(), 'model', 'plans', `${name}.json`));
const step = (session: number): OperationCall => ({ op: '@step', args: {}, session });
const clock: OperationCall = { op: '@clock', args: {} };
const deploy: OperationCall = { op: '@plan', args: {} };

const behindJob: Scenario = {
  swarm: ['runnerHeartbeat', 'longRunnerJob'],
  legacy: [
    { op: 'legacyCreateRunner', args: { type: 1, orphan: false, project: 0, group: 0, extraProjects: 0 } },
    { op: 'legacyCreateRunner', args: { type: 1, orphan: false, project: 0, group: 0, extraProjects: 0 } },
  ],
  steps: [
    deploy,
    deploy,
    // The job locks and updates runner 1 (the older one), then sleeps 5 s in its transaction.
    { op: 'longRunnerJob', args: { runner: 1, update: true, holdMs: 5000 }, session: 2 },
    step(2),
    step(2),
    step(2),
    step(2),
    deploy,
    step(4),
    step(4),
    step(4),
    // A heartbeat of runner 2, whose row nobody holds.
    { op: 'runnerHeartbeat', args: { runner: 0 }, session: 1 },
    step(1),
    clock,
    clock,
    clock,
  ],
};

function run(name: string, scenario: Scenario) {
  const checked = plan(name);
  return runScenario(runnersDomain, checked, scenario, {
    recordChanges: true,
    invariants: planInvariants(runnersDomain, checked),
  });
}

describe('the migration session', () => {
  it('a plain ALTER TABLE behind a long transaction queues a heartbeat for the whole hold', () => {
    const result = run('fk-on-copy-lock-queue', behindJob);
    expect(result.failure?.violations[0]?.invariant).toBe('api-waits-bounded');
    expect(result.failure?.violations[0]?.message).toMatch(/^runnerHeartbeat runner=0 in session s1 waited 5000 ms/);
    expect(result.failure?.violations[0]?.message).toMatch(/blocked by s4/);
    const alter = result.trace.find((traced) => traced.label.startsWith('s4 ALTER TABLE'));
    expect(alter?.outcome).toMatch(/^waits for s2 \(ShareRowExclusiveLock on relation instance_type_ci_runners/);
  });

  it('under with_lock_retries the attempt times out at 100 ms and the heartbeat goes through', () => {
    const result = run('fk-on-copy-with-lock-retries', behindJob);
    expect(result.failure).toBeNull();
    const outcomes = result.trace.map((traced) => `${traced.label}: ${traced.outcome}`);
    expect(outcomes.some((line) => /^s4 ALTER TABLE .*: resumed: ERROR 55P03/.test(line))).toBe(true);
    expect(outcomes.some((line) => /^s1 UPDATE ci_runners .*: resumed: 1 row → runner heartbeat/.test(line))).toBe(
      true,
    );
    expect(result.world.concurrency?.waits.find((wait) => wait.session === 1)?.countedMs).toBe(100);
    expect(result.world.migrationFailures).toEqual([]);
  });

  it('replays byte for byte', () => {
    const first = run('fk-on-copy-with-lock-retries', behindJob);
    const second = run('fk-on-copy-with-lock-retries', behindJob);
    expect(JSON.stringify(second.trace)).toBe(JSON.stringify(first.trace));
  });

  it('a request waiting only for a long transaction does not count, and only plan steps start in the migration session', () => {
    const sameRow: Scenario = {
      ...behindJob,
      steps: [
        ...behindJob.steps.slice(0, 7),
        // A heartbeat of the job's own runner waits for its row lock: the job's doing, not the migration's.
        { op: 'runnerHeartbeat', args: { runner: 1 }, session: 1 },
        step(1),
        clock,
        clock,
      ],
    };
    const result = run('fk-on-copy-lock-queue', sameRow);
    expect(result.failure).toBeNull();
    const wait = result.world.concurrency?.waits.find((record) => record.session === 1);
    expect(wait?.blockedBy).toEqual([2]);
    expect(wait?.countedMs).toBe(0);
    const misplaced: Scenario = {
      ...behindJob,
      steps: [{ op: 'runnerHeartbeat', args: { runner: 0 }, session: 4 }],
    };
    expect(scenarioOperationProblem(runnersDomain, misplaced, plan('fk-on-copy-lock-queue'))).toMatch(
      /session 4 is the migration session/,
    );
  });
});
