/**
 * `npm run mutants`: pgdrill's bug-finding power, measured on planted mistakes. Each mutant is a
 * plausible design mistake, either in the model's code (the switchable variants of
 * model/mutations.ts) or in a plan's step order, and the default budget (`npm start`'s seed and
 * runs) must notice it: some plan's verdict stops matching its expectation. A mutant's time to
 * kill is the least time any plan's campaign spent before its first failing run (or, for a plan
 * whose expected break vanished, its whole campaign). Plans run in one thread, each capped at the
 * best time to kill found so far, which cannot change the minimum and keeps the suite short.
 * It prints a line per mutant and, as its last line, `{mutants, killed, medianTimeToKillMs}`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stableStringify } from '../src/harness/json.js';
import type { JsonValue } from '../src/harness/json.js';
import type { Scenario } from '../src/harness/scenario.js';
import { checkPlan } from '../src/harness/checkPlan.js';
import type { PlanVerdict } from '../src/harness/checkPlan.js';
import type { Plan, PlanStep } from '../src/harness/domain.js';
import { loadPlanDirectory } from '../src/harness/planFile.js';
import { MODEL_MUTANTS, activateMutant, isModelMutant } from '../model/gitlab/mutations.js';
import type { ModelMutant } from '../model/gitlab/mutations.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';
import { useCampaignCompilerFlags } from '../src/cli/compilerFlags.js';

const SEED = 20241031;
const RUNS = 3000;

/** A step-order mistake in one plan: the step named `move` goes right after the step named `after` (or to the end). */
interface PlanMutant {
  readonly name: string;
  readonly description: string;
  readonly plan: string;
  readonly transform: (steps: readonly PlanStep[]) => PlanStep[];
}

const stepIndex = (steps: readonly PlanStep[], predicate: (step: PlanStep) => boolean): number => {
  const index = steps.findIndex(predicate);
  if (index < 0) throw new Error('a plan mutant names a step its plan does not have');
  return index;
};

/** Moves the steps matching `move` (keeping their order) to right after the last step matching `after`, or to the end. */
function moveSteps(
  move: (step: PlanStep) => boolean,
  after: ((step: PlanStep) => boolean) | 'end',
): (steps: readonly PlanStep[]) => PlanStep[] {
  return (steps) => {
    stepIndex(steps, move);
    const moved = steps.filter(move);
    const rest = steps.filter((step) => !move(step));
    if (after === 'end') return [...rest, ...moved];
    const anchor = rest.length - 1 - [...rest].reverse().findIndex(after);
    if (anchor >= rest.length) throw new Error('a plan mutant names an anchor step its plan does not have');
    return [...rest.slice(0, anchor + 1), ...moved, ...rest.slice(anchor + 1)];
  };
}

/** Leaves out the steps matching `drop` (a step forgotten in the plan). */
function dropSteps(drop: (step: PlanStep) => boolean): (steps: readonly PlanStep[]) => PlanStep[] {
  return (steps) => {
    stepIndex(steps, drop);
    return steps.filter((step) => !drop(step));
  };
}

const named =
  (step: string, parameter?: string, value?: string) =>
  (candidate: PlanStep): boolean =>
    candidate.step === step && (parameter === undefined || candidate.parameters[parameter] === value);

const PLAN_MUTANTS: readonly PlanMutant[] = [
  {
    name: 'plan:swap-before-runner-finalize',
    description: 'replace-ci-runners-with-partitioned swaps the tables before finalizing the runner backfill',
    plan: 'replace-ci-runners-with-partitioned',
    transform: moveSteps(named('finalize_backfilling_partitioned_table', 'table', 'ci_runners'), 'end'),
  },
  {
    name: 'plan:sharding-code-after-backfill',
    description: 'sharding-key-rollout deploys the code that populates sharding_key_id after the backfill finished',
    plan: 'sharding-key-rollout',
    transform: moveSteps(
      named('deploy_code'),
      named('finalize_background_migration', 'migration', 'BackfillShardingKeyIdOnCiRunners'),
    ),
  },
  {
    name: 'plan:org-check-before-backfill',
    description: 'organization-id-rollout adds check_organization_id_nullness before its backfill is queued',
    plan: 'organization-id-rollout',
    transform: moveSteps(named('add_check_constraint'), named('deploy_code')),
  },
  {
    name: 'plan:machines-fk-validated-before-cleanup',
    description:
      'validate-machines-fk-after-orphan-cleanup validates the key before the orphaned copy managers are deleted',
    plan: 'validate-machines-fk-after-orphan-cleanup',
    transform: moveSteps(
      (step) => step.parameters['migration'] === 'DeleteOrphanedPartitionedCiRunnerMachineRecords',
      'end',
    ),
  },
  {
    name: 'plan:taggings-validate-before-cleanup',
    description: 'taggings-tags-fk validates the key to tags before the data migration deletes taggings without a tag',
    plan: 'taggings-tags-fk',
    transform: moveSteps(named('delete_orphaned_runner_taggings'), 'end'),
  },
  {
    name: 'plan:machines-fk-before-backfills-finalized',
    description: 'runner-machines-fk-not-valid adds the key between the copies while both backfills are still running',
    plan: 'runner-machines-fk-not-valid',
    transform: moveSteps(named('add_concurrent_foreign_key'), named('enqueue_partitioning_data_migration')),
  },
  {
    name: 'plan:org-check-without-lock-retries',
    description: 'org-id-check-with-lock-retries adds check_organization_id_nullness as a plain ALTER TABLE',
    plan: 'org-id-check-with-lock-retries',
    transform: (steps) => {
      stepIndex(steps, named('add_check_constraint'));
      return steps.map((step) =>
        step.step === 'add_check_constraint'
          ? { ...step, parameters: { ...step.parameters, lockRetries: false } }
          : step,
      );
    },
  },
  {
    name: 'plan:org-validate-before-backfill-finalized',
    description:
      'organization-id-rollout validates check_organization_id_nullness before finalizing BackfillOrganizationIdOnCiRunners',
    plan: 'organization-id-rollout',
    transform: moveSteps(
      named('finalize_background_migration', 'migration', 'BackfillOrganizationIdOnCiRunners'),
      'end',
    ),
  },
  // plan:runners-tracking-switch-last (ci_runners' tracking switch moved after the machines swap) was
  // dropped as equivalent: it only lengthens the window between a swap and its tracking switch that
  // GitLab's own migrations leave (deletion-before-tracking-switch). The model has no release
  // boundary to bound that window by, and no loose foreign key names ci_runners as its parent, so
  // no row differs; GitLab's 17.10 rollout itself left ci_runner_machines' window open longer.
  {
    name: 'plan:runners-tracking-switch-before-swap',
    description:
      'replace-ci-runners-with-partitioned switches deletion tracking to the partitioned table before the swap instead of after it',
    plan: 'replace-ci-runners-with-partitioned',
    transform: moveSteps(
      named('switch_record_change_tracking_to_partitioned_table'),
      named('add_concurrent_foreign_key'),
    ),
  },
  {
    name: 'plan:runners-swap-without-ensure-unique-id',
    description:
      'replace-ci-runners-with-partitioned swaps the tables and never runs ensure_unique_id on the new ci_runners',
    plan: 'replace-ci-runners-with-partitioned',
    transform: dropSteps(named('ensure_unique_id')),
  },
  // plan:machines-swap-before-runners-swap (ci_runner_machines swapped, and its tracking switched,
  // before ci_runners) survived the default budget and is dropped as equivalent in the model, as far
  // as reading it tells: the swapped managers table references the runners' copy, which the sync
  // trigger and verify's ensure-copy keep complete, and its archive keeps the legacy key to the
  // legacy ci_runners, which holds every runner until its own swap; no row or key differs until
  // both swaps are done.
  {
    name: 'plan:machines-fk-without-cascade',
    description:
      'replace-ci-runner-machines-with-partitioned adds fk_rails_3f92913d27 between the copies with on_delete: nil (NO ACTION)',
    plan: 'replace-ci-runner-machines-with-partitioned',
    transform: (steps) => {
      stepIndex(steps, named('add_concurrent_foreign_key'));
      return steps.map((step) =>
        step.step === 'add_concurrent_foreign_key'
          ? { ...step, parameters: { ...step.parameters, onDelete: null } }
          : step,
      );
    },
  },
];

interface Kill {
  readonly plan: string;
  /** The killing counterexample, when a failure (not a vanished break or probe) killed it. */
  readonly scenario: Scenario | null;
  readonly invariant: string | null;
  readonly ms: number;
  readonly what: string;
  readonly why: string | null;
}

/** Whether a verdict turns `check` red, and when the campaign noticed; null when it stays green or was cut short. */
function killOf(verdict: PlanVerdict): Kill | null {
  const complete = verdict.runs >= RUNS || verdict.failure !== null;
  if (!verdict.matched) {
    if (verdict.failure !== null) {
      return {
        plan: verdict.plan.name,
        scenario: verdict.failure.scenario,
        invariant: verdict.failure.invariant,
        ms: verdict.timeToFindMs ?? verdict.ms,
        what: `${verdict.failure.invariant}: ${verdict.failure.violations[0]?.message ?? ''}`,
        why: verdict.failure.result.failure?.explanation ?? null,
      };
    }
    if (!complete) return null;
    return {
      plan: verdict.plan.name,
      scenario: null,
      invariant: null,
      ms: verdict.ms,
      what: `expected ${JSON.stringify(verdict.plan.expect)} no longer breaks`,
      why: null,
    };
  }
  if (complete && verdict.missingProbes.length > 0)
    return {
      plan: verdict.plan.name,
      scenario: null,
      invariant: null,
      ms: verdict.ms,
      what: `coverage probe never hit: ${verdict.missingProbes.join(', ')}`,
      why: null,
    };
  return null;
}

/** Runs every plan under the active mutant; the fastest kill, or null when every verdict stays green. */
function hunt(plans: readonly Plan[]): Kill | null {
  let best: Kill | null = null;
  for (const plan of plans) {
    const started = performance.now();
    let kill: Kill | null;
    try {
      const verdict = checkPlan(runnersDomain, plan, {
        runs: RUNS,
        seed: SEED,
        ...(best !== null ? { timeLimitMs: best.ms } : {}),
      });
      kill = killOf(verdict);
    } catch (error) {
      // A mutant that makes the model crash (a broken assertion, a pgdrill bug) turns `check` red as surely.
      kill = {
        plan: plan.name,
        scenario: null,
        invariant: null,
        ms: performance.now() - started,
        what: `check crashed: ${error instanceof Error ? error.message : String(error)}`,
        why: null,
      };
    }
    if (kill !== null && (best === null || kill.ms < best.ms)) best = kill;
  }
  return best;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function main(argv: readonly string[]): number {
  // The CLI's compiler settings (src/cli/compilerFlags.ts): the suite runs the default campaign per mutant.
  useCampaignCompilerFlags();
  const optionValue = (option: string): string | undefined => {
    const at = argv.indexOf(option);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  // `--plans a,b` hunts with those plans only: for iterating on one mutant, never for the figures.
  const planFilter = optionValue('--plans')?.split(',');
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans')).filter(
    (plan) => planFilter === undefined || planFilter.includes(plan.name),
  );
  if (planFilter !== undefined && plans.length !== planFilter.length) throw new Error('--plans names an unknown plan');
  const only = argv.filter(
    (argument, index) => !argument.startsWith('-') && !['--save-fixtures', '--plans'].includes(argv[index - 1] ?? ''),
  );
  const modelMutants = (Object.keys(MODEL_MUTANTS) as ModelMutant[]).filter(
    (name) => only.length === 0 || only.includes(name),
  );
  const planMutants = PLAN_MUTANTS.filter((mutant) => only.length === 0 || only.includes(mutant.name));
  for (const name of only)
    if (!isModelMutant(name) && !PLAN_MUTANTS.some((mutant) => mutant.name === name))
      throw new Error(`unknown mutant ${name}`);
  if (!argv.includes('--skip-baseline')) {
    activateMutant(null);
    const red = plans
      .map((plan) => checkPlan(runnersDomain, plan, { runs: RUNS, seed: SEED }))
      .filter((verdict) => killOf(verdict) !== null);
    if (red.length > 0) {
      console.log(
        `the real model is already red (${red.map((verdict) => verdict.plan.name).join(', ')}): mutants would prove nothing`,
      );
      return 1;
    }
    console.log('baseline: every plan matches its expectation');
  }
  const results: { readonly name: string; readonly kill: Kill | null; readonly planSteps?: readonly PlanStep[] }[] = [];
  const report = (name: string, description: string, kill: Kill | null, planSteps?: readonly PlanStep[]): void => {
    results.push({ name, kill, ...(planSteps === undefined ? {} : { planSteps }) });
    if (kill === null) console.log(`SURVIVED  ${name}: ${description}`);
    else
      console.log(
        `killed    ${name} in ${Math.round(kill.ms)} ms by ${kill.plan} (${kill.what})${kill.why === null ? '' : `\n          why: ${kill.why}`}`,
      );
  };
  for (const name of modelMutants) {
    activateMutant(name);
    try {
      report(name, MODEL_MUTANTS[name], hunt(plans));
    } finally {
      activateMutant(null);
    }
  }
  for (const mutant of planMutants) {
    const mutatedPlans = plans.map((plan) =>
      plan.name === mutant.plan ? { ...plan, steps: mutant.transform(plan.steps) } : plan,
    );
    const mutated = mutatedPlans.filter((plan) => plan.name === mutant.plan);
    report(mutant.name, mutant.description, hunt(mutated), mutated[0]?.steps);
  }
  const fixturesAt = argv.indexOf('--save-fixtures');
  if (fixturesAt >= 0) {
    // Plan mutants keep their reordered steps, so the explanations test replays the plan they killed.
    const fixtures = results
      .filter((result) => result.kill !== null && result.kill.scenario !== null)
      .map((result) => ({
        mutant: result.name,
        plan: result.kill!.plan,
        invariant: result.kill!.invariant,
        why: result.kill!.why,
        scenario: result.kill!.scenario,
        ...(result.planSteps === undefined
          ? {}
          : {
              planSteps: result.planSteps.map((step) => ({
                step: step.step,
                ...step.parameters,
                ...(step.expectMissing === undefined ? {} : { expectMissing: step.expectMissing }),
              })),
            }),
      })) as unknown as JsonValue;
    writeFileSync(argv[fixturesAt + 1]!, `${stableStringify(fixtures, 2)}\n`);
  }
  const killed = results.filter((result) => result.kill !== null);
  const medianMs = median(killed.map((result) => result.kill!.ms));
  console.log(
    JSON.stringify({
      mutants: results.length,
      killed: killed.length,
      medianTimeToKillMs: medianMs === null ? null : Math.round(medianMs),
    }),
  );
  return killed.length === results.length ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
