import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { PlanVerdict } from './checkPlan.js';
import type { JsonObject } from './json.js';
import type { RunResult, TraceStep } from './runScenario.js';
import { causeKey } from './runScenario.js';
import type { Scenario } from './scenario.js';
import type { RowChange, TableChange } from './snapshotDiff.js';
import type { Row } from '../engine/values.js';
import type { WorldBase } from './domain.js';
import { escapeControlCharacters } from './terminalText.js';

/**
 * Human and machine reports. The text report shows the shrunk scenario step by step with the
 * rows each step changed, the broken invariant with one sentence of why, and the one command
 * that replays it. Colour follows chalk's detection and is off whenever NO_COLOR is set.
 */
export function makeChalk(stream: NodeJS.WriteStream): ChalkInstance {
  const disabled = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return new Chalk({ level: disabled || !stream.isTTY ? 0 : 1 });
}

const MAX_ROWS_PER_TABLE = 6;

// Row contents, labels, messages and descriptions can carry text from a plan or a counterexample.
const safe = escapeControlCharacters;

function formatRow(row: Row): string {
  return safe(
    Object.entries(row)
      .map(([column, value]) => `${column}=${value === null ? 'null' : String(value)}`)
      .join(' '),
  );
}

function formatChange(change: RowChange, color: ChalkInstance): string {
  if (change.kind === 'insert') return color.green(`+ ${formatRow(change.after!)}`);
  if (change.kind === 'delete') return color.red(`- ${formatRow(change.before!)}`);
  const before = change.before!;
  const after = change.after!;
  const changed = Object.keys(after)
    .filter((column) => before[column] !== after[column])
    .map((column) => `${column}: ${String(before[column])} → ${String(after[column])}`);
  const identity = 'id' in after ? `id=${String(after.id)} ` : '';
  return color.yellow(`~ ${safe(`${identity}${changed.join(', ')}`)}`);
}

function formatTableChanges(changes: readonly TableChange[], color: ChalkInstance, indent: string): string[] {
  const lines: string[] = [];
  for (const table of changes) {
    const shown = table.rows.slice(0, MAX_ROWS_PER_TABLE);
    for (const row of shown) lines.push(`${indent}${color.dim(safe(table.table))} ${formatChange(row, color)}`);
    if (table.rows.length > shown.length)
      lines.push(`${indent}${color.dim(`${safe(table.table)} … ${table.rows.length - shown.length} more rows`)}`);
  }
  return lines;
}

export function formatTrace(result: RunResult<WorldBase>, scenario: Scenario, color: ChalkInstance): string[] {
  const lines = [color.dim(`  swarm: ${safe(scenario.swarm.join(', '))}`)];
  const failingIndex = result.failure?.traceIndex ?? -1;
  result.trace.forEach((step: TraceStep, index: number) => {
    const marker = index === failingIndex ? color.red('✗') : ' ';
    const kind = step.kind.padEnd(7);
    lines.push(`  ${marker} ${String(index + 1).padStart(2)}. ${color.cyan(kind)} ${safe(step.label)}`);
    lines.push(`         ${color.dim('→')} ${safe(step.outcome)}`);
    lines.push(...formatTableChanges(step.changes, color, '           '));
  });
  return lines;
}

/**
 * What the campaign found, naming every invariant that broke in it: "safe" only when none did,
 * so a plan expected to break X that instead broke Y never reads as safe.
 */
/** The reason for each accepted break as reports name it: an invariant, or `invariant (cause)` (runScenario's observedKey). */
function acceptedReasons(plan: PlanVerdict['plan']): Map<string, string> {
  const reasons = new Map(plan.accepts.map((entry) => [entry.invariant, entry.reason]));
  for (const entry of plan.acceptedCauses ?? []) reasons.set(causeKey(entry.invariant, entry.cause), entry.reason);
  return reasons;
}

export function verdictText(verdict: PlanVerdict): string {
  const others = verdict.alsoBroken;
  const list = (ids: readonly string[]): string =>
    ids.length === 1 ? ids[0]! : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]!}`;
  if (verdict.verdict !== 'safe')
    return others.length === 0
      ? `${verdict.verdict.breaks} broke`
      : `${verdict.verdict.breaks} broke, and so did ${list(others)}`;
  const own = verdict.plan.ownRaces ?? [];
  if (own.length > 0 && verdict.plan.expect === 'safe') {
    // The design's own race makes it unsafe whether or not this budget reached it.
    const races = list(own.map((entry) => entry.cause));
    const reached = own.filter((entry) => others.includes(causeKey(entry.invariant, entry.cause)));
    return `not safe: its own race ${races} (${reached.length > 0 ? 'reached' : 'not reached'} in ${verdict.runs} runs), nothing else broke`;
  }
  if (others.length === 0) return `safe in ${verdict.runs} runs`;
  const expected = verdict.plan.expect === 'safe' ? null : verdict.plan.expect.breaks;
  // A safe plan accepts no whole invariant, so what broke is a known race whose cause it accepts.
  if (expected === null) return `safe in ${verdict.runs} runs apart from the accepted ${list(others)}`;
  return `${expected === null ? '' : `${expected} held in ${verdict.runs} runs, but `}${list(others)} broke`;
}

export function formatVerdict(
  verdict: PlanVerdict,
  color: ChalkInstance,
  replayCommand: string | null,
  savedFile: string | null,
): string[] {
  const plan = verdict.plan;
  const expected = plan.expect === 'safe' ? 'safe' : `${plan.expect.breaks} to break`;
  const got = verdictText(verdict);
  const mark = verdict.matched ? color.green('✓') : color.red('✗');
  const timing = verdict.timeToFindMs !== null ? `found in ${Math.round(verdict.timeToFindMs)} ms, ` : '';
  const lines = [
    `${mark} ${color.bold(plan.name)}  expected ${expected} → ${got} (${timing}${verdict.runs} runs, ${Math.round(verdict.ms)} ms)`,
  ];
  lines.push(color.dim(`  ${safe(plan.description)}`));
  if (verdict.failure !== null) {
    const failure = verdict.failure;
    lines.push(`  counterexample, shrunk to ${failure.shrunkSteps} steps:`);
    lines.push(...formatTrace(failure.result, failure.scenario, color));
    for (const violation of failure.violations)
      lines.push(color.red(`  ✗ ${violation.invariant}: ${safe(violation.message)}`));
    if (failure.result.failure?.explanation) lines.push(`  why: ${safe(failure.result.failure.explanation)}`);
    if (replayCommand) lines.push(`  replay: ${color.bold(safe(replayCommand))}`);
    if (savedFile) lines.push(color.dim(`  saved: ${safe(savedFile)}`));
  }
  const acceptedBecause = acceptedReasons(plan);
  for (const id of verdict.alsoBroken)
    lines.push(
      color.yellow(
        `  also broke in some runs (accepted): ${safe(id)}: ${safe(acceptedBecause.get(id) ?? 'no reason given')}`,
      ),
    );
  for (const entry of plan.optOut)
    lines.push(color.dim(`  not checked: ${safe(entry.invariant)}: ${safe(entry.reason)}`));
  if (verdict.missingProbes.length > 0)
    lines.push(color.red(`  coverage: probe never hit: ${verdict.missingProbes.join(', ')}`));
  const probes = Object.entries(verdict.probes)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  if (probes) lines.push(color.dim(`  probes: ${safe(probes)}`));
  if (!verdict.matched) lines.push(color.dim(`  why this verdict was expected: ${safe(plan.comment)}`));
  return lines;
}

export function verdictJson(verdict: PlanVerdict, replayCommand: string | null, savedFile: string | null): JsonObject {
  const failure = verdict.failure;
  return {
    name: verdict.plan.name,
    expect: verdict.plan.expect === 'safe' ? 'safe' : { breaks: verdict.plan.expect.breaks },
    verdict: verdict.verdict === 'safe' ? 'safe' : { breaks: verdict.verdict.breaks },
    matched: verdict.matched && verdict.missingProbes.length === 0,
    runs: verdict.runs,
    ms: Math.round(verdict.ms),
    timeToFindMs: verdict.timeToFindMs === null ? null : Math.round(verdict.timeToFindMs),
    failure:
      failure === null
        ? null
        : {
            invariant: failure.invariant,
            message: failure.violations[0]?.message ?? '',
            explanation: failure.result.failure?.explanation ?? null,
            shrunkSteps: failure.shrunkSteps,
            seed: failure.seed,
            path: failure.path,
            replay: replayCommand,
            counterexampleFile: savedFile,
          },
    alsoBroken: [...verdict.alsoBroken],
    optedOut: verdict.plan.optOut.map((entry) => ({ invariant: entry.invariant, reason: entry.reason })),
    accepted: verdict.plan.accepts.map((entry) => ({ invariant: entry.invariant, reason: entry.reason })),
    // Only a verdict under forced concurrency has named causes (a plan's underConcurrency).
    ...(verdict.plan.acceptedCauses === undefined
      ? {}
      : {
          acceptedCauses: verdict.plan.acceptedCauses.map((entry) => ({ cause: entry.cause, reason: entry.reason })),
          ownRaces: (verdict.plan.ownRaces ?? []).map((entry) => entry.cause),
        }),
    probes: { ...verdict.probes },
    missingProbes: [...verdict.missingProbes],
  };
}
