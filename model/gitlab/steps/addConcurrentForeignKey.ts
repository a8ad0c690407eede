import { addConcurrentForeignKey as addKey, addConcurrentForeignKeyWork, helperError } from './foreignKeyHelpers.js';
import { FOREIGN_KEY_FIELDS, FOREIGN_KEY_REQUIRED, readForeignKeyRequest } from './foreignKeyParameters.js';
import { defineStep } from './defineStep.js';
import type { Tx, Work } from '../../../src/index.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';

/**
 * `add_concurrent_foreign_key(source, target, column:, …)`; a partitioned source needs `allowPartitioned`.
 * `lockRetries: false` is the unsafe variant: the ADD as a plain ALTER TABLE without a lock timeout.
 */
export const addConcurrentForeignKey = defineStep({
  name: 'add_concurrent_foreign_key',
  description:
    'GitLab\'s add_concurrent_foreign_key: ADD CONSTRAINT … FOREIGN KEY … NOT VALID under with_lock_retries, then VALIDATE CONSTRAINT unless "validate" is false; a violation drops the key and fails the migration ("Migration failed intentionally due to ForeignKeyViolation"). An existing key of that name is a warning.',
  parameters: {
    fields: {
      ...FOREIGN_KEY_FIELDS,
      allowPartitioned: {
        kind: 'boolean',
        default: false,
        description:
          "Allow a partitioned source table (GitLab's `allow_partitioned: true`); otherwise the helper refuses one.",
      },
      reverseLockOrder: {
        kind: 'boolean',
        default: false,
        description:
          "GitLab's `reverse_lock_order: true`: each attempt first runs LOCK TABLE target, source IN SHARE ROW EXCLUSIVE MODE, taking the referenced table's lock first.",
      },
      lockRetries: {
        kind: 'boolean',
        default: true,
        description:
          "The ADD CONSTRAINT runs under with_lock_retries (SET LOCAL lock_timeout per attempt, retried on 55P03 with sleeps between attempts, a last attempt without a timeout), as GitLab's helper does; false models a plain ALTER TABLE without a lock timeout, which waits behind a long transaction for as long as it lasts while later writes queue behind it.",
      },
    },
    required: FOREIGN_KEY_REQUIRED,
  },
  parse: (reader) => ({
    request: readForeignKeyRequest(reader),
    allowPartitioned: reader.boolean('allowPartitioned'),
    locking: { lockRetries: reader.boolean('lockRetries'), reverseLockOrder: reader.boolean('reverseLockOrder') },
  }),
  run: (world, { request, allowPartitioned, locking }) => {
    // Asked of the relation alone: the key's DDL changes the catalog next, so a description made now serves nobody.
    if (world.db.isPartitioned(request.source) && !allowPartitioned) {
      throw helperError(
        `add_concurrent_foreign_key does not support partitioned table "${request.source}"; use add_concurrent_partitioned_foreign_key`,
      );
    }
    return { summary: `add_concurrent_foreign_key: ${addKey(world, request, locking)}`, applied: true };
  },
  start: (world, { request, allowPartitioned, locking }) => {
    const work = addConcurrentForeignKeyWork(world, request, locking);
    if (work === null) return null;
    return { work: (tx) => addInSession(tx, request.source, allowPartitioned, work) };
  },
});

/** The step in the migration session (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* addInSession(
  tx: Tx,
  source: string,
  allowPartitioned: boolean,
  work: (tx: Tx) => Work<string>,
): Work<OperationOutcome> {
  if (tx.catalog.describe(source).partitionKey !== null && !allowPartitioned) {
    throw helperError(
      `add_concurrent_foreign_key does not support partitioned table "${source}"; use add_concurrent_partitioned_foreign_key`,
    );
  }
  return { summary: `add_concurrent_foreign_key: ${yield* work(tx)}`, applied: true };
}
