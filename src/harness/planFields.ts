/**
 * The fields of a plan file, declared once. The loader (planFile.ts) validates with these
 * declarations, the JSON Schema (planSchema.ts) is generated from them, and docs/plans.md
 * describes them; a new plan field is added here, to `Plan` in domain.ts, and to the docs.
 */
import { DEFAULT_API_WAIT_BOUND_MS } from './domain.js';
import type { Domain, WorldBase } from './domain.js';
import type { FieldMap, FieldSpec, ObjectSpec, TaggedVariant } from './fieldSpec.js';
import { didYouMean, isJsonObject } from './fieldSpec.js';

export const PLAN_NAME_PATTERN = {
  regex: '^[a-z0-9][a-z0-9-]{0,99}$',
  meaning: 'a lower-case name of letters, digits and dashes like "incident-2024-10-31"',
};

/** Names of things a step may expect to be missing: `42P01`, `42703` and `42704` are the SQLSTATEs of such errors. */
export const EXPECT_MISSING_FIELD = 'expectMissing';

/** Fields every step accepts besides its kind's own parameters. */
export const COMMON_STEP_FIELDS: FieldMap = {
  [EXPECT_MISSING_FIELD]: {
    kind: 'string',
    description:
      'The name of a table, column, constraint, index, trigger or sequence this step names although it does not exist at that point of the plan (e.g. a table a swap just renamed). The static check then accepts the step failing with 42P01, 42703 or 42704 on that name, and insists the name really is missing; the step still fails when the plan runs, as it would in the deploy.',
  },
};

export function stepSpec<W extends WorldBase>(domain: Domain<W>): FieldSpec {
  const variants: Record<string, TaggedVariant> = {};
  for (const [name, kind] of [...domain.steps].sort(([left], [right]) => (left < right ? -1 : 1)))
    variants[name] = { description: kind.description, ...kind.parameters };
  return {
    kind: 'tagged',
    tag: 'step',
    variants,
    commonFields: COMMON_STEP_FIELDS,
    description: 'One migration step: "step" names its kind, the other fields are its parameters.',
  };
}

export function planFields<W extends WorldBase>(domain: Domain<W>): FieldMap {
  const invariantIds = domain.invariants.map((invariant) => invariant.id);
  return {
    $schema: {
      kind: 'string',
      description:
        'The JSON Schema of plan files (`pgdrill new-plan` writes the path of `schema/plan.schema.json`), for editors; ignored by pgdrill.',
    },
    name: {
      kind: 'string',
      pattern: PLAN_NAME_PATTERN,
      description: "The plan's name, used on the command line (`pgdrill check NAME`) and in counterexample file names.",
    },
    description: { kind: 'string', description: 'What the plan deploys, in a sentence.' },
    comment: {
      kind: 'string',
      description: 'Why the verdict is what it is, in a sentence or two; printed when the verdict does not match.',
    },
    expect: expectField(
      invariantIds,
      '"safe": no checked invariant may break in any run. {"breaks": ID}: the campaign must find a run that breaks that invariant.',
    ),
    settings: {
      kind: 'object',
      ...domain.settings,
      description:
        'The world the plan starts from: feature flags, code version, sizes. Every field has a default; omitted, the plan runs with all defaults.',
    },
    steps: {
      kind: 'list',
      minItems: 1,
      items: stepSpec(domain),
      description: 'The migration steps in deploy order (`pgdrill steps`).',
    },
    optOut: reasonsByIdField(
      'invariant',
      invariantIds,
      'Invariants this plan does not check, each with the reason, which the report shows. Omitted: the plan checks every invariant of the world (`pgdrill invariants`); a plan opts out only of one that cannot hold in its world, and says why.',
    ),
    accepts: reasonsByIdField(
      'invariant',
      invariantIds,
      'For a plan expected to break an invariant: other invariants whose breaking is an accepted consequence of the same flaw, each with the reason. Any other checked invariant that breaks fails the check. Omitted: none.',
    ),
    acceptsCauses: reasonsByIdField(
      'cause',
      (domain.causes ?? []).map((cause) => cause.id),
      'Known races (named causes, `pgdrill invariants` lists them) whose breaks this plan accepts, each with the reason: a race GitLab has without this migration, shown by a plan of its own. Only the violations the cause explains are accepted, so the invariant stays checked and any other break of it fails the check (where `optOut` would skip it whole). Forced concurrency adds `underConcurrency.acceptsCauses`. Omitted: none.',
    ),
    probes: {
      kind: 'list',
      uniqueItems: true,
      items: { kind: 'enum', values: domain.probes.map((probe) => probe.name), description: 'A coverage probe name.' },
      description:
        'Coverage probes (`pgdrill probes`) that at least one run of a check must hit, or the check fails. Omitted: none.',
    },
    traffic: {
      kind: 'list',
      minItems: 1,
      uniqueItems: true,
      items: {
        kind: 'enum',
        values: domain.trafficOperations.map((kind) => kind.name),
        description: 'A traffic operation name.',
      },
      description:
        'The traffic operations (`pgdrill operations`) scenarios draw from. Omitted: every traffic operation of the world.',
    },
    concurrency: {
      kind: 'object',
      description:
        'Statement-level concurrency: API requests run as the transactions GitLab sends, each in an engine session of its own, and fast-check chooses which session advances by one statement; a statement that waits for a lock parks its session. Omitted: every operation runs as one atomic step (docs/plans.md, "concurrency").',
      fields: {
        requests: {
          kind: 'integer',
          minimum: 2,
          maximum: MAX_CONCURRENT_REQUESTS,
          description:
            'API requests in flight at once (sessions). Operations written as coroutines of statements (docs/plans.md, "concurrency", lists them) may start in a session; the others still run atomically.',
        },
        apiWaitBoundMs: {
          kind: 'integer',
          minimum: 1,
          maximum: 3_600_000,
          default: DEFAULT_API_WAIT_BOUND_MS,
          description:
            'The longest an API statement may wait for a lock, in virtual milliseconds, before `api-waits-bounded` breaks.',
        },
        workers: {
          kind: 'boolean',
          default: false,
          description:
            "Background workers (operations of role worker: batched background migration ticks, the owner-recalculation worker, the loose-foreign-key cleaner) may also start in a session and run their statements in GitLab's transaction boundaries (a sub-batch or cleanup query in autocommit, each owner batch in its own transaction), interleaved with requests; false: they run atomically.",
        },
        longTransactions: {
          kind: 'boolean',
          default: false,
          description:
            'Long transactions join the traffic, each in a session: a job that holds a runner row (its row lock, or an UPDATE) and a long reader, each keeping its transaction open for a bounded virtual time (docs/plans.md, "concurrency"); false: none are drawn.',
        },
        migrations: {
          kind: 'boolean',
          default: false,
          description:
            'Plan steps written as coroutines (add_concurrent_foreign_key and add_check_constraint with validate false) run in a migration session of their own (session requests + 1) while traffic goes on, so a DDL can wait for a lock and traffic queue behind it; false: every step runs atomically, after every session has finished.',
        },
      },
      required: ['requests'],
    },
    underConcurrency: {
      kind: 'object',
      description:
        'For a plan without "concurrency": its verdict when concurrency is forced on (`pgdrill check --concurrency`: 2 requests, workers and long transactions in sessions), which CI checks besides the serial verdict (docs/plans.md, "underConcurrency"). Omitted: the plan is held to its own "expect" under concurrency too.',
      fields: {
        expect: expectField(
          invariantIds,
          'The verdict under forced concurrency, as "expect"; omitted: the plan\'s own "expect".',
        ),
        acceptsCauses: reasonsByIdField(
          'cause',
          (domain.causes ?? []).map((cause) => cause.id),
          'Known races (named causes, `pgdrill invariants` lists them) whose breaks are accepted under forced concurrency, each with the reason: a race GitLab has without this migration, shown by a plan of its own. Only the violations the cause explains are accepted; any other break of the same invariant still fails. Omitted: none.',
        ),
        ownRaces: reasonsByIdField(
          'cause',
          (domain.causes ?? []).map((cause) => cause.id),
          "The design's own races (named causes), each with the reason: the plan is not safe under concurrency because of them, whether or not the check's budget reaches them (their own plan shows each). Their breaks do not fail the check, which still judges every other break, and reports call the verdict unsafe. Omitted: none.",
        ),
        comment: {
          kind: 'string',
          description:
            'Why the verdict under concurrency is what it is, naming the plans that show the races it meets.',
        },
      },
      required: ['comment'],
    },
  };
}

/** `"safe"` or `{"breaks": ID}`: a plan's `expect`, and its verdict under forced concurrency. */
function expectField(invariantIds: readonly string[], description: string): FieldSpec {
  return {
    kind: 'choice',
    expected: '"safe" or {"breaks": "<invariant id>"}',
    description,
    options: [
      { kind: 'constant', value: 'safe', description: 'No checked invariant breaks.' },
      {
        kind: 'object',
        description: 'The invariant this plan must break.',
        fields: {
          breaks: { kind: 'enum', values: invariantIds, description: 'An invariant id (`pgdrill invariants`).' },
        },
        required: ['breaks'],
      },
    ],
  };
}

/** The most API requests a plan may have in flight at once. */
export const MAX_CONCURRENT_REQUESTS = 4;

/** What a reason must contain: some text, not only blanks. */
const REASON = /\S/;

/**
 * An object from an id (an invariant's for `optOut` and `accepts`, a named cause's for `acceptsCauses`,
 * `underConcurrency.acceptsCauses` and `ownRaces`) to the plan's reason, which reports show.
 */
function reasonsByIdField(noun: 'invariant' | 'cause', ids: readonly string[], description: string): FieldSpec {
  const expected = `an object of ${noun} id to a non-empty reason`;
  return {
    kind: 'custom',
    expected,
    description,
    schema: {
      type: 'object',
      propertyNames: { enum: [...ids] },
      additionalProperties: { type: 'string', pattern: REASON.source },
    },
    validate: (value, label) => {
      if (!isJsonObject(value)) return `field "${label}" must be ${expected}`;
      for (const [id, reason] of Object.entries(value)) {
        if (!ids.includes(id))
          return `field "${label}" names unknown ${noun} ${JSON.stringify(id)}${didYouMean(id, ids)} (known: ${ids.join(', ') || 'none'})`;
        if (typeof reason !== 'string' || !REASON.test(reason))
          return `field "${label}.${id}" must be a non-empty reason`;
      }
      return null;
    },
  };
}

export function planSpec<W extends WorldBase>(domain: Domain<W>): ObjectSpec {
  return { fields: planFields(domain), required: ['name', 'description', 'comment', 'expect', 'steps'] };
}
