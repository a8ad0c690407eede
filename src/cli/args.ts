/** Command-line parsing without a dependency: every mistake is one line naming the flag. */
import type { PlanConcurrency } from '../harness/domain.js';
import { parseForcedConcurrency } from '../harness/forcedConcurrency.js';
import { UserInputError } from '../harness/userInputError.js';
import { shardFromCi } from './ciShard.js';
import { parsePath, parseSeed } from './seeds.js';

/** How check and merge print verdicts: text, one JSON object (`--json`), or JUnit XML. */
export type Reporter = 'text' | 'json' | 'junit';

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'plans'; readonly json: boolean }
  | {
      readonly kind: 'listing';
      readonly listing: 'steps' | 'invariants' | 'probes' | 'operations';
      readonly json: boolean;
    }
  | { readonly kind: 'schema' }
  | { readonly kind: 'new-plan'; readonly name: string; readonly from: string | null }
  | {
      readonly kind: 'check';
      readonly targets: readonly string[];
      readonly runs: number | null;
      readonly seed: number | null;
      readonly timeLimitSeconds: number | null;
      readonly json: boolean;
      readonly save: boolean;
      readonly workers: number;
      readonly shard: { readonly index: number; readonly count: number } | null;
      readonly reporter: Reporter;
      readonly html: string | null;
      /** `--concurrency`: the concurrency given to every plan that sets none (a campaign mode), or null. */
      readonly concurrency: PlanConcurrency | null;
    }
  | {
      readonly kind: 'merge';
      readonly files: readonly string[];
      readonly json: boolean;
      readonly save: boolean;
      readonly reporter: Reporter;
      readonly html: string | null;
    }
  | {
      readonly kind: 'replay';
      readonly target: string;
      readonly seed: number | null;
      readonly path: string | null;
      readonly json: boolean;
      readonly sql: boolean;
      /** `--node`: a concurrent counterexample as a standalone Node script over `pg`. */
      readonly node: boolean;
      readonly html: string | null;
      /** `--concurrency`, as the check that printed the seed and path was run with, or null. */
      readonly concurrency: PlanConcurrency | null;
    }
  | {
      readonly kind: 'diff';
      readonly runs: number | null;
      readonly seed: number | null;
      readonly plan: string | null;
      readonly json: boolean;
      readonly regress: boolean;
      /** `--sessions N`: the multi-session campaign over N sessions against the real server. */
      readonly sessions: number | null;
      readonly against: 'engine' | 'server' | null;
    };

const FLAGS_WITH_VALUES = new Set([
  '--runs',
  '--seed',
  '--time-limit',
  '--path',
  '--workers',
  '--shard',
  '--plan',
  '--from',
  '--reporter',
  '--html',
  '--sessions',
  '--against',
]);
/** Flags that may carry a value inline (`--concurrency=2`) and otherwise stand alone (`--concurrency`). */
const FLAGS_WITH_OPTIONAL_VALUES: ReadonlyMap<string, string> = new Map([['--concurrency', 'full']]);
const LISTINGS = ['steps', 'invariants', 'probes', 'operations'] as const;
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  plans: ['--json'],
  steps: ['--json'],
  invariants: ['--json'],
  probes: ['--json'],
  operations: ['--json'],
  schema: [],
  'new-plan': ['--from'],
  check: [
    '--runs',
    '--seed',
    '--time-limit',
    '--json',
    '--no-save',
    '--workers',
    '--shard',
    '--reporter',
    '--html',
    '--concurrency',
  ],
  merge: ['--json', '--no-save', '--reporter', '--html'],
  replay: ['--seed', '--path', '--json', '--sql', '--node', '--html', '--concurrency'],
  diff: ['--runs', '--seed', '--plan', '--json', '--regress', '--sessions', '--against'],
};

/**
 * Upper bounds, checked before any work starts: a thread per worker and a loop per shard are
 * real costs, and a number past these is a typo, not a campaign.
 */
export const LIMITS = {
  '--runs': 1_000_000_000,
  '--time-limit': 7 * 24 * 3600,
  '--workers': 64,
  '--sessions': 16,
  shards: 10_000,
} as const;

function positiveInteger(flag: '--runs' | '--time-limit' | '--workers' | '--sessions', text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0)
    throw new UserInputError(`${flag} takes a positive whole number, not "${text}"`);
  if (value > LIMITS[flag]) throw new UserInputError(`${flag} is at most ${LIMITS[flag]}, not ${text}`);
  return value;
}

/** `--shard i/n`: this process runs every n-th chunk, starting with the i-th (1-based). */
function parseShard(text: string): { index: number; count: number } {
  if (text === 'auto') {
    const shard = shardFromCi(process.env);
    if (shard.count > LIMITS.shards)
      throw new UserInputError(
        `--shard auto: CI_NODE_TOTAL is ${shard.count}, but a campaign has at most ${LIMITS.shards} shards`,
      );
    return shard;
  }
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count)
    throw new UserInputError(`invalid --shard "${text}": expected i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  if (count > LIMITS.shards)
    throw new UserInputError(`invalid --shard "${text}": a campaign has at most ${LIMITS.shards} shards`);
  return { index, count };
}

function parseReporter(text: string | undefined, json: boolean): Reporter {
  if (text === undefined) return json ? 'json' : 'text';
  if (text !== 'text' && text !== 'json' && text !== 'junit')
    throw new UserInputError(`--reporter takes text, json or junit, not ${JSON.stringify(text)}`);
  if (json && text !== 'json') throw new UserInputError(`--json and --reporter ${text} contradict each other`);
  return text;
}

export function parseArguments(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { kind: 'help' };
  const allowed = COMMAND_FLAGS[name];
  if (allowed === undefined)
    throw new UserInputError(
      `unknown command "${name}" (commands: plans, check, replay, merge, diff, steps, invariants, probes, operations, schema, new-plan; try pgdrill help)`,
    );
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const token = rest[index]!;
    if (!token.startsWith('--')) {
      positional.push(token);
      continue;
    }
    const [flag, inline] = token.includes('=')
      ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
      : [token, undefined];
    if (!allowed.includes(flag!))
      throw new UserInputError(`${name} does not take ${flag} (it takes ${allowed.join(', ')})`);
    const optionalDefault = FLAGS_WITH_OPTIONAL_VALUES.get(flag!);
    if (optionalDefault !== undefined) {
      values.set(flag!, inline ?? optionalDefault);
    } else if (FLAGS_WITH_VALUES.has(flag!)) {
      const value = inline ?? rest[++index];
      if (value === undefined) throw new UserInputError(`${flag} needs a value`);
      values.set(flag!, value);
    } else {
      if (inline !== undefined) throw new UserInputError(`${flag} takes no value`);
      switches.add(flag!);
    }
  }
  const reporter = parseReporter(values.get('--reporter'), switches.has('--json'));
  const json = reporter === 'json';
  const html = values.get('--html') ?? null;
  const seedText = values.get('--seed');
  const seed = seedText === undefined ? null : parseSeed(seedText);
  const concurrencyText = values.get('--concurrency');
  const concurrency = concurrencyText === undefined ? null : parseForcedConcurrency(concurrencyText);
  switch (name) {
    case 'plans':
      if (positional.length > 0) throw new UserInputError('plans takes no arguments');
      return { kind: 'plans', json };
    case 'steps':
    case 'invariants':
    case 'probes':
    case 'operations':
      if (positional.length > 0) throw new UserInputError(`${name} takes no arguments`);
      return { kind: 'listing', listing: LISTINGS.find((listing) => listing === name)!, json };
    case 'schema':
      if (positional.length > 0) throw new UserInputError('schema takes no arguments');
      return { kind: 'schema' };
    case 'new-plan':
      if (positional.length !== 1)
        throw new UserInputError('new-plan takes one plan name, or a path ending in one (NAME.json is written there)');
      return { kind: 'new-plan', name: positional[0]!, from: values.get('--from') ?? null };
    case 'check': {
      const runsText = values.get('--runs');
      const limitText = values.get('--time-limit');
      // A shard prints its shard report and nothing else; the verdicts come from pgdrill merge.
      if (values.has('--shard') && (html !== null || reporter === 'junit'))
        throw new UserInputError(
          `check --shard prints a shard report, not verdicts: give ${html !== null ? '--html' : '--reporter junit'} to pgdrill merge`,
        );
      // A shard report names plans by source, so merge would judge them as shipped: no forced concurrency there.
      if (values.has('--shard') && concurrency !== null)
        throw new UserInputError('check --concurrency runs in one process: it takes no --shard');
      return {
        kind: 'check',
        targets: positional,
        runs: runsText === undefined ? null : positiveInteger('--runs', runsText),
        seed,
        timeLimitSeconds: limitText === undefined ? null : positiveInteger('--time-limit', limitText),
        json,
        save: !switches.has('--no-save'),
        workers: values.has('--workers') ? positiveInteger('--workers', values.get('--workers')!) : 1,
        shard: values.has('--shard') ? parseShard(values.get('--shard')!) : null,
        reporter,
        html,
        concurrency,
      };
    }
    case 'merge':
      return { kind: 'merge', files: positional, json, save: !switches.has('--no-save'), reporter, html };
    case 'diff': {
      if (positional.length > 0)
        throw new UserInputError("diff takes no arguments (use --plan P to diff a plan's scenarios)");
      const runsText = values.get('--runs');
      const regress = switches.has('--regress');
      if (regress && (runsText !== undefined || seed !== null || values.has('--plan')))
        throw new UserInputError(
          'diff --regress runs the fixed regression cases and takes no --runs, --seed or --plan',
        );
      const sessionsText = values.get('--sessions');
      const againstText = values.get('--against');
      if (sessionsText !== undefined && (regress || values.has('--plan')))
        throw new UserInputError('diff --sessions runs random multi-session programs and takes no --plan or --regress');
      if (againstText !== undefined && sessionsText === undefined)
        throw new UserInputError(
          '--against chooses what diff --sessions compares the server with; it needs --sessions N',
        );
      if (againstText !== undefined && againstText !== 'engine' && againstText !== 'server')
        throw new UserInputError(`--against takes engine or server, not "${againstText}"`);
      return {
        kind: 'diff',
        runs: runsText === undefined ? null : positiveInteger('--runs', runsText),
        seed,
        plan: values.get('--plan') ?? null,
        json,
        regress,
        sessions: sessionsText === undefined ? null : positiveInteger('--sessions', sessionsText),
        against: againstText === undefined ? null : againstText === 'engine' ? 'engine' : 'server',
      };
    }
    default: {
      if (positional.length !== 1) throw new UserInputError('replay takes one plan name or one counterexample file');
      const pathText = values.get('--path');
      const target = positional[0]!;
      if (!target.endsWith('.json') && (seed === null || pathText === undefined))
        throw new UserInputError('replay PLAN needs --seed and --path (as printed by pgdrill check)');
      for (const other of ['--sql', '--json'])
        if (switches.has('--node') && switches.has(other))
          throw new UserInputError(`replay prints one thing: --node and ${other} contradict each other`);
      return {
        kind: 'replay',
        target,
        seed,
        path: pathText === undefined ? null : parsePath(pathText),
        json,
        sql: switches.has('--sql'),
        node: switches.has('--node'),
        html,
        concurrency,
      };
    }
  }
}

export const HELP = `pgdrill — property tests for PostgreSQL migration plans under live traffic

  pgdrill plans [--json]                       list the plans and what each expects
  pgdrill steps|invariants|probes|operations [--json]
                                               list what a plan may name, with what each means
  pgdrill new-plan NAME [--from PLAN]          write NAME.json, a plan to start from (never
                                               overwrites); docs/plans.md describes every field
  pgdrill schema                               print the JSON Schema of plan files
  pgdrill check [PLAN|FILE…] [--runs N] [--seed S] [--time-limit SECONDS] [--workers N]
                [--shard I/N|auto] [--json] [--reporter text|json|junit]
                [--html DIRECTORY] [--no-save] [--concurrency[=N]]
                                               search each plan for invariant violations;
                                               exit 0 when every verdict matches its expectation;
                                               --time-limit without --runs fuzzes with fresh runs
                                               and reports every distinct failure once;
                                               --shard prints a shard report for pgdrill merge
                                               (auto: CI_NODE_INDEX of CI_NODE_TOTAL);
                                               --reporter junit prints JUnit XML, a testcase per
                                               plan; --html writes DIRECTORY/PLAN.html for each
                                               counterexample; --concurrency (campaign mode)
                                               runs plans that set no concurrency with 2 (or N)
                                               requests, workers and long transactions in
                                               sessions, marks their verdicts as forced and still
                                               holds them to their expectation (a safe plan that
                                               breaks fails the check); no counterexample file
                                               is saved for them, replay them with the printed
                                               command
  pgdrill merge SHARD.json… [--json] [--reporter text|json|junit] [--html DIRECTORY]
                                               combine shard reports into one campaign's verdicts
  pgdrill replay PLAN --seed S --path P [--concurrency[=N]] [--json]
  pgdrill replay COUNTEREXAMPLE.json [--json]  replay a failure step by step
  pgdrill replay … --sql                       print the scenario as a psql-ready SQL script,
                                               the failing statement marked; a concurrent plan's
                                               as a PostgreSQL isolation-tester spec (sessions,
                                               steps, the engine's permutation, the invariant's
                                               check query as the last step)
  pgdrill replay … --node                      a concurrent plan's scenario as a Node script over
                                               pg connections (node FILE.mjs postgres://…) that
                                               runs the engine's schedule, compares every step
                                               and exits 0 when the invariant broke as on the engine
  pgdrill replay … --html FILE                 also write the trace as an HTML timeline
  pgdrill diff [--runs N] [--seed S] [--plan P] [--json]
  pgdrill diff --regress [--json]
  pgdrill diff --sessions N [--runs R] [--seed S] [--against engine|server] [--json]
                                               run scenarios on the engine and on real PostgreSQL
                                               (embedded PGlite, or DATABASE_URL with the pg
                                               package) and compare every statement's outcome
                                               and the final tables; random schemas by default,
                                               a plan's world with --plan; --regress runs the
                                               cases ported from PostgreSQL's regression suite
                                               and prints {cases, agree, divergences, unsupported};
                                               --sessions N runs random programs of N concurrent
                                               sessions as random schedules on a real PostgreSQL 18
                                               server (embedded, or DATABASE_URL) and on the engine's
                                               sessions (until they exist: the server again) and
                                               compares every step's wait, outcome and the tables;
                                               exit 1 on divergence

Exit codes: 0 verdicts match / failure reproduced / no divergence, 1 mismatch / not reproduced /
divergence, 2 bad input (one line saying what was wrong), 3 internal error (a pgdrill bug).`;
