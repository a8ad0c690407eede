import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../src/harness/checkPlan.js';
import { listCounterexamples, loadCounterexample } from '../../src/harness/corpus.js';
import { loadPlanDirectory } from '../../src/harness/planFile.js';
import type { Scenario } from '../../src/harness/scenario.js';
import type { JsonObject } from '../../src/harness/json.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { activateMutant, isModelMutant } from '../../model/gitlab/mutations.js';
import { fixturePlan } from './fixturePlan.js';
import type { FixtureVariant } from './fixturePlan.js';

/**
 * Explanations are derived from the trace and checked: every failing trace we have (the
 * regression corpus, and the counterexample that killed each mutant of `npm run mutants`) is
 * replayed, and its `why` must name the mechanism that really broke the invariant, never be
 * empty. The mutants' counterexamples are regenerated with `npm run mutants -- --save-fixtures
 * test/explanations/mutant-counterexamples.json`.
 */
const CAUSES: Readonly<Record<string, RegExp>> = {
  'api-never-500':
    /missing from ci_runners_e59bb2812d|NOT VALID|new id|requires \(|does not satisfy|taggings|deleted runner \d+ \(DELETE \/runners\/|the sync trigger wrote into \S+ a row that differs from its source row|the failing request drew id \d+ for its runner/,
  'migrations-succeed':
    /missing from ci_runners_e59bb2812d|its row is in the partition|was deleted|requires \(|does not satisfy|VALIDATE CONSTRAINT \S+ found/,
  'background-work-succeeds': /failed .* with \d|missing from ci_runners_e59bb2812d|^a deadlock between .* with 40P01/,
  'copy-subset-of-source': /DELETE did not remove the copy row|from its snapshot, which did not see that delete/,
  'copy-equals-source-where-present':
    /UPDATE did not carry \w+ to the copy row|could not see the uncommitted copy row|from its snapshot, which did not see that update/,
  'copy-complete-after-backfill': /backfill|cascade|type change/,
  'copy-keeps-copied-rows': /loose foreign key|ON DELETE CASCADE/,
  'manager-matches-runner': /assign_to re-owned|did not carry it to its managers/,
  'tagging-matches-runner': /assign_to re-owned|did not carry it to its taggings/,
  'runner-with-live-projects-kept': /removed runner \d+|replace_with_partitioned_table/,
  'runners-keep-authenticating': /replace_with_partitioned_table .* was not in it|removed runner \d+/,
  'owner-is-lowest-runner-project':
    /project \d+ was deleted|re-owned runner \d+ to project|from BackfillShardingKeyIdOnCiRunners|set runner \d+'s sharding_key_id|a lost update|the type change did not write the new owner's key/,
  'no-orphan-project-runners': /project \d+ was deleted/,
  'owner-service-idempotent':
    /committed at step \d+ by POST \/projects\/\d+\/runners \(assign_to\).* read ci_runner_projects before that row committed|the job stopped before its batches reached runner \d+|gave it that key after the service had passed it/,
  'lfk-records-each-delete-once': /record(s)? nothing|recorded/,
  'lfk-eventually-clean':
    /is still pending after the worker drained|was marked processed at step \d+ by the cleanup of the \S+ batch|configuration deployed has no definition of/,
  'sharding-key-backfilled':
    /code that populates sharding_key_id must be deployed before the backfill|created manager \d+ after the code that populates sharding_key_id was deployed .* left the key out/,
  'swap-preserves-rows': /replace_with_partitioned_table/,
  'revert-removes-foreign-key': /added to each partition/,
  'deletion-tracking-follows-swap': /followed the legacy table's identity/,
  'verify-ensures-manager':
    /raised RecordNotUnique on both of its attempts .* met the copy row already there|raised RecordNotUnique on its only attempt \(no retry/,
  'background-work-bounded':
    /touched \d+ rows where its limit is \d+: the statement did not apply its LIMIT|modified \d+ rows in all where a run stops at the query that brings its modifications to modificationLimit/,
  'api-waits-bounded':
    /queued behind s\d+'s waiting ALTER TABLE .* grants no lock that conflicts with a waiter ahead of it/,
};

/**
 * Causes narrower than their invariant's, for plans whose counterexample must name one race: the
 * deadlock of ensure-copy-deadlocks-backfill also breaks background-work-succeeds, but only its own
 * explanation names both sides of the cycle.
 */
const PLAN_CAUSES: Readonly<Record<string, RegExp>> = {
  'ensure-copy-deadlocks-backfill': new RegExp(
    [
      '^a deadlock between POST /runners/verify and the BackfillCiRunnersPartitionedTable sub-batch: ',
      ".*inserted the runner's copy row .* waited on that uncommitted copy row .*KEY SHARE on the runner .* with 40P01",
    ].join(''),
  ),
};

/**
 * Causes narrower than their invariant's, for mutants whose first kill an invariant's generic story
 * would tell wrongly (each was told wrongly before its explainer learnt the mechanism): a manager
 * created without its key is no deploy-order mistake, a sync trigger that drops a column is no
 * NOT VALID CHECK, a cleanup run past its cap is no statement without LIMIT.
 */
const MUTANT_CAUSES: Readonly<Record<string, RegExp>> = {
  'verify-manager-without-sharding-key': /created manager \d+ after the code that populates sharding_key_id/,
  'sync-trigger-update-skips-partition-key':
    /the sync trigger wrote into \S+ a row that differs from its source|the row the sync trigger wrote into \S+, a partition of \S+, does not satisfy its validated/,
  'lfk-modification-limit-per-table': /the run did not stop when its modifications/,
  'backfill-range-excludes-batch-end': /INSERT … SELECT did not select it/,
  'owner-service-forgets-managers': /re-owned [\d, ]*\d.*did not carry it to its managers/,
  'sync-trigger-ignores-insert': /the failing request inserted runner \d+ .* the trigger did not copy the INSERT/,
  'lfk-load-batch-any-table': /load_batch_for_table handed a record of \S+ to another table's batch/,
  'lfk-cleaner-uses-record-ids': /do not include the record's primary_key_value/,
  'finalize-partitioned-backfill-skips-batches':
    /marked finished with its cursor at \d+, below runner \d+: no batch ever covered it/,
  'create-runner-joins-requested-id': /takes nextval instead: the runner was inserted under another id/,
  'instance-runner-gets-organization': /not left unfilled but written with a value the check forbids/,
  'lfk-tracking-records-table-without-schema': /the table name without its schema/,
  'type-change-keeps-organization':
    /changed the runner's runner_type, and \S+ ties the columns it reads to runner_type/,
  'type-change-keeps-sharding-key':
    /made runner \d+ a project runner, .* the type change did not write the new owner's key/,
  'lfk-runner-projects-definition-missing':
    /configuration deployed has no definition of ci_runner_projects\.project_id → projects .* the worker never cleans/,
  'lfk-taggings-definition-wrong-column':
    /no definition of ci_runner_taggings\.tag_id → tags \(it defines .*ci_runner_taggings\.runner_id → tags/,
  'plan:runners-tracking-switch-before-swap':
    /ran at step \d+, before replace_with_partitioned_table swapped the tables/,
};

interface Failing {
  readonly source: string;
  readonly plan: string;
  readonly mutant: string | null;
  readonly invariant: string;
  readonly scenario: Scenario;
  /** A plan mutant's reordered steps, as the plan file writes them. */
  readonly planSteps?: readonly JsonObject[];
  /** A plan variant's concurrency (fixturePlan.ts). */
  readonly concurrency?: FixtureVariant['concurrency'];
}

const root = packageRoot();
const plans = loadPlanDirectory(runnersDomain, join(root, 'model', 'plans'));
const corpus: Failing[] = listCounterexamples(join(root, 'test', 'corpus')).map((file) => {
  const counterexample = loadCounterexample(file);
  return {
    source: file.slice(root.length + 1),
    plan: counterexample.plan,
    mutant: null,
    invariant: counterexample.outcome,
    scenario: counterexample.scenario,
  };
});
/**
 * Failing traces kept as fixtures: the counterexample that killed each mutant of `npm run
 * mutants`, and (planted-counterexamples.json) traces found by a targeted search under a mutant or
 * a planted step-order mistake for the invariants no mutant's first kill reaches, or written by hand
 * for a real race the default budget does not reach, on a plan variant (fixturePlan.ts).
 */
function fixtures(file: string): Failing[] {
  const path = join(root, 'test', 'explanations', file);
  if (!existsSync(path)) return [];
  return (
    JSON.parse(readFileSync(path, 'utf8')) as {
      mutant: string;
      plan: string;
      invariant: string;
      scenario: Scenario;
      planSteps?: JsonObject[];
      concurrency?: FixtureVariant['concurrency'];
    }[]
  ).map((entry) => ({ source: `mutant ${entry.mutant} (${file})`, ...entry }));
}
const failing = [...corpus, ...fixtures('mutant-counterexamples.json'), ...fixtures('planted-counterexamples.json')];

/** Invariants no plan breaks and no mutant reaches: the engine enforces them itself (a valid key or CHECK). */
const UNREACHED = ['validated-fk-holds', 'validated-check-holds', 'ids-unique-across-partitions', 'join-table-typing'];

/**
 * Known gaps, listed so they stay visible: no fixture yet breaks these invariants (their first
 * break in the suite is by a plan or mutant whose counterexample is not stored). Each entry is
 * work left.
 */
const NOT_YET_REACHED: readonly string[] = [];
describe('every failure explains itself by its real cause', () => {
  it.each(failing.map((entry) => [entry.source, entry] as const))('%s', (_source, entry) => {
    const shipped = plans.find((candidate) => candidate.name === entry.plan)!;
    expect(shipped).toBeDefined();
    const plan = fixturePlan(shipped, entry);
    if (entry.mutant !== null && isModelMutant(entry.mutant)) activateMutant(entry.mutant);
    try {
      const failure = replayScenario(runnersDomain, plan, entry.scenario).failure;
      expect(failure?.violations[0]?.invariant).toBe(entry.invariant);
      const why = failure?.explanation ?? '';
      expect(why.length).toBeGreaterThan(20);
      expect(why).not.toMatch(/does not exist yet/);
      const cause = CAUSES[entry.invariant];
      expect(cause, `a cause pattern for ${entry.invariant}`).toBeDefined();
      expect(why).toMatch(cause!);
      const planCause = entry.mutant === null ? PLAN_CAUSES[entry.plan] : undefined;
      if (planCause !== undefined) expect(why).toMatch(planCause);
      const mutantCause = entry.mutant === null ? undefined : MUTANT_CAUSES[entry.mutant];
      if (mutantCause !== undefined) expect(why).toMatch(mutantCause);
    } finally {
      activateMutant(null);
    }
  });

  it('covers every invariant the engine does not enforce by itself', () => {
    const reached = new Set(failing.map((entry) => entry.invariant));
    const missing = runnersDomain.invariants
      .map((invariant) => invariant.id)
      .filter((id) => !reached.has(id) && !UNREACHED.includes(id));
    expect(missing.sort()).toEqual([...NOT_YET_REACHED].sort());
  });

  it('has a stored failing trace for every mutant whose cause it narrows', () => {
    const stored = new Set(failing.map((entry) => entry.mutant));
    expect(Object.keys(MUTANT_CAUSES).filter((mutant) => !stored.has(mutant))).toEqual([]);
  });
});
