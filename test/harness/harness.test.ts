import { describe, expect, it } from 'vitest';
import { checkPlan, replayScenario, scenarioFromSeed } from '../../src/harness/checkPlan.js';
import { parsePlan } from '../../src/harness/planFile.js';
import { UserInputError } from '../../src/harness/userInputError.js';
import type { JsonValue } from '../../src/harness/json.js';
import { counterDomain } from './counterDomain.js';

const planJson = (overrides: Record<string, JsonValue> = {}): JsonValue => ({
  name: 'counter-limit',
  description: 'A limit added late.',
  comment: 'Four increments of three pass ten before the limit deploys.',
  expect: { breaks: 'below-ten' },
  steps: [{ step: 'add_limit', limit: 8 }],
  ...overrides,
});

describe('checkPlan over a known world', () => {
  const plan = parsePlan(counterDomain, planJson(), 'inline');

  it('finds the violation and shrinks it to a 1-minimal scenario (no single step can be removed)', () => {
    const verdict = checkPlan(counterDomain, plan, { runs: 300, seed: 7 });
    expect(verdict.verdict).toEqual({ breaks: 'below-ten' });
    expect(verdict.matched).toBe(true);
    const scenario = verdict.failure!.scenario;
    expect(verdict.failure!.shrunkSteps).toBeLessThanOrEqual(5);
    expect(verdict.timeToFindMs).not.toBeNull();
    const stillFails = (candidate: typeof scenario): boolean => replayScenario(counterDomain, plan, candidate).failure !== null;
    expect(stillFails(scenario)).toBe(true);
    scenario.legacy.forEach((_, index) => expect(stillFails({ ...scenario, legacy: scenario.legacy.filter((__, other) => other !== index) })).toBe(false));
    scenario.steps.forEach((step, index) => {
      if (step.op !== '@plan') expect(stillFails({ ...scenario, steps: scenario.steps.filter((__, other) => other !== index) })).toBe(false);
    });
  });

  it('replays the same counterexample from its seed and path, and the same trace from the scenario', () => {
    const verdict = checkPlan(counterDomain, plan, { runs: 300, seed: 11 });
    const failure = verdict.failure!;
    const replayed = scenarioFromSeed(counterDomain, plan, failure.seed, failure.path);
    expect(replayed).toEqual(failure.scenario);
    const first = replayScenario(counterDomain, plan, failure.scenario);
    const second = replayScenario(counterDomain, plan, failure.scenario);
    expect(second.trace).toEqual(first.trace);
    expect(first.failure!.violations[0]!.message).toMatch(/^the counter reached 1\d$/);
  });

  it('a plan whose step fails records a migration failure and stops deploying', () => {
    const failing = parsePlan(counterDomain, planJson({ settings: { start: 9 }, expect: { breaks: 'migrations-succeed' }, steps: [{ step: 'add_limit', limit: 1 }, { step: 'add_limit', limit: 2 }] }), 'inline');
    const verdict = checkPlan(counterDomain, failing, { runs: 50, seed: 3 });
    expect(verdict.matched).toBe(true);
    const trace = verdict.failure!.result.trace;
    expect(trace.filter((step) => step.kind === 'plan')).toHaveLength(1);
    expect(trace.at(-1)!.outcome).toContain('23514 check constraint "counters_limit" of relation "counters" is violated by some row');
  });

  it('counts probes across runs and reports declared probes that were never hit', () => {
    const safe = parsePlan(counterDomain, planJson({ expect: 'safe', invariants: ['migrations-succeed'], probes: ['past-five', 'never-happens'], steps: [{ step: 'add_limit', limit: 100, notValid: true }] }), 'inline');
    const verdict = checkPlan(counterDomain, safe, { runs: 100, seed: 5 });
    expect(verdict.verdict).toBe('safe');
    expect(verdict.probes['past-five']).toBeGreaterThan(0);
    expect(verdict.missingProbes).toEqual(['never-happens']);
  });
});

describe('plan validation gives one clear line naming the plan, step and field', () => {
  const errorOf = (raw: JsonValue): string => {
    try {
      parsePlan(counterDomain, raw, 'plans/x.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UserInputError);
      return (error as Error).message;
    }
    throw new Error('expected a validation error');
  };

  it.each([
    [{ steps: [{ step: 'add_limit' }] }, 'plans/x.json: plan counter-limit, step 1 (add_limit): field "limit" must be a number'],
    [{ steps: [{ step: 'drop_everything' }] }, 'plans/x.json: plan counter-limit, step 1: unknown step "drop_everything" (known: add_limit)'],
    [{ expect: { breaks: 'nope' } }, 'plans/x.json: plan counter-limit: field "expect.breaks" names unknown invariant "nope" (known: below-ten, migrations-succeed)'],
    [{ expect: 'maybe' }, 'plans/x.json: plan counter-limit: field "expect" must be "safe" or {"breaks": "<invariant id>"}'],
    [{ steps: [] }, 'plans/x.json: plan counter-limit: field "steps" must be a non-empty array'],
    [{ settings: { start: 'zero' } }, 'plans/x.json: plan counter-limit: settings: field "start" must be a number'],
    [{ name: 'Bad Name' }, 'plans/x.json: field "name" must be a lower-case name like "incident-2024-10-31"'],
    [{ extra: true }, 'plans/x.json: unknown field "extra" (expected one of name, description, comment, expect, settings, steps, invariants, probes, traffic)'],
  ])('%j', (overrides, message) => {
    expect(errorOf(planJson(overrides as Record<string, JsonValue>))).toBe(message);
  });
});
