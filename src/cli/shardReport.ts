import { CHUNK_RUNS, chunkSeed } from '../harness/campaign.js';
import { replayScenario } from '../harness/checkPlan.js';
import type { Domain, WorldBase } from '../harness/domain.js';
import type { ChunkResult } from '../harness/campaign.js';
import { scenarioProblem } from '../harness/corpus.js';
import type { Plan } from '../harness/domain.js';
import { parseJsonText, readInputText } from '../harness/inputFile.js';
import type { JsonObject, JsonValue } from '../harness/json.js';
import { PLAN_NAME } from '../harness/planFile.js';
import { UserInputError } from '../harness/userInputError.js';
import type { PlanCampaign, Shard } from './campaignRunner.js';
import { LIMITS } from './args.js';

/**
 * What one shard of a campaign writes (`check --shard i/n --json`) and `merge` reads: every
 * chunk result, so the merge can combine them exactly as a single run would. A shard report is
 * untrusted input: `merge` checks that every shard belongs to the same campaign (seed, runs,
 * shard count, the same plans with the same content hashes) and that every chunk is one this
 * shard was due to run (its index, and the seed derived from the campaign's), before combining.
 */
export const SHARD_FORMAT = 'pgdrill-shard/1';

export interface ShardPlan {
  readonly name: string;
  /** `builtin`, or the absolute path of the plan file. */
  readonly source: string;
  /** The plan's content hash (Plan.hash). */
  readonly hash: string;
  readonly ms: number;
  readonly chunks: readonly ChunkResult[];
}

export interface ShardReport {
  readonly format: typeof SHARD_FORMAT;
  readonly seed: number;
  readonly runs: number | null;
  readonly shard: Shard;
  readonly plans: readonly ShardPlan[];
}

export function shardReportOf(
  campaigns: readonly PlanCampaign[],
  seed: number,
  runs: number | null,
  shard: Shard,
  sourceOf: (plan: Plan) => string,
): ShardReport {
  return {
    format: SHARD_FORMAT,
    seed,
    runs,
    shard,
    plans: campaigns.map((campaign) => ({
      name: campaign.plan.name,
      source: sourceOf(campaign.plan),
      hash: campaign.plan.hash,
      ms: Math.round(campaign.ms),
      chunks: campaign.chunks,
    })),
  };
}

export interface MergedPlan {
  readonly name: string;
  readonly source: string;
  readonly hash: string;
  readonly ms: number;
  readonly chunks: ChunkResult[];
}

export interface MergedShards {
  readonly seed: number;
  readonly runs: number | null;
  readonly plans: readonly MergedPlan[];
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: JsonValue | undefined, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
const isDuration = (value: JsonValue | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Why a chunk is not one this shard of this campaign ran, or null. */
function chunkProblem(raw: JsonValue, plan: string, seed: number, runs: number | null, shard: Shard): string | null {
  if (!isObject(raw) || !isObject(raw.spec)) return 'is not a chunk result';
  const spec = raw.spec;
  if (spec.plan !== plan) return `belongs to plan ${JSON.stringify(spec.plan)}`;
  if (!isCount(spec.index) || spec.index % shard.count !== shard.index - 1)
    return `has index ${JSON.stringify(spec.index)}, which is not one of shard ${shard.index}/${shard.count}`;
  if (spec.seed !== chunkSeed(seed, plan, spec.index))
    return `has seed ${JSON.stringify(spec.seed)}, not the one campaign seed ${seed} gives chunk ${spec.index}`;
  const expectedRuns = runs === null ? CHUNK_RUNS : Math.min(CHUNK_RUNS, runs - spec.index * CHUNK_RUNS);
  if (expectedRuns <= 0 || spec.runs !== expectedRuns)
    return `has ${JSON.stringify(spec.runs)} runs where chunk ${spec.index} of a ${String(runs)}-run campaign has ${expectedRuns}`;
  if (!isCount(raw.runs, expectedRuns)) return 'has an invalid "runs"';
  if (
    !isDuration(raw.ms) ||
    !(raw.timeToFindMs === null || isDuration(raw.timeToFindMs)) ||
    typeof raw.interrupted !== 'boolean'
  )
    return 'has invalid timings';
  if (!isObject(raw.probes) || !Object.values(raw.probes).every((count) => isCount(count)))
    return 'has invalid "probes"';
  if (!Array.isArray(raw.alsoBroken) || !raw.alsoBroken.every((id) => typeof id === 'string' && id.length <= 100))
    return 'has invalid "alsoBroken"';
  if (raw.failure !== null) {
    const failure = raw.failure;
    if (
      !isObject(failure) ||
      failure.seed !== spec.seed ||
      typeof failure.invariant !== 'string' ||
      typeof failure.path !== 'string' ||
      !/^\d+(:\d+)*$/.test(failure.path)
    )
      return 'has an invalid "failure"';
    const problem = scenarioProblem(failure.scenario, 'failure.scenario');
    if (problem !== null) return problem;
  }
  return null;
}

function readShard(path: string): ShardReport {
  const raw = parseJsonText(readInputText(path, 'shard report'), path);
  const fail = (message: string): never => {
    throw new UserInputError(`${path}: ${message}`);
  };
  if (!isObject(raw) || raw.format !== SHARD_FORMAT)
    return fail(
      `not a shard report (expected "format": "${SHARD_FORMAT}"; write one with pgdrill check --shard i/n --json)`,
    );
  const { seed, runs, shard } = raw;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    return fail('malformed shard report: "seed" must be a whole number');
  if (!(runs === null || (isCount(runs, LIMITS['--runs']) && runs > 0)))
    return fail('malformed shard report: "runs" must be a positive whole number or null');
  if (
    !isObject(shard) ||
    !isCount(shard.count, LIMITS.shards) ||
    !isCount(shard.index, shard.count as number) ||
    shard.index < 1
  )
    return fail('malformed shard report: "shard" must be {index, count} with 1 ≤ index ≤ count');
  const shardOf: Shard = { index: shard.index, count: shard.count };
  if (!Array.isArray(raw.plans) || raw.plans.length === 0)
    return fail('malformed shard report: "plans" must be a non-empty array');
  const names = new Set<string>();
  for (const plan of raw.plans) {
    if (!isObject(plan) || typeof plan.name !== 'string' || !PLAN_NAME.test(plan.name))
      return fail('malformed shard report: every plan needs a plan name');
    if (names.has(plan.name)) return fail(`plan ${plan.name} appears twice`);
    names.add(plan.name);
    if (
      typeof plan.source !== 'string' ||
      plan.source.length === 0 ||
      typeof plan.hash !== 'string' ||
      !/^[0-9a-f]{16}$/.test(plan.hash)
    )
      return fail(
        `plan ${plan.name}: "source" and "hash" must say which plan content ran (pgdrill check --shard writes them)`,
      );
    if (!isDuration(plan.ms)) return fail(`plan ${plan.name}: "ms" must be a duration`);
    if (!Array.isArray(plan.chunks)) return fail(`plan ${plan.name}: "chunks" must be an array of chunk results`);
    for (const [index, chunk] of plan.chunks.entries()) {
      const problem = chunkProblem(chunk, plan.name, seed, runs, shardOf);
      if (problem !== null) return fail(`plan ${plan.name}, chunk ${index + 1}: ${problem}`);
    }
  }
  return raw as unknown as ShardReport;
}

const planSet = (report: ShardReport): string =>
  report.plans
    .map((plan) => `${plan.name}@${plan.hash}`)
    .sort()
    .join(', ');

/** Reads every shard of one campaign; refuses mixed campaigns, changed plans and missing or repeated shards. */
export function mergeShardReports(paths: readonly string[]): MergedShards {
  if (paths.length === 0)
    throw new UserInputError('merge needs the shard reports to merge (pgdrill merge shard-*.json)');
  if (paths.length > LIMITS.shards) throw new UserInputError(`merge takes at most ${LIMITS.shards} shard reports`);
  const reports = paths.map((path) => ({ path, report: readShard(path) }));
  const first = reports[0]!;
  const seen = new Set<number>();
  for (const { path, report } of reports) {
    if (
      report.seed !== first.report.seed ||
      report.runs !== first.report.runs ||
      report.shard.count !== first.report.shard.count
    ) {
      throw new UserInputError(
        `${path}: belongs to another campaign (seed ${report.seed}, runs ${String(report.runs)}, ${report.shard.count} shards) than ${first.path} (seed ${first.report.seed}, runs ${String(first.report.runs)}, ${first.report.shard.count} shards)`,
      );
    }
    if (planSet(report) !== planSet(first.report)) {
      throw new UserInputError(
        `${path}: ran other plans (${planSet(report)}) than ${first.path} (${planSet(first.report)}): shards of one campaign run the same plans, unchanged`,
      );
    }
    for (const plan of report.plans) {
      const source = first.report.plans.find((candidate) => candidate.name === plan.name)!.source;
      if (plan.source !== source)
        throw new UserInputError(
          `${path}: plan ${plan.name} came from ${plan.source}, but from ${source} in ${first.path}`,
        );
    }
    if (seen.has(report.shard.index))
      throw new UserInputError(`${path}: shard ${report.shard.index}/${report.shard.count} appears twice`);
    seen.add(report.shard.index);
  }
  for (let index = 1; index <= first.report.shard.count; index++) {
    if (!seen.has(index))
      throw new UserInputError(
        `shard ${index}/${first.report.shard.count} is missing: a merge needs every shard of the campaign`,
      );
  }
  const plans = first.report.plans.map((plan): MergedPlan => {
    const parts = reports.map(({ report }) => report.plans.find((candidate) => candidate.name === plan.name)!);
    return {
      name: plan.name,
      source: plan.source,
      hash: plan.hash,
      ms: parts.reduce((sum, part) => sum + part.ms, 0),
      chunks: parts.flatMap((part) => part.chunks),
    };
  });
  return { seed: first.report.seed, runs: first.report.runs, plans };
}

/** A fuzzing failure with its cause: the invariant and the explanation of its replayed counterexample. */
export interface DistinctFailure {
  readonly chunk: ChunkResult;
  readonly invariant: string;
  readonly why: string;
}

/**
 * Groups fuzzing failures by cause: the same invariant broken for the same reason is one failure,
 * however differently the operations that led there were drawn. The reason is the explanation of
 * the replayed counterexample with its numbers (ids, steps, cursors) blurred, so two runners lost
 * the same way are one cause.
 */
export function distinctFailures<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  chunks: readonly ChunkResult[],
): DistinctFailure[] {
  const seen = new Set<string>();
  const distinct: DistinctFailure[] = [];
  for (const chunk of [...chunks].sort((left, right) => left.spec.index - right.spec.index)) {
    if (chunk.failure === null) continue;
    const replayed = replayScenario(domain, plan, chunk.failure.scenario).failure;
    const why = replayed?.explanation ?? '';
    const signature = `${chunk.failure.invariant}|${why.replace(/\d+/g, '#')}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    distinct.push({ chunk, invariant: chunk.failure.invariant, why });
  }
  return distinct;
}

/** Every run of every chunk: a fuzzing campaign's total, not only the runs up to its first failure. */
export function totalRuns(chunks: readonly ChunkResult[]): number {
  return chunks.reduce((total, chunk) => total + chunk.runs, 0);
}
