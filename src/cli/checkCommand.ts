import { join, relative } from 'node:path';
import { combineChunks } from '../harness/checkPlan.js';
import type { FoundFailure, PlanVerdict } from '../harness/checkPlan.js';
import { counterexampleFileName, counterexampleOf, saveCounterexample } from '../harness/corpus.js';
import { systemReason } from '../harness/inputFile.js';
import type { Plan, PlanConcurrency, WorldBase } from '../harness/domain.js';
import { concurrencyFlag } from '../harness/forcedConcurrency.js';
import { stableStringify } from '../harness/json.js';
import type { JsonObject, JsonValue } from '../harness/json.js';
import { formatVerdict, makeChalk, verdictJson } from '../harness/report.js';
import { UserInputError } from '../harness/userInputError.js';
import type { Reporter } from './args.js';
import { writeVerdictHtml } from './htmlReports.js';
import { junitReport } from './junitReporter.js';
import type { JunitCase } from './junitReporter.js';
import { runCampaignInThread, runCampaignOnPool } from './campaignRunner.js';
import type { CampaignOptions, PlanCampaign, Shard } from './campaignRunner.js';
import type { CliConfig, CliIo } from './runCli.js';
import { isBuiltin, planReference, planSourceOf } from './planResolution.js';
import { ProgressBar } from './progress.js';
import { warningLine } from './terminal.js';
import { escapeControlCharacters } from '../harness/terminalText.js';
import { distinctFailures, shardReportOf, totalRuns } from './shardReport.js';
import type { DistinctFailure } from './shardReport.js';
import { createWorkerPool } from './workerPool.js';

/**
 * `pgdrill check` and `pgdrill merge`: run (or merge) a campaign over plans and report each
 * plan's verdict against its expectation. Exit 0 when every verdict matches and every declared
 * probe was hit, 1 otherwise.
 */
export interface CheckRequest {
  readonly plans: readonly Plan[];
  readonly seed: number;
  readonly runs: number | null;
  readonly timeLimitSeconds: number | null;
  readonly workers: number;
  readonly shard: Shard | null;
  readonly reporter: Reporter;
  /** A directory for one HTML report per counterexample, or null. */
  readonly html: string | null;
  readonly save: boolean;
  /** `--concurrency`: what was forced and onto which plans (those shipped without `concurrency`), or null. */
  readonly forcedConcurrency: ForcedConcurrency | null;
}

/** Concurrency a campaign forced onto plans shipped serial, so reports never pass its verdicts off as theirs. */
export interface ForcedConcurrency {
  readonly concurrency: PlanConcurrency;
  /** Names of the plans that got it (those that set `concurrency` keep their own). */
  readonly plans: ReadonlySet<string>;
}

/** The forced concurrency as reports print it. */
function forcedJson(forced: ForcedConcurrency): JsonObject {
  return {
    requests: forced.concurrency.requests,
    workers: forced.concurrency.workers === true,
    longTransactions: forced.concurrency.longTransactions === true,
  };
}

/** The command that replays a failure, as reports print it (also used by `pgdrill/vitest`). */
export function replayCommand<W extends WorldBase>(
  config: CliConfig<W>,
  plan: Plan,
  seed: number,
  path: string,
  forced: PlanConcurrency | null = null,
): string {
  const flag = forced === null ? '' : ` ${concurrencyFlag(forced)}`;
  return `${config.commandName} replay ${planReference(config, plan)} --seed ${seed} --path "${path}"${flag}`;
}

/**
 * Saves a verdict's counterexample. Failing to save (a read-only directory, `.pgdrill` being a
 * file, a directory where the file goes) must not lose the verdict: it becomes a warning that
 * is printed after the report.
 */
function trySave<W extends WorldBase>(
  config: CliConfig<W>,
  plan: Plan,
  failure: FoundFailure,
  warnings: string[],
): string | null {
  const counterexample = counterexampleOf(plan, failure, isBuiltin(config, plan));
  const target = join(config.counterexampleDirectory, counterexampleFileName(counterexample));
  try {
    return relative(process.cwd(), saveCounterexample(config.counterexampleDirectory, counterexample));
  } catch (error) {
    warnings.push(
      `could not save the counterexample of ${plan.name} to ${relative(process.cwd(), target)}: ${systemReason(error)}`,
    );
    return null;
  }
}

/** Like a counterexample, a report that cannot be written becomes a warning; the verdict stands. */
function tryWriteHtml(
  directory: string,
  verdict: PlanVerdict,
  replay: string | null,
  warnings: string[],
): string | null {
  try {
    return writeVerdictHtml(directory, verdict, replay);
  } catch (error) {
    warnings.push(`could not write the HTML report of ${verdict.plan.name} to ${directory}: ${systemReason(error)}`);
    return null;
  }
}

/** How a campaign's verdicts are printed (and, for JUnit, how many runs each plan was given). */
export interface ReportOutput {
  readonly reporter: Reporter;
  readonly html: string | null;
  readonly runs: number | null;
  /** `check --concurrency`; absent or null otherwise (merge never has it). */
  readonly forced?: ForcedConcurrency | null;
}

/** Prints verdicts (text or one JSON object) and returns the exit code. Shared by check and merge. */
export function reportCampaign<W extends WorldBase>(
  config: CliConfig<W>,
  io: CliIo,
  campaigns: readonly PlanCampaign[],
  seed: number,
  output: ReportOutput,
  save: boolean,
  fuzzing: boolean,
): number {
  const color = makeChalk(io.stdout);
  const json = output.reporter === 'json';
  const results: JsonValue[] = [];
  const warnings: string[] = [];
  const junitCases: JunitCase[] = [];
  let allMatched = true;
  const forced = output.forced ?? null;
  for (const campaign of campaigns) {
    const verdict = combineChunks(config.domain, campaign.plan, campaign.chunks, campaign.ms);
    const forcedHere = forced?.plans.has(campaign.plan.name) ? forced.concurrency : null;
    const replay =
      verdict.failure === null
        ? null
        : replayCommand(config, campaign.plan, verdict.failure.seed, verdict.failure.path, forcedHere);
    // A counterexample file names the shipped plan, which replays serial: one found under forced
    // concurrency would not replay from it (and would overwrite the plan's own), so it is not saved.
    const savedShown =
      verdict.failure !== null && save && forcedHere === null
        ? trySave(config, campaign.plan, verdict.failure, warnings)
        : null;
    const html = output.html === null ? null : tryWriteHtml(output.html, verdict, replay, warnings);
    allMatched &&= verdict.matched && verdict.missingProbes.length === 0;
    const distinct = fuzzing ? distinctFailures(config.domain, campaign.plan, campaign.chunks) : [];
    const fuzzRuns = totalRuns(campaign.chunks);
    if (output.reporter === 'junit') {
      junitCases.push({ verdict, replay });
      continue;
    }
    if (json) {
      const plain = verdictJson(verdict, replay, savedShown);
      const entry = forced === null ? plain : { ...plain, concurrencyForced: forcedHere !== null };
      results.push(
        fuzzing
          ? {
              ...entry,
              runs: fuzzRuns,
              distinctFailures: distinct.map((failure) => distinctJson(config, campaign.plan, failure, forcedHere)),
            }
          : entry,
      );
      continue;
    }
    io.stdout.write(`${formatVerdict(verdict, color, replay, savedShown).join('\n')}\n`);
    if (forcedHere !== null)
      io.stdout.write(
        color.yellow(
          campaign.plan.underConcurrency === undefined
            ? '  run with concurrency forced on (--concurrency): held to the serial expectation (the plan sets no underConcurrency)\n'
            : "  run with concurrency forced on (--concurrency): held to the plan's underConcurrency verdict\n",
        ),
      );
    if (html !== null) io.stdout.write(color.dim(`  html: ${relative(process.cwd(), html)}\n`));
    if (fuzzing && distinct.length > 0) {
      io.stdout.write(`  ${distinct.length} distinct failure(s), by cause, in ${fuzzRuns} fresh runs:\n`);
      for (const failure of distinct) {
        const entry = distinctJson(config, campaign.plan, failure, forcedHere);
        const line = `${String(entry.invariant)} (${String(entry.steps)} steps): ${String(entry.why)}`;
        io.stdout.write(
          `   - ${escapeControlCharacters(line)}\n     ${escapeControlCharacters(String(entry.replay))}\n`,
        );
      }
    }
    io.stdout.write('\n');
  }
  if (output.reporter === 'junit') io.stdout.write(junitReport(junitCases, seed, output.runs));
  else if (json)
    io.stdout.write(
      `${stableStringify(
        forced === null ? { seed, plans: results } : { seed, forcedConcurrency: forcedJson(forced), plans: results },
        2,
      )}\n`,
    );
  else
    io.stdout.write(
      allMatched
        ? color.green('every plan matched its expectation\n')
        : color.red('some plans did not match their expectation\n'),
    );
  for (const warning of warnings) warningLine(io, warning);
  return allMatched ? 0 : 1;
}

function distinctJson<W extends WorldBase>(
  config: CliConfig<W>,
  plan: Plan,
  distinct: DistinctFailure,
  forced: PlanConcurrency | null,
): { readonly [key: string]: JsonValue } {
  const failure = distinct.chunk.failure!;
  return {
    invariant: failure.invariant,
    why: distinct.why,
    steps: failure.scenario.legacy.length + failure.scenario.steps.filter((step) => step.op !== '@plan').length,
    replay: replayCommand(config, plan, failure.seed, failure.path, forced),
  };
}

/** The header line of a campaign with forced concurrency (empty without). */
function forcedLine(forced: ForcedConcurrency | null): string {
  if (forced === null) return '';
  const what = `${forced.concurrency.requests} requests, workers and long transactions in sessions`;
  return `concurrency forced on (campaign mode): ${what}, for ${forced.plans.size} plan(s) shipped without it\n`;
}

export async function runCheckCommand<W extends WorldBase>(
  config: CliConfig<W>,
  request: CheckRequest,
  io: CliIo,
): Promise<number> {
  const fuzzing = request.runs === null && request.timeLimitSeconds !== null;
  const runs = fuzzing ? null : (request.runs ?? config.defaultRuns);
  if (request.workers > 1 && config.workerModule === null)
    throw new UserInputError('this build has no worker module; run without --workers');
  const color = makeChalk(io.stdout);
  const shardText = request.shard ? `, shard ${request.shard.index}/${request.shard.count}` : '';
  const quiet = request.reporter !== 'text' || request.shard !== null;
  if (!quiet)
    io.stdout.write(
      color.dim(
        `pgdrill check: ${request.plans.length} plan(s), seed ${request.seed}, ${runs === null ? `fresh runs for ${request.timeLimitSeconds} s` : `${runs} runs each`}${request.workers > 1 ? `, ${request.workers} workers` : ''}${shardText}\n` +
          `${forcedLine(request.forcedConcurrency)}\n`,
      ),
    );
  const progress = new Map<string, { bar: ProgressBar; done: number }>();
  const options: CampaignOptions = {
    seed: request.seed,
    runs,
    shard: request.shard,
    ...(request.timeLimitSeconds !== null ? { deadline: performance.now() + request.timeLimitSeconds * 1000 } : {}),
    ...(quiet
      ? {}
      : {
          onRun: (plan: Plan) => {
            let entry = progress.get(plan.name);
            if (entry === undefined) {
              entry = { bar: new ProgressBar(io.stderr, plan.name, runs ?? Infinity), done: 0 };
              progress.set(plan.name, entry);
            }
            entry.bar.update(++entry.done);
          },
        }),
  };
  let campaigns: PlanCampaign[];
  if (request.workers > 1) {
    const pool = createWorkerPool(config.workerModule!, request.workers);
    try {
      campaigns = await runCampaignOnPool(pool, request.plans, options);
    } finally {
      await pool.close();
    }
  } else {
    campaigns = runCampaignInThread(config.domain, request.plans, options, config.chunkRunner);
  }
  for (const entry of progress.values()) entry.bar.clear();
  if (request.shard !== null) {
    io.stdout.write(
      `${stableStringify(shardReportOf(campaigns, request.seed, runs, request.shard, (plan) => planSourceOf(config, plan)) as unknown as JsonValue)}\n`,
    );
    return 0;
  }
  return reportCampaign(
    config,
    io,
    campaigns,
    request.seed,
    { reporter: request.reporter, html: request.html, runs, forced: request.forcedConcurrency },
    request.save,
    fuzzing,
  );
}
