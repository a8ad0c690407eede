import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { checkPlan, replayScenario, scenarioFromSeed } from '../harness/checkPlan.js';
import type { PlanVerdict } from '../harness/checkPlan.js';
import { counterexampleOf, loadCounterexample, saveCounterexample } from '../harness/corpus.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stableStringify } from '../harness/json.js';
import type { JsonValue } from '../harness/json.js';
import { loadPlanDirectory, loadPlanFile } from '../harness/planFile.js';
import { formatTrace, formatVerdict, makeChalk, verdictJson } from '../harness/report.js';
import { PgdrillBug } from '../harness/runScenario.js';
import type { Scenario } from '../harness/scenario.js';
import { UserInputError } from '../harness/userInputError.js';
import { HELP, parseArguments } from './args.js';
import type { Command } from './args.js';
import { ProgressBar } from './progress.js';
import { freshSeed } from './seeds.js';

/**
 * The `pgdrill` command over any domain. The GitLab wiring lives outside src/ (properties/),
 * which passes its domain and the directories of its plans and counterexamples.
 */
export interface CliConfig<W extends WorldBase> {
  readonly domain: Domain<W>;
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

function replayCommandFor<W extends WorldBase>(config: CliConfig<W>, verdict: PlanVerdict): string | null {
  if (verdict.failure === null) return null;
  return `${config.commandName} replay ${planReference(config, verdict.plan)} --seed ${verdict.failure.seed} --path "${verdict.failure.path}"`;
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

function runCheck<W extends WorldBase>(config: CliConfig<W>, command: Extract<Command, { kind: 'check' }>, io: CliIo): number {
  const plans = command.targets.length === 0 ? builtinPlans(config) : command.targets.map((target) => resolvePlan(config, target));
  const seed = command.seed ?? freshSeed();
  const runs = command.runs ?? (command.timeLimitSeconds !== null ? Number.MAX_SAFE_INTEGER : config.defaultRuns);
  const color = makeChalk(io.stdout);
  if (!command.json) io.stdout.write(color.dim(`pgdrill check: ${plans.length} plan(s), seed ${seed}, ${Number.isFinite(runs) && runs < Number.MAX_SAFE_INTEGER ? `${runs} runs each` : 'until the time limit'}\n\n`));
  const results: JsonValue[] = [];
  let allMatched = true;
  for (const plan of plans) {
    const progress = new ProgressBar(io.stderr, plan.name, runs);
    const verdict = checkPlan(config.domain, plan, {
      runs,
      seed,
      ...(command.timeLimitSeconds !== null ? { timeLimitMs: (command.timeLimitSeconds * 1000) / plans.length } : {}),
      onRun: command.json ? undefined : (done) => progress.update(done),
    });
    progress.clear();
    const replay = replayCommandFor(config, verdict);
    const saved = verdict.failure !== null && command.save ? saveCounterexample(config.counterexampleDirectory, counterexampleOf(plan, verdict.failure)) : null;
    const savedShown = saved === null ? null : relative(process.cwd(), saved);
    allMatched &&= verdict.matched && verdict.missingProbes.length === 0;
    if (command.json) results.push(verdictJson(verdict, replay, savedShown));
    else io.stdout.write(`${formatVerdict(verdict, color, replay, savedShown).join('\n')}\n\n`);
  }
  if (command.json) io.stdout.write(`${stableStringify({ seed, plans: results }, 2)}\n`);
  else io.stdout.write(allMatched ? color.green('every plan matched its expectation\n') : color.red('some plans did not match their expectation\n'));
  return allMatched ? 0 : 1;
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

/** Runs one command; returns the exit code. User errors print one line and give 2. */
export function runCli<W extends WorldBase>(config: CliConfig<W>, argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): number {
  try {
    const command = parseArguments(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${HELP}\n`);
        return 0;
      case 'plans':
        return runPlans(config, command, io);
      case 'check':
        return runCheck(config, command, io);
      case 'replay':
        return runReplay(config, command, io);
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
