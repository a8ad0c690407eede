import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { replayScenario, scenarioFromSeed } from '../harness/checkPlan.js';
import { loadCounterexample } from '../harness/corpus.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stableStringify } from '../harness/json.js';
import type { JsonValue } from '../harness/json.js';
import { loadPlanDirectory, loadPlanFile } from '../harness/planFile.js';
import { formatTrace, makeChalk } from '../harness/report.js';
import { PgdrillBug } from '../harness/runScenario.js';
import type { Scenario } from '../harness/scenario.js';
import { UserInputError } from '../harness/userInputError.js';
import { runDiff } from '../oracle/diffCommand.js';
import { runRegressDiff } from '../oracle/regress/regressCommand.js';
import { scenarioScript } from '../oracle/sqlScript.js';
import { HELP, parseArguments } from './args.js';
import type { Command } from './args.js';
import type { PlanCampaign } from './campaignRunner.js';
import { runCheckCommand, reportCampaign } from './checkCommand.js';
import type { CheckRequest } from './checkCommand.js';
import { mergeShardReports } from './shardReport.js';
import { freshSeed } from './seeds.js';

/**
 * The `pgdrill` command over any domain. The GitLab wiring lives outside src/ (model/runners/cli.ts),
 * which passes its domain and the directories of its plans and counterexamples.
 */
export interface CliConfig<W extends WorldBase> {
  readonly domain: Domain<W>;
  /** A compiled module whose default export runs one chunk (see campaignRunner.ts), for --workers. */
  readonly workerModule: URL | null;
  readonly planDirectory: string;
  readonly counterexampleDirectory: string;
  readonly defaultRuns: number;
  /** How `replay` is spelled in printed commands (e.g. `npx pgdrill`). */
  readonly commandName: string;
}

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

function builtinPlans<W extends WorldBase>(config: CliConfig<W>): Plan[] {
  return loadPlanDirectory(config.domain, config.planDirectory);
}

function resolvePlan<W extends WorldBase>(config: CliConfig<W>, target: string): Plan {
  if (target.endsWith('.json') || existsSync(target)) return loadPlanFile(config.domain, target);
  const plans = builtinPlans(config);
  const plan = plans.find((candidate) => candidate.name === target);
  if (plan === undefined) throw new UserInputError(`unknown plan "${target}" (known: ${plans.map((candidate) => candidate.name).join(', ')})`);
  return plan;
}

function planReference<W extends WorldBase>(config: CliConfig<W>, plan: Plan): string {
  const builtin = builtinPlans(config).some((candidate) => candidate.name === plan.name && candidate.source === plan.source);
  return builtin ? plan.name : relative(process.cwd(), plan.source);
}

function runPlans<W extends WorldBase>(config: CliConfig<W>, command: Extract<Command, { kind: 'plans' }>, io: CliIo): number {
  const plans = builtinPlans(config);
  if (command.json) {
    io.stdout.write(`${stableStringify({ plans: plans.map((plan) => ({ name: plan.name, description: plan.description, expect: plan.expect === 'safe' ? 'safe' : { breaks: plan.expect.breaks }, steps: plan.steps.length, comment: plan.comment })) }, 2)}\n`);
    return 0;
  }
  const width = Math.max(...plans.map((plan) => plan.name.length));
  for (const plan of plans) {
    const expect = plan.expect === 'safe' ? 'safe' : `breaks ${plan.expect.breaks}`;
    io.stdout.write(`${plan.name.padEnd(width)}  ${expect.padEnd(36)} ${plan.description}\n`);
  }
  return 0;
}

function runCheck<W extends WorldBase>(config: CliConfig<W>, command: Extract<Command, { kind: 'check' }>, io: CliIo): Promise<number> {
  const plans = command.targets.length === 0 ? builtinPlans(config) : command.targets.map((target) => resolvePlan(config, target));
  const request: CheckRequest = {
    plans,
    seed: command.seed ?? freshSeed(),
    runs: command.runs,
    timeLimitSeconds: command.timeLimitSeconds,
    workers: command.workers,
    shard: command.shard,
    json: command.json,
    save: command.save,
  };
  return runCheckCommand(config, request, io, (plan) => planReference(config, plan));
}

function runMerge<W extends WorldBase>(config: CliConfig<W>, command: Extract<Command, { kind: 'merge' }>, io: CliIo): number {
  const merged = mergeShardReports(command.files);
  const campaigns: PlanCampaign[] = [...merged.plans].map(([name, entry]) => {
    const plan = existsSync(entry.source) ? loadPlanFile(config.domain, entry.source) : resolvePlan(config, name);
    return { plan, chunks: entry.chunks, ms: entry.ms };
  });
  return reportCampaign(config, io, campaigns, merged.seed, command.json, command.save, merged.runs === null, (plan) => planReference(config, plan));
}

function runReplay<W extends WorldBase>(config: CliConfig<W>, command: Extract<Command, { kind: 'replay' }>, io: CliIo): number {
  let plan: Plan;
  let scenario: Scenario;
  let recordedOutcome: string | null = null;
  if (command.target.endsWith('.json') && command.seed === null) {
    const counterexample = loadCounterexample(command.target);
    plan = resolvePlan(config, counterexample.plan);
    scenario = counterexample.scenario;
    recordedOutcome = counterexample.outcome;
  } else {
    plan = resolvePlan(config, command.target);
    const found = scenarioFromSeed(config.domain, plan, command.seed!, command.path!);
    if (found === null) throw new UserInputError(`seed ${command.seed} and path ${command.path} produce no scenario for plan ${plan.name}`);
    scenario = found;
  }
  if (command.sql) {
    io.stdout.write(scenarioScript(config.domain, plan, scenario).text);
    return 0;
  }
  const result = replayScenario(config.domain, plan, scenario);
  const outcome = result.failure?.violations[0]?.invariant ?? 'safe';
  const reproduced = recordedOutcome === null ? result.failure !== null : outcome === recordedOutcome;
  if (command.json) {
    io.stdout.write(`${stableStringify({
      plan: plan.name,
      outcome,
      reproduced,
      steps: result.effectiveSteps,
      violations: (result.failure?.violations ?? []).map((violation) => ({ invariant: violation.invariant, message: violation.message })),
      explanation: result.failure?.explanation ?? null,
      trace: result.trace.map((step) => ({ kind: step.kind, label: step.label, outcome: step.outcome })),
      scenario: scenario as unknown as JsonValue,
    }, 2)}\n`);
    return reproduced ? 0 : 1;
  }
  const color = makeChalk(io.stdout);
  io.stdout.write(`${color.bold(plan.name)}: ${plan.description}\n`);
  io.stdout.write(`${formatTrace(result, scenario, color).join('\n')}\n`);
  for (const violation of result.failure?.violations ?? []) io.stdout.write(color.red(`✗ ${violation.invariant}: ${violation.message}\n`));
  if (result.failure?.explanation) io.stdout.write(`why: ${result.failure.explanation}\n`);
  if (result.failure === null) io.stdout.write(color.green('no invariant broke in this scenario\n'));
  if (recordedOutcome !== null && !reproduced) io.stdout.write(color.red(`the counterexample recorded "${recordedOutcome}" but the replay gave "${outcome}"\n`));
  return reproduced ? 0 : 1;
}

/** Runs one command; resolves to the exit code. User errors print one line and give 2. */
export async function runCli<W extends WorldBase>(config: CliConfig<W>, argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const command = parseArguments(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${HELP}\n`);
        return 0;
      case 'plans':
        return runPlans(config, command, io);
      case 'check':
        return await runCheck(config, command, io);
      case 'merge':
        return runMerge(config, command, io);
      case 'replay':
        return runReplay(config, command, io);
      case 'diff':
        if (command.regress) return await runRegressDiff(command.json, io);
        return await runDiff(config.domain, command.plan === null ? null : resolvePlan(config, command.plan), command, io);
    }
  } catch (error) {
    if (error instanceof UserInputError) {
      io.stderr.write(`pgdrill: ${error.message}\n`);
      return 2;
    }
    if (error instanceof PgdrillBug) {
      io.stderr.write(`pgdrill: internal error (please report): ${error.message}\n${error.stack ?? ''}\n`);
      return 3;
    }
    throw error;
  }
}
