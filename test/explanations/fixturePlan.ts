/**
 * The plan a stored failing trace replays on: the shipped plan it names, or a variant of it the
 * fixture plants, with its steps in another order (`planSteps`, a step-order mistake) or with its
 * concurrency changed (`concurrency`, for a race the default budget does not reach).
 */
import { DEFAULT_API_WAIT_BOUND_MS } from '../../src/harness/domain.js';
import type { Plan, PlanConcurrency } from '../../src/harness/domain.js';
import type { JsonObject } from '../../src/harness/json.js';

export interface FixtureVariant {
  readonly planSteps?: readonly JsonObject[];
  /** As a plan file writes it: `apiWaitBoundMs` may be left out (its default). */
  readonly concurrency?: Omit<PlanConcurrency, 'apiWaitBoundMs'> & { readonly apiWaitBoundMs?: number };
}

export function fixturePlan(shipped: Plan, variant: FixtureVariant): Plan {
  const { planSteps, concurrency } = variant;
  return {
    ...shipped,
    ...(planSteps === undefined
      ? {}
      : { steps: planSteps.map(({ step, ...parameters }) => ({ step: step as string, parameters })) }),
    ...(concurrency === undefined
      ? {}
      : { concurrency: { ...concurrency, apiWaitBoundMs: concurrency.apiWaitBoundMs ?? DEFAULT_API_WAIT_BOUND_MS } }),
  };
}
