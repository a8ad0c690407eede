import { isPgError } from '../../../src/index.js';
import type { Database, PgError } from '../../../src/index.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';
import { probeTrafficWrite } from '../../gitlab/probes.js';
import { probeCopyManagers } from '../probes.js';
import type { ApiResponse, RunnersWorld } from '../world.js';

/**
 * One application request: a transaction around the handler, with any PostgreSQL error turned
 * into a 500 (and the transaction rolled back), exactly one ApiResponse appended, and the
 * traffic probes checked.
 */
export interface HandlerResult {
  readonly status: 200 | 201 | 403 | 422;
  /** Why, for non-2xx answers and notable successes: `Runner is orphaned`. */
  readonly note?: string;
  /** Runs after COMMIT only, so history never records what was rolled back. */
  readonly afterCommit?: () => void;
}

export interface RequestSpec {
  /** The route template: `POST /runners/verify`. */
  readonly endpoint: string;
  /** The request with its arguments: `POST /runners/verify runner 3 system_id s1`. */
  readonly description: string;
  readonly runnerId: number | null;
  /** Source tables the request may write, for the backfill-overlap probe. */
  readonly writes: readonly string[];
  readonly handle: (db: Database) => HandlerResult;
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
    const result = world.db.transaction(spec.handle);
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
