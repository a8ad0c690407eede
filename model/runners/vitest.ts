import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import type { Plan } from '../../src/harness/domain.js';
import type { JsonValue } from '../../src/harness/json.js';
import { loadPlanDirectory, loadPlanFile, parsePlan } from '../../src/harness/planFile.js';
import { UserInputError } from '../../src/harness/userInputError.js';
import { expectPlanVerdict } from '../../src/vitest/planExpectation.js';
import type { PlanCheckResult } from '../../src/vitest/planExpectation.js';
import { runnersCliConfig } from './cli.js';
import { runnersDomain } from './domain.js';

export type { PlanCheckResult } from '../../src/vitest/planExpectation.js';
export { PlanExpectationError } from '../../src/vitest/planExpectation.js';

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

function loadPlan(source: PlanSource): { plan: Plan; reference: string } {
  const config = runnersCliConfig();
  if (source instanceof URL) {
    const path = fileURLToPath(source);
    return { plan: loadPlanFile(runnersDomain, path), reference: relative(process.cwd(), path) };
  }
  if (typeof source !== 'string')
    return { plan: parsePlan(runnersDomain, source, 'inline plan'), reference: 'PLAN.json' };
  const path = isAbsolute(source) ? source : resolve(source);
  if (source.endsWith('.json') || existsSync(path)) {
    return { plan: loadPlanFile(runnersDomain, path), reference: relative(process.cwd(), path) };
  }
  const builtin = loadPlanDirectory(runnersDomain, config.planDirectory).find((plan) => plan.name === source);
  if (builtin === undefined)
    throw new UserInputError(`unknown plan "${source}" (a built-in plan name or a plan file path)`);
  return { plan: builtin, reference: builtin.name };
}

/** Runs the campaign and throws a PlanExpectationError with the full report on a mismatch. */
export function checkPlan(source: PlanSource, options: CheckPlanOptions = {}): PlanCheckResult {
  const { plan, reference } = loadPlan(source);
  const command = runnersCliConfig().commandName;
  return expectPlanVerdict(runnersDomain, plan, {
    seed: options.seed ?? DEFAULT_SEED,
    runs: options.runs ?? DEFAULT_RUNS,
    ...(options.expect !== undefined ? { expect: options.expect } : {}),
    replayCommand: (verdict) =>
      verdict.failure === null
        ? null
        : `${command} replay ${reference} --seed ${verdict.failure.seed} --path "${verdict.failure.path}"`,
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
