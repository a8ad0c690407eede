import type fc from 'fast-check';
import type { Database } from '../database.js';
import type { ObjectSpec } from './fieldSpec.js';
import type { JsonObject, JsonValue } from './json.js';
import type { Tx, Work } from '../coroutines/transactionApi.js';

/**
 * The contract between the generic harness and a modelled world (GitLab's runners live in
 * `model/`). The harness generates scenarios from these descriptions, runs them, checks the
 * invariants and shrinks failures; it knows nothing about any particular schema.
 */

/** What an operation did, in one line, plus the outcome the invariants and reports read. */
export interface OperationOutcome {
  /** One readable line: `POST /runners/verify runner 3 system_id s1 → 500 (23503 fk_rails_3f92913d27)`. */
  readonly summary: string;
  /** False when the arguments resolved to nothing (e.g. no runner exists yet): the step was a no-op. */
  readonly applied: boolean;
}

/**
 * Who runs an operation in a concurrent scenario: an API request (the default), a background
 * worker (a batch, a cron run), or a long transaction (traffic that keeps a transaction open for a
 * bounded virtual time, drawn only when a plan's `concurrency.longTransactions` is on); `migration`
 * is a plan step run in the migration session (`concurrency.migrations`).
 */
export type OperationRole = 'request' | 'worker' | 'longTransaction' | 'migration';

/** An application operation, background job tick, or legacy-data action the generator can draw. */
export interface OperationKind<W> {
  readonly name: string;
  /** Absent: `request`. Only requests' lock waits count for `api-waits-bounded`. */
  readonly role?: OperationRole;
  /** What it does and what its arguments mean, for `pgdrill operations` and docs/plans.md. */
  readonly description: string;
  /** Arguments are JSON (indices into live state, resolved at run time, so shrinking keeps scenarios valid). */
  readonly args: fc.Arbitrary<JsonObject>;
  /**
   * Arguments that are indexes into one of the domain's `collections` (argument name → collection
   * name). Shrinking uses them to keep a later operation on the same entity when an unrelated
   * earlier operation is removed (see retarget.ts); an operation without them is never rewritten.
   */
  readonly references?: Readonly<Record<string, string>>;
  run(world: W, args: JsonObject): OperationOutcome;
  /**
   * The same operation as a coroutine of statements (src/coroutines/transactionApi.ts), for
   * concurrent scenarios: in GitLab's own transaction boundaries, one statement at a time in a
   * session of its own. Returns an outcome instead when the arguments designate nothing (not
   * applied). Absent: the operation always runs as one atomic step.
   */
  start?(world: W, args: JsonObject): StartedOperation | OperationOutcome;
}

/** An operation started in a session: its statements, whose value is the operation's outcome. */
export interface StartedOperation {
  readonly work: (tx: Tx) => Work<OperationOutcome>;
}

/** A migration step kind, instantiated by plan files with parameters. */
export interface StepKind<W> {
  readonly name: string;
  /** What the step does, for `pgdrill steps`, the JSON Schema and docs/plans.md. */
  readonly description: string;
  /** Its parameters, declared: the loader checks types and names with them and the JSON Schema is generated from them. */
  readonly parameters: ObjectSpec;
  /**
   * Checks what the declaration cannot say (fields that depend on each other), for parameters
   * that already match the declaration; returns an error message naming the field, or null.
   */
  validate(parameters: JsonObject): string | null;
  /**
   * Runs the step. A PostgreSQL error escaping here is a failed migration (recorded, and the
   * rest of the plan does not deploy), exactly as a failing Rails migration stops a deploy.
   */
  run(world: W, parameters: JsonObject): OperationOutcome;
  /**
   * The step as a coroutine of statements, for the migration session of a plan with
   * `concurrency.migrations`: a PostgreSQL error escaping it fails the migration as in `run`.
   * Absent, or null for these parameters: the step runs atomically, every session finished first.
   */
  start?(world: W, parameters: JsonObject): StartedOperation | null;
}

/** A step of the trace as explanations read it: what ran and what it answered. */
export interface TracedStep {
  readonly kind: string;
  readonly label: string;
  readonly outcome: string;
}

export type InvariantScope = 'always' | 'quiescence';

export interface Violation {
  readonly invariant: string;
  /** One sentence saying why, with the ids involved. */
  readonly message: string;
  /**
   * A named cause the world recognised for this violation (`Domain.causes`), e.g. a race GitLab has
   * without any migration; a forced-concurrency verdict may accept it (`ConcurrentVerdict.acceptsCauses`).
   */
  readonly cause?: string;
}

/**
 * A named cause of an invariant's violation that the world recognises when it checks it: a known
 * race, shown by a plan of its own. Accepting a cause accepts only the violations it explains, so
 * every other break of the same invariant still fails the check.
 */
export interface CauseDefinition {
  readonly id: string;
  /** The invariant whose violations it explains. */
  readonly invariant: string;
  /** What happened, as one sentence (`pgdrill invariants`, docs/plans.md). */
  readonly sentence: string;
  /** The plans whose counterexamples show it. */
  readonly plans: readonly string[];
}

export interface Invariant<W> {
  readonly id: string;
  /** The property as one sentence a database reviewer would agree with (`pgdrill invariants`, docs/invariants.md). */
  readonly sentence: string;
  /** `always`: after every step; `quiescence`: after background work has drained at the end. */
  readonly scope: InvariantScope;
  check(world: W): Violation | null;
  /**
   * The same property as one SQL query over the world's tables as the run left them (their names
   * read from the world), returning a row per violation: what an exported concurrent
   * counterexample runs on a real server to say whether it reproduced (src/oracle/concurrentExport.ts).
   * Absent for invariants that read more than the tables (history, bookkeeping); null when the
   * tables it reads do not exist in this world.
   */
  checkSql?(world: W): string | null;
}

/** A coverage probe a world can hit, for `pgdrill probes` and for rejecting unknown names in plans. */
export interface ProbeDefinition {
  readonly name: string;
  /** The situation it counts, in a sentence. */
  readonly description: string;
}

/** Counts interesting situations (FoundationDB's CODE_PROBE): a declared probe never hit fails the check. */
export class ProbeCounter {
  private readonly counts = new Map<string, number>();

  hit(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  merge(other: ProbeCounter): void {
    for (const [name, count] of other.counts) this.counts.set(name, (this.counts.get(name) ?? 0) + count);
  }

  toJson(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([left], [right]) => (left < right ? -1 : 1)));
  }
}

/** A statement's wait for a lock in a concurrent scenario (`api-waits-bounded` reads them). */
export interface LockWaitRecord {
  /** The session, from 1. */
  readonly session: number;
  /** The operation the session was running. */
  readonly operation: string;
  /** The statement that waited (SQL in reports, its kind while searching). */
  readonly statement: string;
  /** As pg_locks names it: `ShareLock on transaction`. */
  readonly lock: string;
  /** The sessions it waited for, from 1. */
  readonly blockedBy: readonly number[];
  /** Virtual milliseconds when the wait began and ended (null while it lasts). */
  readonly since: number;
  until: number | null;
  /** True when the waiting operation is an API request (the waits `api-waits-bounded` judges). */
  readonly api: boolean;
  /**
   * The virtual milliseconds of the wait that `api-waits-bounded` counts: the clock's moves while it
   * was not waiting for long transactions alone (time behind a long transaction's own locks passes
   * with or without a migration, so the plan's own traffic is not held against it).
   */
  countedMs: number;
}

/** What a concurrent scenario tells its world (absent in serial scenarios). */
export interface ConcurrencyRecord {
  /** The plan's bound on an API statement's wait, in virtual milliseconds. */
  readonly apiWaitBoundMs: number;
  /** Every lock wait so far, in the order they began. */
  readonly waits: LockWaitRecord[];
  /** The virtual clock now, for waits that have not ended. */
  now(): number;
}

/** What every world exposes to the harness. */
export interface WorldBase {
  readonly db: Database;
  readonly probes: ProbeCounter;
  /** Failed migration steps so far (the `migrations-succeed` invariant reads it). */
  readonly migrationFailures: string[];
  /** The number the step being run has in the printed trace (1-based); set by the harness before each step. */
  currentStep: number;
  /** True while the harness runs the legacy operations that build data before the plan. */
  buildingLegacy: boolean;
  /**
   * The world's bookkeeping between steps (flags, migration cursors, queues) as an immutable
   * value, if it keeps one: each trace step holds the version it produced. Rows are not in it.
   */
  readonly bookkeeping?: unknown;
  /** Set by the harness for a concurrent scenario (a plan with `concurrency`), before the first step. */
  concurrency?: ConcurrencyRecord | null;
}

/** An invariant named by a plan together with the plan's reason for naming it. */
export interface InvariantReason {
  readonly invariant: string;
  readonly reason: string;
}

/** A named cause (`Domain.causes`) a verdict accepts, with the plan's reason. */
export interface CauseReason {
  readonly cause: string;
  /** The invariant the cause explains violations of (from its definition). */
  readonly invariant: string;
  readonly reason: string;
}

/**
 * A serial plan's verdict when concurrency is forced onto it (`pgdrill check --concurrency`,
 * src/harness/forcedConcurrency.ts): the serial verdict stays the plan's `expect`, so neither hides
 * the other, and CI checks both.
 */
export interface ConcurrentVerdict {
  /** The verdict under forced concurrency: the plan's own `expect` when the file does not say. */
  readonly expect: 'safe' | { readonly breaks: string };
  /** Known races (named causes) whose breaks are accepted, each with its reason; any other break still fails. */
  readonly acceptsCauses: readonly CauseReason[];
  /**
   * The design's own races (named causes), each with its reason: the design is not safe under
   * concurrency because of them, whether or not a check's budget reaches them; their breaks do not
   * fail the check (so it still judges every other break), and reports call the verdict unsafe.
   */
  readonly ownRaces: readonly CauseReason[];
  /** Why the verdict under concurrency is what it is; it names the race plans that cover a break. */
  readonly comment: string;
}

export interface PlanStep {
  readonly step: string;
  readonly parameters: JsonObject;
  /** A name the step refers to although the plan expects it to be missing (checked by the static check). */
  readonly expectMissing?: string;
}

/**
 * How much runs at once in a plan's scenarios (docs/plans.md, "concurrency"). Absent: every
 * operation is one atomic step, as the serial harness has always run them.
 */
export interface PlanConcurrency {
  /** API requests in flight at once, each in an engine session of its own. */
  readonly requests: number;
  /** The longest an API statement may wait for a lock, in virtual milliseconds (`api-waits-bounded`). */
  readonly apiWaitBoundMs: number;
  /** Background workers (role `worker`) may start in a session too; off (absent): they run atomically. */
  readonly workers?: boolean;
  /** Long transactions (role `longTransaction`) are drawn as traffic, always in a session; off when absent. */
  readonly longTransactions?: boolean;
  /**
   * Plan steps that can (`StepKind.start`) run in a session of their own, session `requests + 1`,
   * while traffic goes on; off when absent (every step atomic, sessions finished first).
   */
  readonly migrations?: boolean;
}

/** The role of an operation kind (`request` when it declares none). */
export function roleOf<W>(kind: OperationKind<W>): OperationRole {
  return kind.role ?? 'request';
}

/** The sessions of a concurrent scenario: the requests', and the migration session when steps run in one. */
export function sessionCount(concurrency: PlanConcurrency): number {
  return concurrency.requests + (concurrency.migrations === true ? 1 : 0);
}

/** Whether a plan's concurrent scenarios draw the operation at all (long transactions only when switched on). */
export function drawnUnder<W>(kind: OperationKind<W>, concurrency: PlanConcurrency | undefined): boolean {
  return roleOf(kind) !== 'longTransaction' || concurrency?.longTransactions === true;
}

/** Whether the operation may start in a session under the plan's concurrency (else it runs atomically). */
export function startsInSession<W>(kind: OperationKind<W>, concurrency: PlanConcurrency | undefined): boolean {
  if (concurrency === undefined || kind.start === undefined) return false;
  const role = roleOf(kind);
  if (role === 'worker') return concurrency.workers === true;
  if (role === 'longTransaction') return concurrency.longTransactions === true;
  return true;
}

export const DEFAULT_API_WAIT_BOUND_MS = 1000;

/** A migration plan, as loaded from its JSON file. */
export interface Plan {
  readonly name: string;
  readonly description: string;
  /** Why the verdict is what it is, in a sentence or two. */
  readonly comment: string;
  /** `safe`, or the id of the invariant that must break. */
  readonly expect: 'safe' | { readonly breaks: string };
  /** Settings of the world in force from the start (feature flags, code version, sizes). */
  readonly settings: JsonObject;
  readonly steps: readonly PlanStep[];
  /**
   * Invariants this plan does not check, each with the reason the plan file gives. A plan checks
   * every invariant of its domain unless it opts out here, and the report shows every opt-out.
   */
  readonly optOut: readonly InvariantReason[];
  /**
   * For a plan expected to break an invariant: other invariants whose breaking is an accepted
   * consequence of the same flaw, each with its reason. Any other invariant that breaks fails
   * the check, so a change that damages something else cannot hide behind the expected break.
   */
  readonly accepts: readonly InvariantReason[];
  /** Coverage probes that must be hit by at least one run of a check. */
  readonly probes: readonly string[];
  /**
   * The traffic operations this plan's scenarios draw from (all of the domain's when null). A plan
   * about runner managers has no use for tag deletions, and every unrelated operation dilutes
   * the stories that matter; naming them also documents the plan's scope.
   */
  readonly traffic: readonly string[] | null;
  /** Statement-level concurrency of its scenarios; absent: none (each operation is atomic). */
  readonly concurrency?: PlanConcurrency;
  /** For a plan without `concurrency`: its verdict when concurrency is forced on (docs/plans.md, "underConcurrency"). */
  readonly underConcurrency?: ConcurrentVerdict;
  /**
   * Named causes whose violations do not end a run (observed and reported, as accepted invariants
   * are): the plan's own `acceptsCauses`, plus `underConcurrency.acceptsCauses` once concurrency is forced on.
   */
  readonly acceptedCauses?: readonly CauseReason[];
  /** The design's own races under forced concurrency (`underConcurrency.ownRaces`): accepted causes reports call unsafe. */
  readonly ownRaces?: readonly CauseReason[];
  /** Where the plan came from (file path), for error messages. */
  readonly source: string;
  /**
   * A hash of the plan's content (its canonical JSON): counterexamples and shard reports record
   * it, so a replay or a merge notices when the plan changed since it ran.
   */
  readonly hash: string;
}

export interface Domain<W extends WorldBase> {
  readonly name: string;
  /**
   * Builds a world. It must build it on `db` when one is given: the oracle passes a database that
   * records every statement from the first (the world's schema included).
   */
  createWorld(settings: JsonObject, db?: Database): W;
  /** Operations that build data before the plan starts (legacy rows, orphans, managers). */
  readonly legacyOperations: readonly OperationKind<W>[];
  /** Application traffic and background ticks interleaved with the plan's steps. */
  readonly trafficOperations: readonly OperationKind<W>[];
  readonly steps: ReadonlyMap<string, StepKind<W>>;
  /**
   * Settings drawn per scenario (swarm over sizes, not only operation kinds): data volumes and
   * worker limits, so that batching and limit bugs show within the default budget. A plan's own
   * settings win over drawn ones: a plan that fixes a size is about that size.
   */
  readonly sizeArbitrary?: fc.Arbitrary<JsonObject>;
  readonly invariants: readonly Invariant<W>[];
  /** Named causes the invariants' checks recognise (`Violation.cause`); none when absent. */
  readonly causes?: readonly CauseDefinition[];
  /** Runs background work (batched migrations, workers) until none is left: quiescence. */
  drain(world: W): OperationOutcome[];
  /** The fields of a plan's `settings` object, with their defaults. */
  readonly settings: ObjectSpec;
  /** Every coverage probe the world's code can hit. */
  readonly probes: readonly ProbeDefinition[];
  /**
   * Why a violation happened, in one sentence, from the world's history and the trace so far
   * (e.g. why a runner was missing, which step removed a row). Never empty: a domain answers for
   * every invariant it defines.
   */
  explain?(world: W, violation: Violation, trace: readonly TracedStep[]): string | null;
  /**
   * The live entities an index argument counts through, by collection name: each returns stable
   * keys in the order the operations index them (the designated entity is `keys[index % length]`).
   */
  readonly collections?: Readonly<Record<string, (world: W) => readonly string[]>>;
}

export type { JsonObject, JsonValue };
