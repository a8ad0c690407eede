/**
 * Runs a body written against the transaction API (transactionApi.ts) straight through on one
 * session: every statement the body yields is executed at once and its result or `PgError` handed
 * back; a pause (`tx.sleep`) is passed over. Nothing waits, so this is the serial harness's path, as
 * fast as calling the database directly; the caller decides the transaction around it.
 */
import { assert } from '../engine/assert.js';
import { isPgError } from '../engine/errors.js';
import type { Statement, StatementResult } from '../engine/statements/registry.js';
import type { Work } from './transactionApi.js';

/** Whatever executes statement values at once: a `Database` or a `Session`. */
export interface StatementExecutor {
  execute<S extends Statement>(statement: S): StatementResult<S>;
}

/** Bound on the statements one body may send. */
const MAX_STATEMENTS = 10_000_000;

/** Drives `work` to its end on `executor`; an error the body does not catch is rethrown. */
export function runSerially<T>(executor: StatementExecutor, work: Work<T>): T {
  let failed = false;
  let failure: unknown = null;
  let value: unknown;
  for (let statements = 0; ; statements++) {
    assert(statements < MAX_STATEMENTS, 'a body sent statements past the bound');
    const next = failed ? work.throw(failure) : work.next(value);
    if (next.done === true) return next.value;
    // Serially nothing else runs while the body sleeps, so a pause changes nothing.
    if (next.value.kind === 'pause') {
      failed = false;
      value = undefined;
      continue;
    }
    try {
      value = executor.execute(next.value);
      failed = false;
    } catch (error) {
      if (!isPgError(error)) throw error;
      failed = true;
      failure = error;
    }
  }
}
