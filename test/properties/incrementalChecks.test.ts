import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlanDirectory, planInvariants } from '../../src/harness/planFile.js';
import { PgdrillBug, runScenario } from '../../src/harness/runScenario.js';
import { scenarioArbitrary } from '../../src/harness/scenario.js';
import type { Scenario } from '../../src/harness/scenario.js';
import type { Domain, Plan } from '../../src/harness/domain.js';
import { listCounterexamples, loadCounterexample } from '../../src/harness/corpus.js';
import type { JsonObject } from '../../src/harness/json.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import type { RunnersWorld } from '../../model/runners/world.js';
import { MODEL_MUTANTS, activateMutant, isModelMutant } from '../../model/gitlab/mutations.js';
import type { ModelMutant } from '../../model/gitlab/mutations.js';
import { setIncrementalChecks } from '../../properties/unchangedInputs.js';
import { setReadCaches } from '../../src/database.js';
import type { Database } from '../../src/database.js';
import type { Row } from '../../src/engine/values.js';
import { fixturePlan } from '../explanations/fixturePlan.js';
import type { FixtureVariant } from '../explanations/fixturePlan.js';

/**
 * Incremental invariant checking (properties/unchangedInputs.ts) skips a check whose inputs are
 * the objects it last passed with. It must answer exactly as full scans do: every scenario here
 * runs twice, incremental and with every check scanning in full, nothing stopping the run, and
 * every invariant's answer after every step must be the same (after every commit point, in the
 * concurrent plans). The reference run reads every table afresh, bypassing the read caches and the
 * write stamps they rest on. The scenarios are drawn as
 * campaigns draw them (sizes included), for every plan, and again under every model mutant, so
 * that violations, and checks running on after one, are part of the comparison.
 */
const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));

/** Whether two reads hold the same row objects in the same order. */
function sameRows(left: readonly Row[], right: readonly Row[]): boolean {
  return left.length === right.length && left.every((row, index) => row === right[index]);
}

/** Every table's rows read afresh from the heaps (or through snapshots), bypassing every read cache. */
function freshReads(db: Database): Map<string, readonly Row[]> {
  setReadCaches(false);
  try {
    return new Map(db.tableNames().map((table) => [table, db.rows(table)]));
  } finally {
    setReadCaches(true);
  }
}

/** The constraint kinds whose lists (`Database.constraintsOfKind`) invariants read. */
const CHECKED_KINDS = ['foreignKey', 'check'] as const;

/** Whether two lists hold the same objects in the same order. */
function sameObjects(left: readonly unknown[], right: readonly unknown[]): boolean {
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

/**
 * What the incremental run's checks rest on, asserted at each check point: every cached read
 * (`db.rows`) holds what a fresh read holds, and an unchanged `db.contentStamp()` means every
 * fresh read is as it was. A cache or stamp that misses a change (a write, a commit of another
 * session) fails here even where no check's answer happens to depend on it.
 */
function readsChecker(): (db: Database) => void {
  let stamp: object | null = null;
  let reads = new Map<string, readonly Row[]>();
  return (db) => {
    const fresh = freshReads(db);
    for (const [table, rows] of fresh) expect(sameRows(db.rows(table), rows), `cached rows of ${table}`).toBe(true);
    // The per-kind lists the key and CHECK invariants read: the very descriptions `constraints()`
    // lists (described afresh at every catalog version), in its order.
    for (const kind of CHECKED_KINDS) {
      const described = db.constraints().filter((constraint) => constraint.kind === kind);
      expect(sameObjects(db.constraintsOfKind(kind), described), `constraints of kind ${kind}`).toBe(true);
    }
    const now = db.contentStamp();
    if (now === stamp) {
      expect([...fresh.keys()]).toEqual([...reads.keys()]);
      for (const [table, rows] of fresh)
        expect(sameRows(rows, reads.get(table)!), `${table} under an unchanged content stamp`).toBe(true);
    }
    stamp = now;
    reads = fresh;
  };
}

/** Every invariant's answer after every check, in order: `step:id:message` or `step:id:ok`. */
function answers(plan: Plan, scenario: Scenario, incremental: boolean, verifyReads: boolean): string[] {
  setIncrementalChecks(incremental);
  // The reference run also reads every table afresh from the heaps: a write path that forgot its
  // table's write stamp leaves the cached read stale, and both runs would agree on stale rows.
  setReadCaches(incremental);
  const log: string[] = [];
  const checkReads = incremental && verifyReads ? readsChecker() : null;
  let readsCheckedAt = -1;
  const domain: Domain<RunnersWorld> = {
    ...runnersDomain,
    invariants: runnersDomain.invariants.map((invariant) => ({
      ...invariant,
      check: (world: RunnersWorld) => {
        // Once per check point (each has its own step number), before its first check.
        if (checkReads !== null && world.currentStep !== readsCheckedAt) {
          readsCheckedAt = world.currentStep;
          checkReads(world.db);
        }
        const found = invariant.check(world);
        log.push(`${world.currentStep}:${invariant.id}:${found === null ? 'ok' : found.message}`);
        return found;
      },
    })),
  };
  const invariants = planInvariants(domain, plan);
  const result = runScenario(domain, plan, scenario, { recordChanges: false, invariants, stopOn: [] });
  log.push(`observed ${[...result.observed.keys()].sort().join(',')}`);
  return log;
}

function scenarios(plan: Plan, seed: number, count: number): Scenario[] {
  return fc.sample(scenarioArbitrary(runnersDomain, plan), { seed, numRuns: count });
}

/**
 * Compares both ways; adds the invariants that broke to `broken`. `verifyReads` also asserts the
 * cached reads and the content stamp at every check point (`readsChecker`): on for the plans'
 * scenarios and the stored traces, off under the mutants, where it would cost a third of this suite.
 */
function compare(plan: Plan, scenario: Scenario, broken: Set<string>, verifyReads = true): void {
  const incremental = answers(plan, scenario, true, verifyReads);
  const full = answers(plan, scenario, false, false);
  expect(incremental).toEqual(full);
  for (const line of incremental)
    if (!line.endsWith(':ok') && !line.startsWith('observed')) broken.add(line.split(':')[1]!);
}

/**
 * The incremental checks that scenarios break (with or without a mutant), so the comparison
 * covers their failing answers too. The engine enforces valid keys and CHECKs itself, and no
 * scenario breaks join-table-typing: incrementalFixedChecks.test.ts plants those violations
 * directly. sharding-key-backfilled breaks in a stored trace (a planted step-order mistake).
 */
const BROKEN_IN_SCENARIOS = [
  'copy-subset-of-source',
  'copy-equals-source-where-present',
  'copy-complete-after-backfill',
  'copy-keeps-copied-rows',
  'lfk-records-each-delete-once',
  'swap-preserves-rows',
  'runner-with-live-projects-kept',
  'runners-keep-authenticating',
  'sharding-key-backfilled',
];
const broken = new Set<string>();

afterEach(() => {
  setIncrementalChecks(true);
  setReadCaches(true);
  activateMutant(null);
});

describe('incremental invariant checks answer as full scans do', () => {
  it('on scenarios of every plan', () => {
    let checks = 0;
    for (const plan of plans) {
      for (const scenario of scenarios(plan, 20241031, 10)) {
        compare(plan, scenario, broken);
        checks++;
      }
    }
    expect(checks).toBe(plans.length * 10);
  });

  it('on scenarios under every model mutant', () => {
    let compared = 0;
    for (const mutant of Object.keys(MODEL_MUTANTS) as ModelMutant[]) {
      activateMutant(mutant);
      for (const [index, plan] of plans.entries()) {
        // A few plans per mutant, rotating, and four scenarios each keep the suite short (35 mutants)
        // while every plan is used.
        if ((index + mutant.length) % 5 !== 0) continue;
        for (const scenario of scenarios(plan, 7, 4)) {
          // A mutant can break the model's own expectations (sync-trigger-fires-before makes an INSERT
          // return no row), so the run stops at an assertion and there are no answers to compare.
          try {
            compare(plan, scenario, broken, false);
            compared++;
          } catch (error) {
            if (!(error instanceof PgdrillBug)) throw error;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(Object.keys(MODEL_MUTANTS).length * 4);
  });

  it('on every stored failing trace (corpus, mutant and planted fixtures)', () => {
    for (const file of ['mutant-counterexamples.json', 'planted-counterexamples.json']) {
      const entries = JSON.parse(readFileSync(join(packageRoot(), 'test', 'explanations', file), 'utf8')) as {
        mutant: string;
        plan: string;
        scenario: Scenario;
        planSteps?: JsonObject[];
        concurrency?: FixtureVariant['concurrency'];
      }[];
      for (const entry of entries) {
        const plan = fixturePlan(plans.find((candidate) => candidate.name === entry.plan)!, entry);
        activateMutant(isModelMutant(entry.mutant) ? entry.mutant : null);
        compare(plan, entry.scenario, broken);
      }
    }
    activateMutant(null);
    for (const file of listCounterexamples(join(packageRoot(), 'test', 'corpus'))) {
      const counterexample = loadCounterexample(file);
      compare(plans.find((candidate) => candidate.name === counterexample.plan)!, counterexample.scenario, broken);
    }
  });

  it('including the answers of checks that broke', () => {
    expect([...broken].filter((id) => BROKEN_IN_SCENARIOS.includes(id)).sort()).toEqual(
      [...BROKEN_IN_SCENARIOS].sort(),
    );
  });
});
