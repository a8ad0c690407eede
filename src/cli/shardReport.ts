import { readFileSync } from 'node:fs';
import type { ChunkResult } from '../harness/campaign.js';
import type { JsonValue } from '../harness/json.js';
import { UserInputError } from '../harness/userInputError.js';
import type { PlanCampaign, Shard } from './campaignRunner.js';

/**
 * What one shard of a campaign writes (`check --shard i/n --json`) and `merge` reads: every
 * chunk result, so the merge can combine them exactly as a single run would.
 */
export const SHARD_FORMAT = 'pgdrill-shard/1';

export interface ShardReport {
  readonly format: typeof SHARD_FORMAT;
  readonly seed: number;
  readonly runs: number | null;
  readonly shard: Shard;
  readonly plans: readonly { readonly name: string; readonly source: string; readonly ms: number; readonly chunks: readonly ChunkResult[] }[];
}

export function shardReportOf(campaigns: readonly PlanCampaign[], seed: number, runs: number | null, shard: Shard): ShardReport {
  return {
    format: SHARD_FORMAT,
    seed,
    runs,
    shard,
    plans: campaigns.map((campaign) => ({ name: campaign.plan.name, source: campaign.plan.source, ms: Math.round(campaign.ms), chunks: campaign.chunks })),
  };
}

export interface MergedShards {
  readonly seed: number;
  readonly runs: number | null;
  readonly plans: ReadonlyMap<string, { readonly source: string; readonly ms: number; readonly chunks: ChunkResult[] }>;
}

function readShard(path: string): ShardReport {
  let raw: JsonValue;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as JsonValue;
  } catch (error) {
    throw new UserInputError(`cannot read shard report ${path}: ${(error as Error).message}`);
  }
  const report = raw as unknown as ShardReport;
  if (typeof raw !== 'object' || raw === null || report.format !== SHARD_FORMAT) throw new UserInputError(`${path}: not a shard report (expected "format": "${SHARD_FORMAT}"; write one with pgdrill check --shard i/n --json)`);
  if (typeof report.seed !== 'number' || !Array.isArray(report.plans) || typeof report.shard?.index !== 'number' || typeof report.shard?.count !== 'number') throw new UserInputError(`${path}: malformed shard report`);
  return report;
}

/** Reads every shard of one campaign; refuses mixed campaigns and missing or repeated shards. */
export function mergeShardReports(paths: readonly string[]): MergedShards {
  if (paths.length === 0) throw new UserInputError('merge needs the shard reports to merge (pgdrill merge shard-*.json)');
  const reports = paths.map((path) => ({ path, report: readShard(path) }));
  const first = reports[0]!.report;
  const seen = new Set<number>();
  for (const { path, report } of reports) {
    if (report.seed !== first.seed || report.runs !== first.runs || report.shard.count !== first.shard.count) {
      throw new UserInputError(`${path}: belongs to another campaign (seed ${report.seed}, runs ${String(report.runs)}, ${report.shard.count} shards) than ${reports[0]!.path}`);
    }
    if (seen.has(report.shard.index)) throw new UserInputError(`${path}: shard ${report.shard.index}/${report.shard.count} appears twice`);
    seen.add(report.shard.index);
  }
  for (let index = 1; index <= first.shard.count; index++) {
    if (!seen.has(index)) throw new UserInputError(`shard ${index}/${first.shard.count} is missing: a merge needs every shard of the campaign`);
  }
  const plans = new Map<string, { source: string; ms: number; chunks: ChunkResult[] }>();
  for (const { report } of reports) {
    for (const plan of report.plans) {
      const entry = plans.get(plan.name) ?? { source: plan.source, ms: 0, chunks: [] };
      entry.chunks.push(...plan.chunks);
      entry.ms += plan.ms;
      plans.set(plan.name, entry);
    }
  }
  return { seed: first.seed, runs: first.runs, plans };
}

/** Groups fuzzing failures: the same invariant broken by the same sequence of operations is one failure. */
export function distinctFailures(chunks: readonly ChunkResult[]): ChunkResult[] {
  const seen = new Set<string>();
  const distinct: ChunkResult[] = [];
  for (const chunk of [...chunks].sort((left, right) => left.spec.index - right.spec.index)) {
    if (chunk.failure === null) continue;
    const operations = [...chunk.failure.scenario.legacy, ...chunk.failure.scenario.steps].map((call) => call.op).join(',');
    const signature = `${chunk.failure.invariant}|${operations}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    distinct.push(chunk);
  }
  return distinct;
}
