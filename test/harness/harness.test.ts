import { describe, expect, it } from 'vitest';
import { checkPlan, replayScenario, scenarioFromSeed } from '../../src/harness/checkPlan.js';
import { parsePlan, planInvariants } from '../../src/harness/planFile.js';
import { verdictText } from '../../src/harness/report.js';
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
    const stillFails = (candidate: typeof scenario): boolean =>
      replayScenario(counterDomain, plan, candidate).failure?.violations[0]?.invariant === 'below-ten';
    expect(stillFails(scenario)).toBe(true);
    for (const index of scenario.legacy.keys()) {
      expect(stillFails({ ...scenario, legacy: scenario.legacy.filter((__, other) => other !== index) })).toBe(false);
    }
    scenario.steps.forEach((step, index) => {
      if (step.op !== '@plan')
        expect(stillFails({ ...scenario, steps: scenario.steps.filter((__, other) => other !== index) })).toBe(false);
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
    const failing = parsePlan(
      counterDomain,
      planJson({
        settings: { start: 9 },
        expect: { breaks: 'migrations-succeed' },
        steps: [
          { step: 'add_limit', limit: 1 },
          { step: 'add_limit', limit: 2 },
        ],
      }),
      'inline',
    );
    const verdict = checkPlan(counterDomain, failing, { runs: 50, seed: 3 });
    expect(verdict.matched).toBe(true);
    const trace = verdict.failure!.result.trace;
    expect(trace.filter((step) => step.kind === 'plan')).toHaveLength(1);
    expect(trace.at(-1)!.outcome).toContain(
      '23514 check constraint "counters_limit" of relation "counters" is violated by some row',
    );
  });

  it('counts probes across runs and reports declared probes that were never hit', () => {
    const safe = parsePlan(
      counterDomain,
      planJson({
        expect: 'safe',
        optOut: { 'below-ten': 'the limit is NOT VALID and high: the counter may pass ten' },
        probes: ['past-five', 'never-happens'],
        steps: [{ step: 'add_limit', limit: 100, notValid: true }],
      }),
      'inline',
    );
    const verdict = checkPlan(counterDomain, safe, { runs: 100, seed: 5 });
    expect(verdict.verdict).toBe('safe');
    expect(verdict.probes['past-five']).toBeGreaterThan(0);
    expect(verdict.missingProbes).toEqual(['never-happens']);
  });
});

describe('a plan checks every invariant, and a plan expected to break one fails when another breaks', () => {
  // Starting at 9, the limit of 1 cannot be added (its VALIDATE fails), and one increment before it passes ten.
  const breaksBoth = {
    settings: { start: 9 },
    expect: { breaks: 'migrations-succeed' },
    steps: [{ step: 'add_limit', limit: 1 }],
  };

  it('an unexpected break turns the verdict red, with its own counterexample', () => {
    const plan = parsePlan(counterDomain, planJson(breaksBoth), 'inline');
    const verdict = checkPlan(counterDomain, plan, { runs: 200, seed: 4 });
    expect(verdict.verdict).toEqual({ breaks: 'below-ten' });
    expect(verdict.matched).toBe(false);
    expect(verdict.failure!.violations[0]!.message).toMatch(/^the counter reached 1\d$/);
  });

  it('an accepted consequence is only reported, and the expected break decides', () => {
    const plan = parsePlan(
      counterDomain,
      planJson({ ...breaksBoth, accepts: { 'below-ten': 'the same overflow that makes the limit fail' } }),
      'inline',
    );
    const verdict = checkPlan(counterDomain, plan, { runs: 200, seed: 4 });
    expect(verdict.verdict).toEqual({ breaks: 'migrations-succeed' });
    expect(verdict.matched).toBe(true);
  });

  it('an opt-out removes the invariant from the checks, and only then', () => {
    const all = parsePlan(counterDomain, planJson({ expect: 'safe' }), 'inline');
    const optedOut = parsePlan(
      counterDomain,
      planJson({ expect: 'safe', optOut: { 'below-ten': 'not this plan' } }),
      'inline',
    );
    expect(planInvariants(counterDomain, all)).toEqual(['below-ten', 'migrations-succeed']);
    expect(planInvariants(counterDomain, optedOut)).toEqual(['migrations-succeed']);
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
    [{ steps: [{ step: 'add_limit' }] }, 'plans/x.json: step 1 (add_limit): field "limit" is required'],
    [
      { steps: [{ step: 'drop_everything' }] },
      'plans/x.json: step 1: unknown step "drop_everything" (known: add_limit)',
    ],
    [
      { steps: [{ step: 'add_limt', limit: 1 }] },
      'plans/x.json: step 1: unknown step "add_limt"; did you mean "add_limit"? (known: add_limit)',
    ],
    [
      { expect: { breaks: 'nope' } },
      'plans/x.json: field "expect.breaks" must be one of "below-ten", "migrations-succeed", not "nope"',
    ],
    [{ expect: 'maybe' }, 'plans/x.json: field "expect" must be "safe" or {"breaks": "<invariant id>"}'],
    [{ steps: [] }, 'plans/x.json: field "steps" must be a non-empty array of steps'],
    [{ settings: { start: 'zero' } }, 'plans/x.json: field "settings.start" must be an integer from 0 to 100'],
    [
      { name: 'Bad Name' },
      'plans/x.json: field "name" must be a lower-case name of letters, digits and dashes like "incident-2024-10-31", not "Bad Name"',
    ],
    [
      { extra: true },
      'plans/x.json: unknown field "extra" (expected "$schema", "name", "description", "comment", "expect", "settings", "steps", "optOut", "accepts", "acceptsCauses", "probes", "traffic", "concurrency", "underConcurrency")',
    ],
    [
      { probes: ['past-fiv'] },
      'plans/x.json: field "probes[0]" must be one of "past-five", "increment-rejected", "never-happens", not "past-fiv"; did you mean "past-five"?',
    ],
    [
      { steps: [{ step: 'add_limit', limit: 1, colour: 'red' }] },
      'plans/x.json: step 1 (add_limit): unknown field "colour" (expected "limit", "notValid")',
    ],
    [
      { optOut: { nope: 'because' } },
      'plans/x.json: field "optOut" names unknown invariant "nope" (known: below-ten, migrations-succeed)',
    ],
    [
      { optOut: { 'migrations-succeed': ' ' } },
      'plans/x.json: field "optOut.migrations-succeed" must be a non-empty reason',
    ],
    [{ optOut: { 'below-ten': 'x' } }, 'plans/x.json: field "optOut" cannot name the expected invariant "below-ten"'],
    [
      { expect: 'safe', accepts: { 'below-ten': 'x' } },
      'plans/x.json: field "accepts" is for plans expected to break an invariant; a safe plan accepts no break',
    ],
    [
      { invariants: ['below-ten'] },
      'plans/x.json: unknown field "invariants" (expected "$schema", "name", "description", "comment", "expect", "settings", "steps", "optOut", "accepts", "acceptsCauses", "probes", "traffic", "concurrency", "underConcurrency")',
    ],
  ])('%j', (overrides, message) => {
    expect(errorOf(planJson(overrides as Record<string, JsonValue>))).toBe(message);
  });
});

describe('the verdict line', () => {
  it('names every invariant that broke, never "safe" while a checked invariant broke', () => {
    const plan = parsePlan(
      counterDomain,
      planJson({
        expect: { breaks: 'migrations-succeed' },
        accepts: { 'below-ten': 'The counter passes ten in this world; the limit step is the subject.' },
        steps: [{ step: 'add_limit', limit: 100 }],
      }),
      'inline',
    );
    const verdict = checkPlan(counterDomain, plan, { runs: 200, seed: 3 });
    expect(verdict.verdict).toBe('safe');
    expect(verdict.alsoBroken).toEqual(['below-ten']);
    expect(verdictText(verdict)).toBe('migrations-succeed held in 200 runs, but below-ten broke');
    const accepting = planJson({
      accepts: { 'migrations-succeed': 'The limit step fails once the counter passed it.' },
    });
    const found = checkPlan(counterDomain, parsePlan(counterDomain, accepting, 'inline'), { runs: 300, seed: 28 });
    expect(verdictText(found)).toBe('below-ten broke, and so did migrations-succeed');
  });
});
