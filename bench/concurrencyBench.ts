/**
 * Scenario throughput with concurrency on, for `npm run bench`: every plan that sets `concurrency`
 * as shipped, and every other plan with `concurrency: {requests: 2, workers: true,
 * longTransactions: true}` added by `withConcurrencyOn`, as `pgdrill check --concurrency` does
 * (the harness runs any plan that way: its coroutine requests and workers start in engine
 * sessions and interleave statement by statement, and long transactions are drawn when the
 * plan's traffic allows them), beside the same plan as shipped. Also counts the sampled runs in
 * which an invariant broke, so a design that only fails with requests in flight shows here first. Runs alone with
 * `node dist/bench/concurrencyBench.js` (after `npm run build`).
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stopOnFor } from '../src/harness/campaign.js';
import type { Plan } from '../src/harness/domain.js';
import { withConcurrencyOn } from '../src/harness/forcedConcurrency.js';
import { loadPlanDirectory, planInvariants } from '../src/harness/planFile.js';
import { runScenario } from '../src/harness/runScenario.js';
import { scenarioArbitrary } from '../src/harness/scenario.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';

const SEED = 0x5eed_2024;
const SAMPLE_RUNS = 150;

export interface ConcurrentPlanFigures {
  readonly plan: string;
  /** True when the plan sets `concurrency` itself; false when the bench added it. */
  readonly shipped: boolean;
  readonly requests: number;
  /** Runs per second as shipped (the serial harness for plans without `concurrency`). */
  readonly serialRunsPerSecond: number | null;
  readonly concurrentRunsPerSecond: number;
  /** The same per CPU second of this process: on a shared machine, wall-clock rates mostly measure the others. */
  readonly serialRunsPerCpuSecond: number | null;
  readonly concurrentRunsPerCpuSecond: number;
  /** Sampled runs (of `runs`) in which an invariant the plan checks broke, with concurrency on. */
  readonly broken: number;
  readonly runs: number;
}

function runsPerSecond(plan: Plan): { perSecond: number; perCpuSecond: number; broken: number; runs: number } {
  const invariants = planInvariants(runnersDomain, plan);
  const stopOn = stopOnFor(plan, invariants);
  const scenarios = fc.sample(scenarioArbitrary(runnersDomain, plan), { numRuns: SAMPLE_RUNS, seed: SEED });
  let broken = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const scenario of scenarios)
    if (runScenario(runnersDomain, plan, scenario, { recordChanges: false, invariants, stopOn }).failure !== null)
      broken += 1;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: Math.round((scenarios.length / (performance.now() - started)) * 1000),
    perCpuSecond: Math.round((scenarios.length / (used.user + used.system)) * 1e6),
    broken,
    runs: scenarios.length,
  };
}

export function concurrentPlanThroughput(): ConcurrentPlanFigures[] {
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  return plans.map((plan) => {
    const shipped = plan.concurrency !== undefined;
    const concurrent = withConcurrencyOn(plan);
    const on = runsPerSecond(concurrent);
    const off = shipped ? null : runsPerSecond(plan);
    return {
      plan: plan.name,
      shipped,
      requests: concurrent.concurrency!.requests,
      serialRunsPerSecond: off?.perSecond ?? null,
      concurrentRunsPerSecond: on.perSecond,
      serialRunsPerCpuSecond: off?.perCpuSecond ?? null,
      concurrentRunsPerCpuSecond: on.perCpuSecond,
      broken: on.broken,
      runs: on.runs,
    };
  });
}

const rate = (value: number | null): string => (value === null ? '—' : value.toLocaleString('en-US'));

/** The figures as printed rows: runs per second and per CPU second, as shipped and with concurrency on. */
export function concurrentPlanRows(figures: readonly ConcurrentPlanFigures[]): string[][] {
  return [
    ['plan (concurrency on)', 'requests', 'runs/s serial', 'concurrent', 'per CPU s serial', 'concurrent', 'broke'],
    ...figures.map((figure) => [
      `${figure.plan}${figure.shipped ? '' : ' +'}`,
      String(figure.requests),
      rate(figure.serialRunsPerSecond),
      rate(figure.concurrentRunsPerSecond),
      rate(figure.serialRunsPerCpuSecond),
      rate(figure.concurrentRunsPerCpuSecond),
      `${figure.broken}/${figure.runs}`,
    ]),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = concurrentPlanThroughput();
  for (const row of concurrentPlanRows(figures)) console.log(row.join('\t'));
  console.log(JSON.stringify({ concurrentRunsPerSecond: figures }));
}
