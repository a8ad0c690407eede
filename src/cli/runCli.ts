import { replayScenario, scenarioFromSeed } from '../harness/checkPlan.js';
import { loadCounterexample } from '../harness/corpus.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stableStringify } from '../harness/json.js';
import type { JsonValue } from '../harness/json.js';
import { formatTrace, makeChalk } from '../harness/report.js';
import { PgdrillBug } from '../harness/runScenario.js';
import type { RunResult } from '../harness/runScenario.js';
import { ScenarioArgumentError, scenarioOperationProblem } from '../harness/scenario.js';
import type { Scenario } from '../harness/scenario.js';
import { escapeControlCharacters } from '../harness/terminalText.js';
import { UserInputError } from '../harness/userInputError.js';
import { runDiff } from '../oracle/diffCommand.js';
import { runRegressDiff } from '../oracle/regress/regressCommand.js';
import { runSessionDiff } from '../oracle/sessions/sessionDiffCommand.js';
import { scenarioScript } from '../oracle/sqlScript.js';
import { concurrentNodeScript, concurrentScenarioExport, concurrentSpec } from '../oracle/concurrentExport.js';
import { HELP, parseArguments } from './args.js';
import { checkHtmlFile, prepareHtmlDirectory, writeReplayHtml } from './htmlReports.js';
import type { Command } from './args.js';
import type { ChunkRunner, PlanCampaign } from './campaignRunner.js';
import { withConcurrencyOn } from '../harness/forcedConcurrency.js';
import { runCheckCommand, reportCampaign } from './checkCommand.js';
import type { CheckRequest } from './checkCommand.js';
import { builtinPlans, planReference, recordedPlan, resolvePlan } from './planResolution.js';
import { mergeShardReports } from './shardReport.js';
import { runListing } from './listings.js';
import { runNewPlan } from './newPlan.js';
import { planJsonSchemaText } from '../harness/planSchema.js';
import { freshSeed } from './seeds.js';
import { shellQuote } from './shellQuote.js';
import { documentText, errorLine, warningLine } from './terminal.js';

/**
 * The `pgdrill` command over any domain. The GitLab wiring lives outside src/ (model/runners/cli.ts),
 * which passes its domain and the directories of its plans and counterexamples.
 *
 * The contract, for every input: bad input (arguments, plan files, counterexamples, shard
 * reports) is one line naming what was wrong and exit code 2, never a stack trace; exit code 3
 * is reserved for a genuine internal error, printed with the command that reproduces it.
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
  /** The checked-in JSON Schema of plan files, which `new-plan` points `"$schema"` at. */
  readonly schemaFile: string;
  /** How a chunk runs in this thread (without --workers): `runChunk` unless given. */
  readonly chunkRunner?: ChunkRunner;
}

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

function runPlans<W extends WorldBase>(
  config: CliConfig<W>,
  command: Extract<Command, { kind: 'plans' }>,
  io: CliIo,
): number {
  const plans = builtinPlans(config);
  if (command.json) {
    io.stdout.write(
      `${stableStringify({ plans: plans.map((plan) => ({ name: plan.name, description: plan.description, expect: plan.expect === 'safe' ? 'safe' : { breaks: plan.expect.breaks }, steps: plan.steps.length, comment: plan.comment })) }, 2)}\n`,
    );
    return 0;
  }
  const width = Math.max(...plans.map((plan) => plan.name.length));
  for (const plan of plans) {
    const expect = plan.expect === 'safe' ? 'safe' : `breaks ${plan.expect.breaks}`;
    io.stdout.write(`${plan.name.padEnd(width)}  ${expect.padEnd(36)} ${escapeControlCharacters(plan.description)}\n`);
  }
  return 0;
}

function runCheck<W extends WorldBase>(
  config: CliConfig<W>,
  command: Extract<Command, { kind: 'check' }>,
  io: CliIo,
): Promise<number> {
  const plans =
    command.targets.length === 0 ? builtinPlans(config) : command.targets.map((target) => resolvePlan(config, target));
  const forced = command.concurrency;
  const request: CheckRequest = {
    plans: forced === null ? plans : plans.map((plan) => withConcurrencyOn(plan, forced)),
    forcedConcurrency:
      forced === null
        ? null
        : {
            concurrency: forced,
            plans: new Set(plans.filter((plan) => plan.concurrency === undefined).map((plan) => plan.name)),
          },
    seed: command.seed ?? freshSeed(),
    runs: command.runs,
    timeLimitSeconds: command.timeLimitSeconds,
    workers: command.workers,
    shard: command.shard,
    reporter: command.reporter,
    html: command.html,
    save: command.save,
  };
  return runCheckCommand(config, request, io);
}

function runMerge<W extends WorldBase>(
  config: CliConfig<W>,
  command: Extract<Command, { kind: 'merge' }>,
  io: CliIo,
): number {
  const merged = mergeShardReports(command.files);
  const campaigns: PlanCampaign[] = merged.plans.map((entry) => ({
    plan: recordedPlan(config, entry, command.files[0]!, null),
    chunks: entry.chunks,
    ms: entry.ms,
  }));
  return reportCampaign(
    config,
    io,
    campaigns,
    merged.seed,
    { reporter: command.reporter, html: command.html, runs: merged.runs },
    command.save,
    merged.runs === null,
  );
}

/** A scenario from a file that names operations this domain lacks, or arguments they cannot take, is bad input. */
function fromFile<T>(file: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof ScenarioArgumentError) throw new UserInputError(`${file}: ${error.message}`);
    throw error;
  }
}

function runReplay<W extends WorldBase>(
  config: CliConfig<W>,
  command: Extract<Command, { kind: 'replay' }>,
  io: CliIo,
): number {
  let plan: Plan;
  let scenario: Scenario;
  let recordedOutcome: string | null = null;
  let file: string | null = null;
  if (command.target.endsWith('.json') && command.seed === null) {
    file = command.target;
    const counterexample = loadCounterexample(file);
    plan = recordedPlan(
      config,
      { name: counterexample.plan, source: counterexample.planSource, hash: counterexample.planHash },
      file,
      (message) => warningLine(io, message),
    );
    scenario = counterexample.scenario;
    const problem = scenarioOperationProblem(config.domain, scenario, plan);
    if (problem !== null) throw new UserInputError(`${file}: ${problem}`);
    recordedOutcome = counterexample.outcome;
  } else {
    plan = resolvePlan(config, command.target);
    if (command.concurrency !== null) plan = withConcurrencyOn(plan, command.concurrency);
    const found = scenarioFromSeed(config.domain, plan, command.seed!, command.path!);
    if (found === null)
      throw new UserInputError(
        `seed ${command.seed} and path ${command.path} lead to no scenario of plan ${plan.name}: a path only replays with the seed and plan pgdrill check printed it with`,
      );
    scenario = found;
  }
  if (command.concurrency !== null && file !== null)
    throw new UserInputError('--concurrency replays a seed and path of check --concurrency, not a counterexample file');
  const run = <T>(body: () => T): T => (file === null ? body() : fromFile(file, body));
  if (command.node && plan.concurrency === undefined)
    throw new UserInputError(
      `plan ${plan.name} runs no concurrent sessions: --node exports concurrent counterexamples; use --sql for a psql script`,
    );
  if (command.sql || command.node) {
    const text =
      plan.concurrency === undefined
        ? run(() => scenarioScript(config.domain, plan, scenario)).text
        : run(() => {
            const exported = concurrentScenarioExport(config.domain, plan, scenario);
            return command.node ? concurrentNodeScript(exported) : concurrentSpec(exported);
          });
    io.stdout.write(documentText(io.stdout, text));
    return 0;
  }
  const result: RunResult<W> = run(() => replayScenario(config.domain, plan, scenario));
  if (command.html !== null) {
    const replay =
      command.seed === null
        ? `${config.commandName} replay ${command.target}`
        : `${config.commandName} replay ${planReference(config, plan)} --seed ${command.seed} --path "${command.path}"`;
    writeReplayHtml(command.html, { plan, scenario, result: result as RunResult<WorldBase>, replay });
  }
  const outcome = result.failure?.violations[0]?.invariant ?? 'safe';
  const reproduced = recordedOutcome === null ? result.failure !== null : outcome === recordedOutcome;
  if (command.json) {
    io.stdout.write(
      `${stableStringify(
        {
          plan: plan.name,
          outcome,
          reproduced,
          steps: result.effectiveSteps,
          violations: (result.failure?.violations ?? []).map((violation) => ({
            invariant: violation.invariant,
            message: violation.message,
          })),
          explanation: result.failure?.explanation ?? null,
          trace: result.trace.map((step) => ({ kind: step.kind, label: step.label, outcome: step.outcome })),
          scenario: scenario as unknown as JsonValue,
        },
        2,
      )}\n`,
    );
    return reproduced ? 0 : 1;
  }
  const color = makeChalk(io.stdout);
  const safe = escapeControlCharacters;
  io.stdout.write(`${color.bold(plan.name)}: ${safe(plan.description)}\n`);
  io.stdout.write(`${formatTrace(result, scenario, color).join('\n')}\n`);
  for (const violation of result.failure?.violations ?? [])
    io.stdout.write(`${color.red(`✗ ${violation.invariant}: ${safe(violation.message)}`)}\n`);
  if (result.failure?.explanation) io.stdout.write(`why: ${safe(result.failure.explanation)}\n`);
  if (result.failure === null) io.stdout.write(color.green('no invariant broke in this scenario\n'));
  if (recordedOutcome !== null && !reproduced)
    io.stdout.write(
      color.red(`the counterexample recorded "${safe(recordedOutcome)}" but the replay gave "${outcome}"\n`),
    );
  return reproduced ? 0 : 1;
}

async function runCommand<W extends WorldBase>(config: CliConfig<W>, command: Command, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.stdout.write(`${HELP}\n`);
      return 0;
    case 'plans':
      return runPlans(config, command, io);
    case 'listing':
      return runListing(config.domain, command.listing, command.json, io);
    case 'schema':
      io.stdout.write(planJsonSchemaText(config.domain));
      return 0;
    case 'new-plan': {
      const from = command.from === null ? null : resolvePlan(config, command.from);
      return runNewPlan(config.domain, command.name, from, config.schemaFile, io);
    }
    case 'check':
      if (command.html !== null) prepareHtmlDirectory(command.html);
      return await runCheck(config, command, io);
    case 'merge':
      if (command.html !== null) prepareHtmlDirectory(command.html);
      return runMerge(config, command, io);
    case 'replay':
      if (command.html !== null) checkHtmlFile(command.html);
      return runReplay(config, command, io);
    case 'diff':
      if (command.regress) return await runRegressDiff(command.json, io);
      if (command.sessions !== null)
        return await runSessionDiff(
          {
            sessions: command.sessions,
            runs: command.runs,
            seed: command.seed,
            json: command.json,
            against: command.against,
          },
          io,
        );
      return await runDiff(
        config.domain,
        command.plan === null ? null : resolvePlan(config, command.plan),
        command,
        io,
      );
  }
}

/** The command that reproduces an internal error: the crashing scenario's replay when known, else the command line. */
function reproduction<W extends WorldBase>(config: CliConfig<W>, argv: readonly string[], error: unknown): string {
  if (error instanceof PgdrillBug && error.scenario !== null) {
    const { plan, seed, path } = error.scenario;
    const target = argv.find((word) => word.endsWith('.json') && !word.startsWith('--')) ?? plan;
    let reference = plan;
    try {
      reference = planReference(config, resolvePlan(config, target));
    } catch {
      // The plan is not loadable any more; its name still says which one it was.
    }
    return `${config.commandName} replay ${reference} --seed ${seed} --path ${shellQuote(path)}`;
  }
  return `${config.commandName} ${argv.map(shellQuote).join(' ')}`;
}

/** Runs one command; resolves to the exit code: 2 with one line for bad input, 3 for an internal error. */
export async function runCli<W extends WorldBase>(
  config: CliConfig<W>,
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    return await runCommand(config, parseArguments(argv), io);
  } catch (error) {
    if (error instanceof UserInputError) {
      errorLine(io, error.message);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    errorLine(io, `internal error, a bug in pgdrill (please report it with this output): ${message}`);
    io.stderr.write(`  reproduce with: ${escapeControlCharacters(reproduction(config, argv, error))}\n`);
    if (error instanceof Error && error.stack)
      io.stderr.write(`${error.stack.split('\n').map(escapeControlCharacters).join('\n')}\n`);
    return 3;
  }
}
