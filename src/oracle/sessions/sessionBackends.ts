/**
 * The backends `pgdrill diff --sessions` compares. The reference is always the real server; the
 * candidate is the engine's sessions (`--against engine`, the default) or the server again
 * (`--against server`, a check that the driver and the generated schedules are deterministic on
 * PostgreSQL itself). The engine backend's `begin` receives the program (`setupOps`, each session's
 * `setupOps`) and its `issue` the step (`op`): statements as data, never SQL text. It is never given
 * a step whose feature it does not list.
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

/** The one line a report prints about the candidate. */
export function engineAvailability(against: CandidateKind): string {
  if (ENGINE_SESSIONS === null)
    return 'engine sessions: not yet available for random programs (the server runs every schedule twice: a check of the driver’s determinism)';
  return against === 'engine'
    ? `engine sessions: the candidate (features: ${ENGINE_SESSIONS.features.join(', ')})`
    : 'engine sessions: available; --against server runs every schedule twice on the server (a check of the driver’s determinism)';
}
