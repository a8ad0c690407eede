/**
 * The backends `pgdrill diff --sessions` compares. The reference is always the real server; the
 * candidate is the engine's sessions once they exist, and until then the server again, so the
 * campaign checks that the driver and the generated schedules are deterministic on PostgreSQL
 * itself. When the engine's `SessionBackend` lands, `ENGINE_SESSIONS` below is the one line to set:
 * `{ open: () => <open the engine's SessionBackend>, features: [<the SESSION_FEATURES it runs>] }`.
 * Its `begin` receives the program (`setupOps`, each session's `setupOps`) and its `issue` the step
 * (`op`), the statements as data: engine statement values, or `sqlOnly` steps naming their feature,
 * which it is never given unless it lists that feature. `--against engine` becomes the default then.
 */
import { EngineSessionBackend } from '../server/engineSessionBackend.js';
import type { SessionBackend } from '../server/sessionBackend.js';
import { SESSION_FEATURES } from './sessionOps.js';
import type { SessionFeature } from './sessionOps.js';

export interface EngineSessions {
  readonly open: () => Promise<SessionBackend>;
  /** The features its sessions run; the campaign draws programs from these only. */
  readonly features: readonly SessionFeature[];
}

/**
 * The engine's sessions for random programs: `EngineSessionBackend` runs each step's `op` and the
 * setups' `setupOps`. Features it cannot yet run like PostgreSQL are left out of `features`, so the
 * generator never draws them for the engine (the README's concurrency table lists them).
 */
export const ENGINE_SESSIONS: EngineSessions | null = {
  open: async () => new EngineSessionBackend(),
  features: [...SESSION_FEATURES],
};

export type CandidateKind = 'engine' | 'server';

/** What the real server runs: everything. */
export const SERVER_FEATURES: ReadonlySet<SessionFeature> = new Set(SESSION_FEATURES);

/** The one line a report prints about the engine. */
export function engineAvailability(): string {
  return ENGINE_SESSIONS === null
    ? 'engine sessions: not yet available for random programs (the server runs every schedule twice: a check of the driver’s determinism)'
    : 'engine sessions: available';
}
