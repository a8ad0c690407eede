import { Tx, isPgError, runSerially } from '../../../src/index.js';
import type { Database, PgError, Work } from '../../../src/index.js';
import type { JsonObject, OperationKind, OperationOutcome, StartedOperation } from '../../../src/harness/domain.js';
import { probeTrafficWrite } from '../../gitlab/probes.js';
import { probeCopyManagers } from '../probes.js';
import type { ApiResponse, RunnersWorld } from '../world.js';
import { causeOfServerError } from '../knownRaces.js';

/**
 * One application request: a transaction around the handler, with any PostgreSQL error turned
 * into a 500 (and the transaction rolled back), exactly one ApiResponse appended, and the
 * traffic probes checked. A handler is either a closure over the database (`handle`, run
 * atomically) or a body written against the transaction API (`work`, src/coroutines/transactionApi.ts),
 * which the serial harness runs straight through inside the same request transaction and which can
 * also run statement by statement in a session of its own.
 */
export interface HandlerResult {
  readonly status: 200 | 201 | 403 | 404 | 422;
  /** Why, for non-2xx answers and notable successes: `Runner is orphaned`. */
  readonly note?: string;
  /** Runs after COMMIT only, so history never records what was rolled back. */
  readonly afterCommit?: () => void;
}

interface RequestDescription {
  /** The route template: `POST /runners/verify`. */
  readonly endpoint: string;
  /** The request with its arguments: `POST /runners/verify runner 3 system_id s1`. */
  readonly description: string;
  readonly runnerId: number | null;
  /** Source tables the request may write, for the backfill-overlap probe. */
  readonly writes: readonly string[];
}

/** A request whose handler is a closure run atomically on the database. */
export interface AtomicRequestSpec extends RequestDescription {
  readonly handle: (db: Database) => HandlerResult;
}

/** A request whose handler is a coroutine of statements (GitLab's statements, in GitLab's transactions). */
export interface CoroutineRequestSpec extends RequestDescription {
  readonly work: (tx: Tx) => Work<HandlerResult>;
}

export type RequestSpec = AtomicRequestSpec | CoroutineRequestSpec;

function handleSerially(spec: RequestSpec, db: Database): HandlerResult {
  if ('handle' in spec) return spec.handle(db);
  // The request transaction is open around the body: its blocks join it, `requiresNew` ones are savepoints.
  return runSerially(db, spec.work(new Tx(db, 1)));
}

function describeError(error: PgError): string {
  return error.constraint === undefined ? `${error.code} ${error.message}` : `${error.code} ${error.constraint}`;
}

/** What every request does before its handler: its own logical instant, and the overlap probe. */
function beginRequest(world: RunnersWorld, spec: RequestSpec): void {
  // Every request happens at its own logical instant, so timestamps order requests.
  world.db.advanceClock(1);
  for (const table of spec.writes) probeTrafficWrite(world, table);
}

/** Records the answer: exactly one ApiResponse, and the probes that read the result. */
function respond(
  world: RunnersWorld,
  spec: RequestSpec,
  status: ApiResponse['status'],
  error: PgError | null,
  note: string | undefined,
): OperationOutcome {
  const reason = error !== null ? ` (${describeError(error)})` : note !== undefined ? ` (${note})` : '';
  const summary = `${spec.description} → ${status}${reason}`;
  const cause = error === null ? undefined : causeOfServerError(error, spec.runnerId, world.responses);
  world.responses.push({
    step: world.currentStep,
    endpoint: spec.endpoint,
    status,
    runnerId: spec.runnerId,
    error,
    summary,
    ...(cause === undefined ? {} : { cause }),
  });
  probeCopyManagers(world);
  return { summary, applied: true };
}

/** Runs a request atomically: one transaction around the handler, rolled back on a PostgreSQL error (500). */
export function runRequest(world: RunnersWorld, spec: RequestSpec): OperationOutcome {
  beginRequest(world, spec);
  let result: HandlerResult;
  try {
    result = world.db.transaction((db) => handleSerially(spec, db));
  } catch (caught) {
    if (!isPgError(caught)) throw caught;
    return respond(world, spec, 500, caught, undefined);
  }
  result.afterCommit?.();
  return respond(world, spec, result.status, null, result.note);
}

/**
 * A request as a coroutine in a session of its own: the handler's statements in GitLab's
 * transaction boundaries (each statement outside a block commits on its own), and a PostgreSQL
 * error escaping it answered 500 as Rails answers an unrescued exception, deadlocks (40P01) and
 * lock timeouts (55P03) included: no API request retries them.
 */
export function* requestWork(world: RunnersWorld, spec: CoroutineRequestSpec, tx: Tx): Work<OperationOutcome> {
  beginRequest(world, spec);
  let result: HandlerResult;
  try {
    result = yield* spec.work(tx);
  } catch (caught) {
    if (!isPgError(caught)) throw caught;
    return respond(world, spec, 500, caught, undefined);
  }
  result.afterCommit?.();
  return respond(world, spec, result.status, null, result.note);
}

type RequestOperationFields = Omit<OperationKind<RunnersWorld>, 'run' | 'start'>;

/**
 * An API operation whose handler is a coroutine: `run` answers it atomically (the serial harness),
 * `start` runs it in a session of its own (concurrent scenarios). `request` resolves the
 * arguments into the request, or into a not-applied outcome when they designate nothing.
 */
export function requestOperation(
  fields: RequestOperationFields & {
    readonly request: (world: RunnersWorld, args: JsonObject) => CoroutineRequestSpec | OperationOutcome;
  },
): OperationKind<RunnersWorld> {
  const { request, ...kind } = fields;
  return {
    ...kind,
    run(world, args) {
      const spec = request(world, args);
      return 'summary' in spec ? spec : runRequest(world, spec);
    },
    start(world, args): StartedOperation | OperationOutcome {
      const spec = request(world, args);
      return 'summary' in spec ? spec : { work: (tx) => requestWork(world, spec, tx) };
    },
  };
}

export function notApplied(description: string, why: string): OperationOutcome {
  return { summary: `${description}: ${why}`, applied: false };
}
