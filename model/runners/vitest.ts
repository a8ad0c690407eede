/**
 * `pgdrill/vitest`: check a migration plan inside any vitest file, with a fixed seed, so the
 * test is reproducible; a verdict that does not match the plan's `expect` fails the test with the
 * full report. A plan is a built-in plan's name, a path or file URL of a plan file (relative
 * paths from the current directory), or a plan object written inline.
 *
 *     import { checkPlan, testPlan } from 'pgdrill/vitest';
 *     testPlan(new URL('./my-plan.json', import.meta.url));
 *     test('the incident breaks the API', () => { checkPlan('incident-2024-10-31', { runs: 500 }); });
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import type { Plan } from '../../src/harness/domain.js';
import type { JsonValue } from '../../src/harness/json.js';
import { loadPlanFile, parsePlan } from '../../src/harness/planFile.js';
import { replayCommand } from '../../src/cli/checkCommand.js';
import { resolvePlan } from '../../src/cli/planResolution.js';
import { expectPlanVerdict } from '../../src/vitest/planExpectation.js';
import type { PlanCheckResult } from '../../src/vitest/planExpectation.js';
import { runnersCliConfig } from './cli.js';
import { runnersDomain } from './domain.js';

export type { PlanCheckResult } from '../../src/vitest/planExpectation.js';
export { PlanExpectationError } from '../../src/vitest/planExpectation.js';

/** A built-in plan's name, a plan file's path or `file:` URL, or a plan object written inline. */
export type PlanSource = string | URL | { readonly [key: string]: JsonValue };

export interface CheckPlanOptions {
  /** The campaign seed (default 20241031): a fixed seed keeps the test reproducible. */
  readonly seed?: number;
  /** Scenarios to run (default 1000). */
  readonly runs?: number;
  /** Overrides the plan's own `expect`: `'safe'` or `{ breaks: '<invariant id>' }`. */
  readonly expect?: Plan['expect'];
}

export const DEFAULT_SEED = 20241031;
export const DEFAULT_RUNS = 1000;

/**
 * Names and paths resolve as on the command line (`pgdrill check TARGET`), so that the replay
 * command in a failure is the CLI's own, the plan file's path shell-quoted. An inline plan has no
 * file to replay from: its command names a placeholder, PLAN.json.
 */
function loadPlan(source: PlanSource): { plan: Plan; inline: boolean } {
  if (typeof source !== 'string' && !(source instanceof URL))
    return { plan: parsePlan(runnersDomain, source, 'inline plan'), inline: true };
  const plan =
    source instanceof URL
      ? loadPlanFile(runnersDomain, fileURLToPath(source))
      : resolvePlan(runnersCliConfig(), source);
  return { plan, inline: false };
}

/** Runs the campaign and throws a PlanExpectationError with the full report on a mismatch. */
export function checkPlan(source: PlanSource, options: CheckPlanOptions = {}): PlanCheckResult {
  const { plan, inline } = loadPlan(source);
  const config = runnersCliConfig();
  return expectPlanVerdict(runnersDomain, plan, {
    seed: options.seed ?? DEFAULT_SEED,
    runs: options.runs ?? DEFAULT_RUNS,
    ...(options.expect !== undefined ? { expect: options.expect } : {}),
    replayCommand: (verdict) => {
      if (verdict.failure === null) return null;
      const { seed, path } = verdict.failure;
      return inline
        ? `${config.commandName} replay PLAN.json --seed ${seed} --path "${path}"`
        : replayCommand(config, plan, seed, path);
    },
  });
}

function sourceName(source: PlanSource): string {
  if (source instanceof URL) return relative(process.cwd(), fileURLToPath(source));
  if (typeof source === 'string') return source;
  return typeof source.name === 'string' ? source.name : 'inline plan';
}

/** Registers one vitest test that checks the plan (the test is named after it). */
export function testPlan(source: PlanSource, options: CheckPlanOptions & { readonly timeout?: number } = {}): void {
  const { timeout, ...check } = options;
  test(`pgdrill plan ${sourceName(source)}`, () => void checkPlan(source, check), timeout ?? 120_000);
}
