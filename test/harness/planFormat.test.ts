import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parsePlanText } from '../../src/harness/planFile.js';
import { PLAN_SCHEMA_FILE, planJsonSchemaText } from '../../src/harness/planSchema.js';
import { UserInputError } from '../../src/harness/userInputError.js';
import { packageRoot } from '../../model/runners/cli.js';
import { runnersDomain } from '../../model/runners/domain.js';

/**
 * The plan format as a user meets it: every problem of a file at once, each at its line and
 * column; misspelt names caught before any run; and the JSON Schema editors use agreeing with
 * the loader on every shipped plan and on mutated ones.
 */
const root = packageRoot();
const planDirectory = join(root, 'model', 'plans');
const planFiles = readdirSync(planDirectory)
  .filter((file) => file.endsWith('.json'))
  .sort();
const planText = (file: string): string => readFileSync(join(planDirectory, file), 'utf8');
type PlanObject = Record<string, unknown> & { steps: Record<string, unknown>[] };
const planObject = (file: string): PlanObject => JSON.parse(planText(file)) as PlanObject;

function loadError(content: string, source = 'plan.json'): string | null {
  try {
    parsePlanText(runnersDomain, content, source);
    return null;
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    return error.message;
  }
}

describe('plan file errors', () => {
  it('reports invalid JSON by line and column', () => {
    expect(loadError('{\n  "name": "x",\n  "steps": [\n    {"step": "add_column",}\n  ]\n}')).toBe(
      'plan.json: not valid JSON (at line 4, column 27)',
    );
    expect(loadError('{"name": "x", "name": "y"}')).toBe(
      'plan.json:1:15: not valid JSON: field "name" appears twice in the same object',
    );
  });

  it('reports every problem at once, each at its line and column, without repeated prefixes', () => {
    const plan = planObject('taggings-tags-fk.json');
    plan.settings = { backfillBatchSize: 0, flags: { reject_orphaned_runner: true } };
    plan.probes = ['dangling-tagings-cleaned-up'];
    plan.steps[0] = { ...plan.steps[0], validate: 'no' };
    plan.steps[3] = { step: 'delete_orphaned_runner_taggings', batch: 2 };
    plan.steps.push({ step: 'validate_foreign_keys', table: 'tags' });
    const message = loadError(JSON.stringify(plan, null, 2))!;
    const lines = message.split('\n');
    expect(lines[0]).toBe('plan.json: 6 problems');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: field "settings\.backfillBatchSize" must be an integer from 1 to 10000$/,
      ),
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: unknown field "settings\.flags\.reject_orphaned_runner" \(expected .*\); did you mean "reject_orphaned_runners"\?$/,
      ),
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: field "probes\[0\]" must be one of .*, not "dangling-tagings-cleaned-up"; did you mean "dangling-taggings-cleaned-up"\?$/,
      ),
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: step 1 \(add_concurrent_foreign_key\): field "validate" must be true or false$/,
      ),
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: step 4 \(delete_orphaned_runner_taggings\): unknown field "batch" \(expected "batchSize", "maxBatches"\); did you mean "batchSize"\?$/,
      ),
      expect.stringMatching(
        /^ {2}plan\.json:\d+:\d+: step 8: unknown step "validate_foreign_keys"; did you mean "validate_foreign_key"\? \(known: .*\)$/,
      ),
    ]);
    // The line of each problem is where the offending value sits in the file.
    const text = JSON.stringify(plan, null, 2).split('\n');
    const line = (pattern: RegExp): number => text.findIndex((candidate) => pattern.test(candidate)) + 1;
    expect(lines[4]).toContain(`plan.json:${line(/"validate": "no"/)}:`);
    expect(lines[6]).toContain(`plan.json:${line(/"validate_foreign_keys"/)}:`);
    expect(message).not.toMatch(/settings: settings:|\(expected \)/);
  });

  it('says a step takes no fields instead of listing none', () => {
    const plan = planObject('owner-recalc-flag-on.json');
    plan.steps = [{ step: 'set_feature_flag', flag: 'update_project_runners_owner', enabled: true, extra: 1 }];
    expect(loadError(JSON.stringify(plan))).toMatch(/unknown field "extra" \(expected "flag", "enabled"\)$/);
  });
});

describe('the static name check', () => {
  const withSteps = (file: string, edit: (steps: Record<string, unknown>[]) => void): string => {
    const plan = planObject(file);
    edit(plan.steps);
    return JSON.stringify(plan, null, 2);
  };

  it('rejects a misspelt table, naming the step and the closest existing tables', () => {
    const message = loadError(
      withSteps('sharding-key-rollout.json', (steps) => {
        steps[0]!.table = 'ci_runner';
      }),
    );
    expect(message).toMatch(
      /^plan\.json:\d+:\d+: step 1 \(add_column\): table "ci_runner" does not exist at this point of the plan; closest existing: ci_runners, /,
    );
  });

  it("rejects a misspelt column inside a CHECK expression, from the engine's 42703", () => {
    const message = loadError(
      withSteps('sharding-key-rollout.json', (steps) => {
        steps[9]!.expr = { isNotNull: 'sharding_keyid' };
      }),
    );
    expect(message).toMatch(
      /step 10 \(add_check_constraint\): 42703 column "sharding_keyid" does not exist at this point of the plan; closest existing: sharding_key_id$/,
    );
  });

  it('rejects a misspelt foreign-key column and constraint name', () => {
    const column = loadError(
      withSteps('taggings-tags-fk.json', (steps) => {
        steps[1]!.columns = 'tagid';
      }),
    );
    expect(column).toMatch(
      /step 2 \(add_concurrent_foreign_key\): column "tagid" of table "ci_runner_taggings_group_type" does not exist at this point of the plan; closest existing: tag_id/,
    );
    const constraint = loadError(
      withSteps('taggings-tags-fk.json', (steps) => {
        steps[4]!.name = 'fk_rails_6d510634c8';
      }),
    );
    expect(constraint).toMatch(
      /step 5 \(validate_foreign_key\): constraint "fk_rails_6d510634c8" of table "ci_runner_taggings_instance_type" does not exist at this point of the plan; closest existing: fk_rails_6d510634c7/,
    );
  });

  it('follows what earlier steps create and rename: the copy exists after partitioning and has a new name after the swap', () => {
    const swapped = 'replace-ci-runners-with-partitioned.json';
    const afterSwap = { step: 'add_unique_id_constraint_on_partitions', table: 'ci_runners_e59bb2812d' };
    expect(
      loadError(
        withSteps(swapped, (steps) => {
          steps.splice(5, 0, afterSwap);
        }),
      ),
    ).toBeNull();
    expect(
      loadError(
        withSteps(swapped, (steps) => {
          steps.push(afterSwap);
        }),
      ),
    ).toMatch(
      /step \d+ \(add_unique_id_constraint_on_partitions\): table "ci_runners_e59bb2812d" does not exist at this point of the plan; closest existing: ci_runners/,
    );
  });

  it('accepts a genuine missing name the plan declares with expectMissing, and insists it is missing', () => {
    const swapped = 'replace-ci-runners-with-partitioned.json';
    const stale = {
      step: 'add_unique_id_constraint_on_partitions',
      table: 'ci_runners_e59bb2812d',
      expectMissing: 'ci_runners_e59bb2812d',
    };
    expect(
      loadError(
        withSteps(swapped, (steps) => {
          steps.push(stale);
        }),
      ),
    ).toBeNull();
    expect(
      loadError(
        withSteps(swapped, (steps) => {
          steps.splice(5, 0, stale);
        }),
      ),
    ).toMatch(
      /step 6 \(add_unique_id_constraint_on_partitions\): field "expectMissing" says "ci_runners_e59bb2812d" is missing here, but the step does not fail on that name/,
    );
  });
});

describe('the JSON Schema of plan files', () => {
  const schema = JSON.parse(readFileSync(join(root, PLAN_SCHEMA_FILE), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it("is the checked-in file, generated from the loader's declarations (regenerate with `pgdrill schema`)", () => {
    expect(readFileSync(join(root, PLAN_SCHEMA_FILE), 'utf8')).toBe(planJsonSchemaText(runnersDomain));
  });

  it.each(planFiles)('%s names the schema and validates against it', (file) => {
    expect(planObject(file).$schema).toBe('../../schema/plan.schema.json');
    expect(validate(planObject(file)), JSON.stringify(validate.errors)).toBe(true);
  });

  // Each mutation breaks the shape of a plan; the schema and the loader must both reject it.
  const mutations: readonly [string, (plan: PlanObject) => void][] = [
    [
      'unknown plan field',
      (plan) => {
        plan.extra = 1;
      },
    ],
    [
      'missing comment',
      (plan) => {
        delete plan.comment;
      },
    ],
    [
      'bad name',
      (plan) => {
        plan.name = 'Bad Name';
      },
    ],
    [
      'expect names no invariant',
      (plan) => {
        plan.expect = { breaks: 'api-never-501' };
      },
    ],
    [
      'expect is a word',
      (plan) => {
        plan.expect = 'unsafe';
      },
    ],
    [
      'no steps',
      (plan) => {
        plan.steps = [];
      },
    ],
    [
      'unknown step',
      (plan) => {
        plan.steps[0] = { step: 'drop_table', table: 'ci_runners' };
      },
    ],
    [
      'unknown step field',
      (plan) => {
        plan.steps[0] = { ...plan.steps[0], colour: 'red' };
      },
    ],
    [
      'missing required step field',
      (plan) => {
        plan.steps[0] = { step: 'add_column', table: 'ci_runners', column: 'x' };
      },
    ],
    [
      'wrong step field type',
      (plan) => {
        plan.steps[0] = { step: 'set_feature_flag', flag: 'reject_orphaned_runners', enabled: 'yes' };
      },
    ],
    [
      'step enum value',
      (plan) => {
        plan.steps[0] = { step: 'partition_table_by_list', table: 'projects' };
      },
    ],
    [
      'deploy_code without a switch',
      (plan) => {
        plan.steps[0] = { step: 'deploy_code' };
      },
    ],
    [
      'deploy_code with only expectMissing',
      (plan) => {
        plan.steps[0] = { step: 'deploy_code', expectMissing: 'x' };
      },
    ],
    [
      'expectMissing empty',
      (plan) => {
        plan.steps[0] = { ...plan.steps[0], expectMissing: '' };
      },
    ],
    [
      'bad CHECK expression',
      (plan) => {
        plan.steps[0] = { step: 'add_check_constraint', table: 'ci_runners', name: 'c', expr: { isNul: 'x' } };
      },
    ],
    [
      'batches out of range',
      (plan) => {
        plan.steps[0] = {
          step: 'run_background_migration_batches',
          migration: 'BackfillCiRunnersPartitionedTable',
          batches: 0,
        };
      },
    ],
    [
      'unknown setting',
      (plan) => {
        plan.settings = { flagz: {} };
      },
    ],
    [
      'unknown flag',
      (plan) => {
        plan.settings = { flags: { reject_orphans: true } };
      },
    ],
    [
      'batch size zero',
      (plan) => {
        plan.settings = { backfillBatchSize: 0 };
      },
    ],
    [
      'unknown workload',
      (plan) => {
        plan.settings = { workloads: ['deploys'] };
      },
    ],
    [
      'unknown probe',
      (plan) => {
        plan.probes = ['no-such-probe'];
      },
    ],
    [
      'unknown traffic',
      (plan) => {
        plan.traffic = ['dropDatabase'];
      },
    ],
    [
      'empty traffic',
      (plan) => {
        plan.traffic = [];
      },
    ],
    [
      'an unknown invariant opted out of',
      (plan) => {
        plan.optOut = { 'everything-fine': 'It is not fine.' };
      },
    ],
    [
      'an accepted break without a reason',
      (plan) => {
        plan.accepts = { 'migrations-succeed': ' ' };
      },
    ],
    [
      'an unknown cause accepted under concurrency',
      (plan) => {
        plan.underConcurrency = { acceptsCauses: { 'no-such-race': 'It never happens.' }, comment: 'Why.' };
      },
    ],
    [
      'an unknown cause accepted by the plan',
      (plan) => {
        plan.acceptsCauses = { 'no-such-race': 'It never happens.' };
      },
    ],
    [
      'a verdict under concurrency without its comment',
      (plan) => {
        plan.underConcurrency = { expect: 'safe' };
      },
    ],
    [
      'the removed invariants list',
      (plan) => {
        plan.invariants = ['api-never-500'];
      },
    ],
  ];

  it('refuses underConcurrency on a concurrent plan, and a cause or verdict of an invariant the plan opts out of', () => {
    const concurrent = planObject('assign-to-concurrent.json');
    concurrent.underConcurrency = { comment: 'A second verdict.' };
    expect(loadError(JSON.stringify(concurrent))).toMatch(/"underConcurrency" is for plans without "concurrency"/);
    const serial = planObject('organization-id-rollout.json');
    serial.optOut = { 'api-never-500': 'Not about requests.' };
    serial.underConcurrency = {
      expect: { breaks: 'api-never-500' },
      acceptsCauses: { 'runner-deleted-under-request': "GitLab's own race." },
      comment: 'Why.',
    };
    const error = loadError(JSON.stringify(serial));
    expect(error).toMatch(/"underConcurrency.expect" names "api-never-500", which the plan opts out of/);
    expect(error).toMatch(
      /cause "runner-deleted-under-request" explains breaks of "api-never-500", which the plan opts out of/,
    );
  });

  it("refuses a plan's own accepted cause of an invariant it opts out of or expects to break", () => {
    const optedOut = planObject('organization-id-rollout.json');
    optedOut.optOut = { 'manager-matches-runner': 'Not about managers.' };
    optedOut.acceptsCauses = { 'manager-kept-deleted-owner': "GitLab's own race." };
    expect(loadError(JSON.stringify(optedOut))).toMatch(
      /cause "manager-kept-deleted-owner" explains breaks of "manager-matches-runner", which the plan opts out of/,
    );
    const expected = planObject('owner-recalc-assign-to-race.json');
    expected.acceptsCauses = { 'manager-kept-deleted-owner': 'The race is the finding.' };
    expect(loadError(JSON.stringify(expected))).toMatch(
      /cause "manager-kept-deleted-owner" explains breaks of the expected invariant "manager-matches-runner"/,
    );
  });

  it.each(mutations)('a plan with %s is rejected by the schema and by the loader', (_name, mutate) => {
    const plan = planObject('incident-2024-10-31.json');
    mutate(plan);
    expect(validate(plan)).toBe(false);
    expect(loadError(JSON.stringify(plan))).not.toBeNull();
  });
});
