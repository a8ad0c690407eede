import { Tx, isPgError, runSerially } from '../../../src/index.js';
import type { Database, PgError, Work } from '../../../src/index.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';
import { probeTrafficWrite } from '../../gitlab/probes.js';
import { probeCopyManagers } from '../probes.js';
import type { ApiResponse, RunnersWorld } from '../world.js';

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

export function runRequest(world: RunnersWorld, spec: RequestSpec): OperationOutcome {
  // Every request happens at its own logical instant, so timestamps order requests.
  world.db.advanceClock(1);
  for (const table of spec.writes) probeTrafficWrite(world, table);
  let status: ApiResponse['status'];
  let error: PgError | null = null;
  let note: string | undefined;
  try {
    const result = world.db.transaction((db) => handleSerially(spec, db));
    status = result.status;
    note = result.note;
    result.afterCommit?.();
  } catch (caught) {
    if (!isPgError(caught)) throw caught;
    status = 500;
    error = caught;
  }
  const reason = error !== null ? ` (${describeError(error)})` : note !== undefined ? ` (${note})` : '';
  const summary = `${spec.description} → ${status}${reason}`;
  world.responses.push({
    step: world.currentStep,
    endpoint: spec.endpoint,
    status,
    runnerId: spec.runnerId,
    error,
    summary,
  });
  probeCopyManagers(world);
  return { summary, applied: true };
}

export function notApplied(description: string, why: string): OperationOutcome {
  return { summary: `${description}: ${why}`, applied: false };
}
