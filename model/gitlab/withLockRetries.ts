/**
 * GitLab's `with_lock_retries` (`Gitlab::Database::WithLockRetries`, docs/semantics.md §c.1, §a.1), as a
 * coroutine of statements (src/coroutines/transactionApi.ts). Each attempt is a transaction of its
 * own (`transaction(requires_new: true)`: BEGIN, or a savepoint inside an open one) that first runs
 * `SET LOCAL lock_timeout` with the attempt's timeout, then the block. An attempt that fails with a
 * lock timeout (55P03, ActiveRecord's `LockWaitTimeout`) is rolled back; the helper sleeps the
 * attempt's pause, resets the session's lock_timeout and tries again. Any other error, a deadlock
 * (40P01) included, is not retried. When the configuration is exhausted, a last attempt runs the
 * block without a lock timeout, outside any transaction of its own: it waits as long as it takes.
 * While an attempt waits for its lock, later lock requests on the same table queue behind it
 * (docs/concurrency.md, semantics 6), so the timeouts bound how long traffic can queue behind DDL.
 */
import { assert } from '../../src/engine/assert.js';
import { isPgError } from '../../src/index.js';
import type { Tx, Work } from '../../src/index.js';
import { mutated } from './mutations.js';

/** One attempt: its `lock_timeout` and the sleep after it timed out, in milliseconds. */
export interface LockRetryTiming {
  readonly lockTimeoutMs: number;
  readonly sleepMs: number;
}

const timing = (lockTimeoutMs: number, sleepMs: number): LockRetryTiming => ({ lockTimeoutMs, sleepMs });
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * `DEFAULT_TIMING_CONFIGURATION`: 41 attempts, short timeouts first and longer pauses when the
 * table stays busy; in the worst case about 40 minutes of retries before the last attempt.
 */
export const DEFAULT_TIMING_CONFIGURATION: readonly LockRetryTiming[] = [
  timing(100, 50),
  timing(100, 50),
  timing(200, 50),
  timing(300, 100),
  timing(400, 150),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(1 * SECOND, 5 * SECOND),
  timing(1 * SECOND, 1 * MINUTE),
  timing(100, 50),
  timing(100, 50),
  timing(200, 50),
  timing(300, 100),
  timing(400, 150),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(3 * SECOND, 3 * MINUTE),
  timing(100, 50),
  timing(100, 50),
  timing(500, 2 * SECOND),
  timing(500, 2 * SECOND),
  timing(5 * SECOND, 2 * MINUTE),
  timing(500, 500),
  timing(500, 500),
  timing(7 * SECOND, 5 * MINUTE),
  timing(500, 500),
  timing(500, 500),
  timing(7 * SECOND, 5 * MINUTE),
  timing(500, 500),
  timing(500, 500),
  timing(7 * SECOND, 5 * MINUTE),
  timing(100, 50),
  timing(100, 50),
  timing(500, 2 * SECOND),
  timing(10 * SECOND, 10 * MINUTE),
  timing(100, 50),
  timing(500, 2 * SECOND),
  timing(10 * SECOND, 10 * MINUTE),
];

/** ActiveRecord's `LockWaitTimeout`: PostgreSQL's `lock_not_available`. */
const LOCK_NOT_AVAILABLE = '55P03';

/** What the attempts came to, for the migration's log line. */
export interface LockRetriesOutcome<T> {
  readonly value: T;
  /** 1-based: the attempt that succeeded; `configuration.length + 1` is the last one, without a timeout. */
  readonly attempt: number;
}

/**
 * One attempt under SET LOCAL lock_timeout (a module-level generator: see "Bodies" in
 * src/coroutines/transactionApi.ts).
 */
function* timedAttempt<T>(tx: Tx, block: () => Work<T>, lockTimeoutMs: number): Work<T> {
  if (!mutated('lock-retries-without-lock-timeout'))
    yield* tx.execute({ kind: 'set', name: 'lock_timeout', milliseconds: lockTimeoutMs, local: true });
  return yield* block();
}

/** `with_lock_retries { block }` with `allow_savepoints: true`, as GitLab's migration helpers call it. */
export function* withLockRetries<T>(
  tx: Tx,
  block: () => Work<T>,
  configuration: readonly LockRetryTiming[] = DEFAULT_TIMING_CONFIGURATION,
): Work<LockRetriesOutcome<T>> {
  assert(configuration.length > 0, 'with_lock_retries needs at least one timed attempt');
  for (let attempt = 1; attempt <= configuration.length; attempt++) {
    const { lockTimeoutMs, sleepMs } = configuration[attempt - 1]!;
    try {
      const value = yield* tx.transaction(() => timedAttempt(tx, block, lockTimeoutMs), { requiresNew: true });
      return { value, attempt };
    } catch (error) {
      if (!isPgError(error) || error.code !== LOCK_NOT_AVAILABLE) throw error;
      // `retry_with_lock_timeout?` is false on the last configured attempt: no sleep, straight to the last one.
      if (attempt === configuration.length) break;
      yield* tx.sleep(sleepMs);
      // `reset_db_settings`: RESET lock_timeout, whose default is off.
      yield* tx.execute({ kind: 'set', name: 'lock_timeout', milliseconds: 0 });
    }
  }
  // `run_block_without_lock_timeout`: inside an open transaction the timeout is turned off for it.
  if (tx.inTransaction) yield* tx.execute({ kind: 'set', name: 'lock_timeout', milliseconds: 0, local: true });
  return { value: yield* block(), attempt: configuration.length + 1 };
}
