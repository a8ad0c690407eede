import fc from 'fast-check';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { checkPlan } from '../src/harness/checkPlan.js';
import { loadPlanDirectory, planInvariants } from '../src/harness/planFile.js';
import { runScenario } from '../src/harness/runScenario.js';
import { scenarioArbitrary } from '../src/harness/scenario.js';
import { stopOnFor } from '../src/harness/campaign.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';
import { concurrentPlanRows, concurrentPlanThroughput } from './concurrencyBench.js';
import {
  completeSchedules,
  engineScratchThroughput,
  engineTreeThroughput,
  serverScheduleThroughput,
} from './scheduleBench.js';
import { enginePermutationThroughput, serverPermutationThroughput } from './serverBench.js';
import { engineTarget, mapTarget, pgliteTarget } from './targets.js';
import type { Target } from './targets.js';
import { buildWorkload } from './workload.js';
import type { BenchStatement } from './workload.js';

/**
 * `npm run bench`: pgdrill's reason to exist, as numbers from one run on this machine. The engine,
 * real PostgreSQL (PGlite, reused, a savepoint per statement) and a raw-Map ceiling execute the
 * identical statement sequence; then campaign throughput per plan and the incident's time to
 * find. The last line is one JSON object for CI dashboards and the README.
 */
const SEED = 0x5eed_2024;
const ENGINE_STATEMENTS = 200_000;
const CEILING_STATEMENTS = 1_000_000;
const PGLITE_STATEMENTS = 4_000;
const PLAN_SAMPLE_RUNS = 150;
const INCIDENT_SEEDS = 10;
const SCALE_LEGACY_RUNNERS = 100_000;
const SCALE_RUNS = 4;

let peakRss = 0;
const sampleRss = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sampleRss, 50);

async function measure(
  target: Target,
  statements: readonly BenchStatement[],
): Promise<{ perSecond: number; errors: number }> {
  const warmup = statements.slice(0, Math.min(2_000, Math.floor(statements.length / 10)));
  await target.run(warmup);
  const timed = statements.slice(warmup.length);
  const started = performance.now();
  const errors = await target.run(timed);
  const seconds = (performance.now() - started) / 1000;
  sampleRss();
  return { perSecond: Math.round(timed.length / seconds), errors };
}

/** Collects garbage between phases (the bench runs with --expose-gc), so no phase pays for another's heap. */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function statementThroughput() {
  const small = buildWorkload(1_000, CEILING_STATEMENTS, SEED);
  settle();
  const engineSmall = await measure(engineTarget(small), small.statements.slice(0, ENGINE_STATEMENTS));
  settle();
  const ceilingSmall = await measure(mapTarget(small), small.statements);
  settle();
  const large = buildWorkload(100_000, CEILING_STATEMENTS, SEED);
  settle();
  const engineLarge = await measure(engineTarget(large), large.statements.slice(0, ENGINE_STATEMENTS));
  settle();
  const ceilingLarge = await measure(mapTarget(large), large.statements);
  settle();
  const pglite = await pgliteTarget(small);
  const pgliteSmall = await measure(pglite, small.statements.slice(0, PGLITE_STATEMENTS));
  await pglite.close();
  // Same statements, same answers: each target must have rejected the same foreign-key errors.
  const engineCheck = engineTarget(small);
  const pgliteCheck = await pgliteTarget(small);
  const sample = small.statements.slice(0, 2_000);
  const [engineErrors, pgliteErrors] = [await engineCheck.run(sample), await pgliteCheck.run(sample)];
  const [engineRows, pgliteRows] = [await engineCheck.rows(), await pgliteCheck.rows()];
  await pgliteCheck.close();
  if (engineErrors !== pgliteErrors || JSON.stringify(engineRows) !== JSON.stringify(pgliteRows)) {
    throw new Error(
      `engine and PostgreSQL disagree on the benchmark workload: errors ${engineErrors}/${pgliteErrors}, rows ${JSON.stringify(engineRows)}/${JSON.stringify(pgliteRows)}`,
    );
  }
  return { engineSmall, engineLarge, ceilingSmall, ceilingLarge, pgliteSmall };
}

function planThroughput(): Record<string, number> {
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  const rates: Record<string, number> = {};
  for (const plan of plans) {
    const invariants = planInvariants(runnersDomain, plan);
    const stopOn = stopOnFor(plan, invariants);
    const scenarios = fc.sample(scenarioArbitrary(runnersDomain, plan), { numRuns: PLAN_SAMPLE_RUNS, seed: SEED });
    const started = performance.now();
    for (const scenario of scenarios)
      runScenario(runnersDomain, plan, scenario, { recordChanges: false, invariants, stopOn });
    rates[plan.name] = Math.round((scenarios.length / (performance.now() - started)) * 1000);
    sampleRss();
  }
  return rates;
}

function incidentSearch(): { medianMs: number; medianSteps: number; found: number } {
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  const incident = plans.find((plan) => plan.name === 'incident-2024-10-31');
  if (incident === undefined) throw new Error('the incident plan is missing');
  const times: number[] = [];
  const steps: number[] = [];
  for (let seed = 1; seed <= INCIDENT_SEEDS; seed++) {
    const verdict = checkPlan(runnersDomain, incident, { runs: 2_000, seed });
    if (verdict.failure !== null && verdict.timeToFindMs !== null) {
      times.push(verdict.timeToFindMs);
      steps.push(verdict.failure.shrunkSteps);
    }
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((left, right) => left - right);
    return sorted.length === 0
      ? NaN
      : sorted.length % 2 === 1
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  };
  return { medianMs: Math.round(median(times)), medianSteps: median(steps), found: times.length };
}

/**
 * A campaign at scale: every scenario starts from 100,000 legacy runners (each with a manager),
 * with GitLab's real backfill batch size, so backfills, validations and the invariants' full
 * scans all meet production-like volumes. Memory is sampled throughout; the goal is < 2 GB.
 */
function scaleCampaign(): { legacyRunners: number; secondsPerRun: number; runs: number } {
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  const base = plans.find((plan) => plan.name === 'runner-machines-fk-not-valid');
  if (base === undefined) throw new Error('the runner-machines-fk-not-valid plan is missing');
  const plan = {
    ...base,
    settings: { ...base.settings, legacyRunners: SCALE_LEGACY_RUNNERS, backfillBatchSize: 10_000 },
  };
  const invariants = planInvariants(runnersDomain, plan);
  const stopOn = stopOnFor(plan, invariants);
  const scenarios = fc.sample(scenarioArbitrary(runnersDomain, plan), { numRuns: SCALE_RUNS, seed: SEED });
  const started = performance.now();
  for (const scenario of scenarios) {
    const result = runScenario(runnersDomain, plan, scenario, { recordChanges: false, invariants, stopOn });
    if (result.failure !== null)
      throw new Error(`the safe plan failed at scale: ${result.failure.violations[0]?.message}`);
    sampleRss();
  }
  return {
    legacyRunners: SCALE_LEGACY_RUNNERS,
    secondsPerRun: Math.round(((performance.now() - started) / 1000 / scenarios.length) * 10) / 10,
    runs: scenarios.length,
  };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

const format = (value: number): string => value.toLocaleString('en-US');

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`pgdrill bench — ${machine}\n`);
  // The scale campaign runs first, in a fresh heap, so its peak memory is its own.
  const scale = scaleCampaign();
  const scalePeakRssMb = Math.round(peakRss / 2 ** 20);
  console.log(
    `scale: ${scale.runs} scenarios of runner-machines-fk-not-valid from ${format(scale.legacyRunners)} legacy runners each: ${scale.secondsPerRun} s per scenario, all invariants held, peak RSS ${scalePeakRssMb} MB\n`,
  );
  settle();
  const throughput = await statementThroughput();
  console.log(
    table([
      ['statements/s (mixed workload)', 'rows 1k', 'rows 100k'],
      ['pgdrill engine', format(throughput.engineSmall.perSecond), format(throughput.engineLarge.perSecond)],
      ['PGlite (PostgreSQL 18, WASM)', format(throughput.pgliteSmall.perSecond), '—'],
      ['raw Map ceiling', format(throughput.ceilingSmall.perSecond), format(throughput.ceilingLarge.perSecond)],
    ]),
  );
  const plans = planThroughput();
  console.log(`\n${table([['plan', 'runs/s'], ...Object.entries(plans).map(([name, rate]) => [name, format(rate)])])}`);
  const concurrent = concurrentPlanThroughput();
  sampleRss();
  console.log(`\n${table(concurrentPlanRows(concurrent))}`);
  console.log(
    '(+: concurrency {requests: 2, workers, longTransactions} added by the bench; broke: sampled runs that broke an invariant)',
  );
  const incident = incidentSearch();
  console.log(
    `\nincident-2024-10-31 over ${INCIDENT_SEEDS} seeds: found ${incident.found}/${INCIDENT_SEEDS}, median time to find ${incident.medianMs} ms, median shrunk length ${incident.medianSteps} steps`,
  );
  const sessions = await serverPermutationThroughput();
  const engineSessions = await enginePermutationThroughput();
  const sessionRatio = Math.round(
    engineSessions.permutationsPerSecond / sessions.permutationsPerSecondOnEnginePrograms,
  );
  console.log(
    `\nmulti-session regression programs, permutations/s: real server ${sessions.permutationsPerSecond} (${sessions.server}; ${sessions.permutations} permutations in ${sessions.seconds} s, ${sessions.retries} rerun for timing; initdb ${sessions.initdbMs} ms, start ${sessions.startMs} ms)`,
  );
  console.log(
    `engine sessions on the programs they run (${engineSessions.programs.join(', ')}): ${engineSessions.permutationsPerSecond} permutations/s (${engineSessions.permutations} in ${engineSessions.seconds} s); server on the same programs ${sessions.permutationsPerSecondOnEnginePrograms}/s; engine ÷ server ${sessionRatio}× (goal ≥ 1000×)`,
  );
  console.log(
    table([
      ['program', 'server permutations/s'],
      ...Object.entries(sessions.perProgram).map(([name, rate]) => [name, String(rate)]),
    ]),
  );
  const found = await completeSchedules();
  const treeFigures = await engineTreeThroughput(found);
  const scratchFigures = await engineScratchThroughput(found);
  const serverSchedules = await serverScheduleThroughput(found);
  const treeRatio = Math.round(treeFigures.perCpuSecond / serverSchedules.perSecond);
  const scratchRatio = Math.round(scratchFigures.perCpuSecond / serverSchedules.perSecond);
  console.log(
    `\nevery complete schedule of the same programs (${serverSchedules.schedules} schedules; ${found.reduce((sum, { tree }) => sum + tree.stuck, 0)} subtrees cut where a step can never complete): engine as a tree ${treeFigures.perCpuSecond}/CPU s (${treeFigures.perWallSecond}/s wall), engine from scratch ${scratchFigures.perCpuSecond}/CPU s (${scratchFigures.perWallSecond}/s wall), each after ${treeFigures.warmUp.rounds} warm-up rounds (during which ${treeFigures.warmUp.perCpuSecond} and ${scratchFigures.warmUp.perCpuSecond}/CPU s), server ${serverSchedules.perSecond}/s (${serverSchedules.seconds} s, ${serverSchedules.retries} rerun for timing, ${serverSchedules.disagreements.length} outcomes differing from the engine's); engine ÷ server ${treeRatio}× as a tree, ${scratchRatio}× from scratch (goal ≥ 1000×)`,
  );
  for (const disagreement of serverSchedules.disagreements.slice(0, 5))
    console.log(`  server and engine differ: ${disagreement}`);
  const random = sessions.random;
  console.log(
    `\nrandom multi-session programs (pgdrill diff --sessions 3, seed 11), permutations/s: real server ${random.permutationsPerSecond} (${random.schedules} schedules in ${random.seconds} s, ${random.blockedSteps} steps blocked); engine: not yet available (the engine's SessionBackend does not run these programs yet)`,
  );
  clearInterval(sampler);
  sampleRss();
  const result = {
    engineStatementsPerSecond: throughput.engineSmall.perSecond,
    pgliteStatementsPerSecond: throughput.pgliteSmall.perSecond,
    ceilingStatementsPerSecond: throughput.ceilingSmall.perSecond,
    engineOverPglite: Math.round((throughput.engineSmall.perSecond / throughput.pgliteSmall.perSecond) * 10) / 10,
    engineOverCeiling: Math.round((throughput.engineSmall.perSecond / throughput.ceilingSmall.perSecond) * 1000) / 1000,
    engineStatementsPerSecondAt100kRows: throughput.engineLarge.perSecond,
    scalingRatio100kOver1k:
      Math.round((throughput.engineLarge.perSecond / throughput.engineSmall.perSecond) * 100) / 100,
    runsPerSecond: plans,
    runsPerSecondConcurrent: Object.fromEntries(
      concurrent.map((figure) => [figure.plan, figure.concurrentRunsPerSecond]),
    ),
    runsPerCpuSecondConcurrent: Object.fromEntries(
      concurrent.map((figure) => [figure.plan, figure.concurrentRunsPerCpuSecond]),
    ),
    incidentTimeToFindMsMedian: incident.medianMs,
    incidentShrunkSteps: incident.medianSteps,
    scaleLegacyRunners: scale.legacyRunners,
    scaleSecondsPerRun: scale.secondsPerRun,
    scalePeakRssMb,
    peakRssMb: Math.round(peakRss / 2 ** 20),
    serverPermutationsPerSecond: sessions.permutationsPerSecond,
    enginePermutationsPerSecond: engineSessions.permutationsPerSecond,
    serverPermutationsPerSecondOnEnginePrograms: sessions.permutationsPerSecondOnEnginePrograms,
    enginePermutationsOverServer: sessionRatio,
    completeSchedules: serverSchedules.schedules,
    engineTreeSchedulesPerCpuSecond: treeFigures.perCpuSecond,
    engineScratchSchedulesPerCpuSecond: scratchFigures.perCpuSecond,
    serverSchedulesPerSecond: serverSchedules.perSecond,
    engineTreeSchedulesOverServer: treeRatio,
    engineScratchSchedulesOverServer: scratchRatio,
    serverScheduleDisagreements: serverSchedules.disagreements.length,
    serverRandomPermutationsPerSecond: sessions.random.permutationsPerSecond,
    engineRandomPermutationsPerSecond: null,
    serverInitdbMs: sessions.initdbMs,
    serverStartMs: sessions.startMs,
  };
  console.log(JSON.stringify(result));
}

await main();
