/**
 * Invariants of concurrent scenarios (a plan with `concurrency`), which hold in any world: they
 * read what the harness records about the sessions' lock waits (`WorldBase.concurrency`), and
 * are vacuous in serial scenarios, where nothing waits.
 */
import type { Invariant, WorldBase } from '../src/harness/domain.js';
import { violation } from './violation.js';

export const API_WAITS_BOUNDED = 'api-waits-bounded';

/**
 * A migration that makes traffic queue behind its lock is an outage even when nothing fails: a
 * request that waits longer than the plan's bound has, for its user, timed out. Time is the
 * scheduler's virtual clock, which only deadlock checks, lock timeouts and wake-ups of sleeping
 * sessions move, so a wait is long when such timers fire while it lasts (a DDL that waits without a
 * lock_timeout behind a long transaction holds every later writer for as long as that transaction
 * runs). Only API requests' waits count (a worker's batch may wait), and not the time a wait spends
 * behind long transactions alone (directly, or behind requests that wait for them): the plan's own
 * long transactions make requests for their rows wait with or without a migration, and this
 * invariant judges the migration (`LockWaitRecord.countedMs`).
 */
export const apiWaitsBounded: Invariant<WorldBase> = {
  id: API_WAITS_BOUNDED,
  sentence:
    "No API statement waits for a lock longer than the plan's bound (concurrency.apiWaitBoundMs) in virtual time.",
  scope: 'always',
  check: (world) => {
    const record = world.concurrency;
    if (record === undefined || record === null) return null;
    for (const wait of record.waits) {
      if (!wait.api) continue;
      const waited = wait.countedMs;
      if (waited <= record.apiWaitBoundMs) continue;
      const blockers = wait.blockedBy.map((session) => `s${session}`).join(', ');
      return violation(
        API_WAITS_BOUNDED,
        `${wait.operation} in session s${wait.session} waited ${waited} ms (bound ${record.apiWaitBoundMs} ms) for ${wait.lock}, blocked by ${blockers}${wait.until === null ? ', and still waits' : ''}: ${wait.statement}`,
      );
    }
    return null;
  },
};
