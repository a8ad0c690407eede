/**
 * Concurrency forced onto plans that ship without it: `pgdrill check --concurrency` and
 * `npm run bench` both run the serial plans with requests in flight, workers in sessions and
 * long transactions drawn, so a race GitLab has without any migration shows up without writing
 * plan copies. A plan that sets `concurrency` itself keeps its own (docs/concurrency.md).
 */
import { DEFAULT_API_WAIT_BOUND_MS } from './domain.js';
import type { Plan, PlanConcurrency } from './domain.js';
import { MAX_CONCURRENT_REQUESTS } from './planFields.js';
import { UserInputError } from './userInputError.js';

/** Requests in flight when the command line does not say: two, as the issue-12 plans use. */
export const FORCED_REQUESTS = 2;

/** The concurrency given to plans without one: `requests` sessions, workers and long transactions on. */
export function forcedConcurrency(requests: number = FORCED_REQUESTS): PlanConcurrency {
  return { requests, apiWaitBoundMs: DEFAULT_API_WAIT_BOUND_MS, workers: true, longTransactions: true };
}

/**
 * The plan with `concurrency` added when it has none, held to its `underConcurrency` verdict when it
 * declares one (its expectation, accepted causes and comment); a plan that sets `concurrency` is
 * returned unchanged.
 */
export function withConcurrencyOn(plan: Plan, concurrency: PlanConcurrency = forcedConcurrency()): Plan {
  if (plan.concurrency !== undefined) return plan;
  const verdict = plan.underConcurrency;
  if (verdict === undefined) return { ...plan, concurrency };
  return {
    ...plan,
    concurrency,
    expect: verdict.expect,
    acceptedCauses: [...(plan.acceptedCauses ?? []), ...verdict.acceptsCauses, ...verdict.ownRaces],
    ownRaces: verdict.ownRaces,
    comment: verdict.comment,
  };
}

/**
 * The value of `--concurrency`: `full` (also the flag alone) for `FORCED_REQUESTS` requests, or a
 * number of requests from 1 to `MAX_CONCURRENT_REQUESTS`; workers and long transactions are on either way.
 */
export function parseForcedConcurrency(text: string): PlanConcurrency {
  if (text === 'full') return forcedConcurrency();
  const requests = Number(text);
  if (!/^\d+$/.test(text) || requests < 1 || requests > MAX_CONCURRENT_REQUESTS)
    throw new UserInputError(
      `--concurrency takes full or a number of requests from 1 to ${MAX_CONCURRENT_REQUESTS}, ` +
        `not ${JSON.stringify(text)}`,
    );
  return forcedConcurrency(requests);
}

/** The flag that reproduces a forced concurrency on the command line (for replay commands). */
export function concurrencyFlag(concurrency: PlanConcurrency): string {
  return concurrency.requests === FORCED_REQUESTS ? '--concurrency' : `--concurrency=${concurrency.requests}`;
}
