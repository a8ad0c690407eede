/**
 * Checks one plan inside a test: a fixed-seed campaign, then an exception carrying the full text
 * report (the shrunk counterexample, the broken invariant, why, and the replay command) when the
 * verdict does not match the expectation or a declared coverage probe was never hit. Generic over
 * the domain; the GitLab wiring that tests import is `pgdrill/vitest`.
 */
import { Chalk } from 'chalk';
import { checkPlan } from '../harness/checkPlan.js';
import type { PlanVerdict, Verdict } from '../harness/checkPlan.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { formatVerdict } from '../harness/report.js';

export interface PlanExpectationOptions {
  readonly seed: number;
  readonly runs: number;
  /** Overrides the plan file's `expect`. */
  readonly expect?: Plan['expect'];
  /** The command that replays a failure, as the report prints it. */
  readonly replayCommand: (verdict: PlanVerdict) => string | null;
}

/** What a passing check returns: the verdict as plain data. */
export interface PlanCheckResult {
  readonly plan: string;
  readonly verdict: Verdict;
  readonly runs: number;
  readonly failure: {
    readonly invariant: string;
    readonly message: string;
    readonly explanation: string | null;
    readonly shrunkSteps: number;
    readonly replay: string | null;
  } | null;
  readonly probes: Readonly<Record<string, number>>;
}

export class PlanExpectationError extends Error {
  override readonly name = 'PlanExpectationError';

  constructor(
    message: string,
    readonly result: PlanCheckResult,
  ) {
    super(message);
  }
}

const PLAIN = new Chalk({ level: 0 });

export function expectPlanVerdict<W extends WorldBase>(
  domain: Domain<W>,
  filePlan: Plan,
  options: PlanExpectationOptions,
): PlanCheckResult {
  const plan: Plan = options.expect === undefined ? filePlan : { ...filePlan, expect: options.expect };
  const verdict = checkPlan(domain, plan, { runs: options.runs, seed: options.seed });
  const replay = options.replayCommand(verdict);
  const failure = verdict.failure;
  const result: PlanCheckResult = {
    plan: plan.name,
    verdict: verdict.verdict,
    runs: verdict.runs,
    failure:
      failure === null
        ? null
        : {
            invariant: failure.invariant,
            message: failure.violations[0]?.message ?? '',
            explanation: failure.result.failure?.explanation ?? null,
            shrunkSteps: failure.shrunkSteps,
            replay,
          },
    probes: verdict.probes,
  };
  if (verdict.matched && verdict.missingProbes.length === 0) return result;
  const expected = plan.expect === 'safe' ? 'to be safe' : `to break ${plan.expect.breaks}`;
  const got = verdict.verdict === 'safe' ? `it was safe in ${verdict.runs} runs` : `${verdict.verdict.breaks} broke`;
  const headline = verdict.matched
    ? `pgdrill: plan ${plan.name}: coverage probe never hit: ${verdict.missingProbes.join(', ')}`
    : `pgdrill: plan ${plan.name} was expected ${expected}, but ${got} (seed ${options.seed}, ${options.runs} runs)`;
  throw new PlanExpectationError(`${headline}\n\n${formatVerdict(verdict, PLAIN, replay, null).join('\n')}`, result);
}
