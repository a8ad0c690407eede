import type { ForeignKeySpec } from '../../../src/index.js';
import { PgError, SqlState, Tx, isPgError, runSerially } from '../../../src/index.js';
import type { Database, Work } from '../../../src/index.js';
import { withLockRetries } from '../withLockRetries.js';
import { probeNotValidForeignKeys } from '../probes.js';
import type { MigrationWorld } from '../migrationWorld.js';
import { describeForeignKey } from './foreignKeyParameters.js';
import type { ForeignKeyRequest } from './foreignKeyParameters.js';
import { mutated } from '../mutations.js';

/**
 * GitLab's `add_concurrent_foreign_key` (docs/semantics.md §c.1): ADD CONSTRAINT … NOT VALID, then, with
 * `validate: true`, VALIDATE CONSTRAINT; a violation drops the key and fails the migration
 * with GitLab's own message. An existing key of that name is only a warning.
 */
export const INTENTIONAL_FK_FAILURE = 'Migration failed intentionally due to ForeignKeyViolation';

export function hasForeignKey(db: Database, table: string, name: string): boolean {
  return db
    .describe(table)
    .constraints.some((constraint) => constraint.kind === 'foreignKey' && constraint.name === name);
}

/** The ADD CONSTRAINT … FOREIGN KEY a helper request stands for, on `table`. */
export function foreignKeySpec(request: ForeignKeyRequest, notValid: boolean): ForeignKeySpec {
  return {
    kind: 'foreignKey',
    name: request.name,
    columns: request.columns,
    references: { table: request.target, columns: request.targetColumns },
    onDelete: request.onDelete,
    onUpdate: request.onUpdate,
    notValid,
  };
}

/** How the helper takes its locks for the ADD CONSTRAINT. */
export interface ForeignKeyLocking {
  /** GitLab's helper wraps the ADD in `with_lock_retries`; false models a plain ALTER TABLE without a lock timeout. */
  readonly lockRetries: boolean;
  /** `reverse_lock_order: true`: `LOCK TABLE target, source IN SHARE ROW EXCLUSIVE MODE` first, in that order. */
  readonly reverseLockOrder: boolean;
}

export const GITLAB_FOREIGN_KEY_LOCKING: ForeignKeyLocking = { lockRetries: true, reverseLockOrder: false };

/**
 * `execute_add_concurrent_foreign_key` (docs/semantics.md §c.1), in autocommit (the helper refuses an
 * open transaction): under `with_lock_retries`, optionally the reverse-order LOCK TABLE, then
 * `ALTER TABLE source ADD CONSTRAINT … NOT VALID`. Its ShareRowExclusive on both tables conflicts with
 * the RowExclusive of every write, so while it waits, writes to either table queue behind it. The
 * last attempt of `with_lock_retries` runs outside a transaction, where GitLab's LOCK TABLE would
 * fail (25P01, LOCK TABLE only runs in a transaction block), as it does here. Returns the attempt
 * that added the key.
 */
function* addForeignKeyWork(tx: Tx, request: ForeignKeyRequest, locking: ForeignKeyLocking): Work<number> {
  if (!locking.lockRetries) {
    yield* addForeignKeyStatement(tx, request);
    return 1;
  }
  const outcome = yield* withLockRetries(tx, () => lockAndAdd(tx, request, locking));
  return outcome.attempt;
}

/** The ALTER TABLE … ADD CONSTRAINT of the key. */
function addForeignKeyStatement(tx: Tx, request: ForeignKeyRequest): Work<unknown> {
  return tx.execute({
    kind: 'addConstraint',
    table: request.source,
    constraint: foreignKeySpec(request, !mutated('fk-added-without-not-valid')),
  });
}

/**
 * One attempt's statements under `with_lock_retries` (a module-level generator: see "Bodies" in
 * src/coroutines/transactionApi.ts).
 */
function* lockAndAdd(tx: Tx, request: ForeignKeyRequest, locking: ForeignKeyLocking): Work<void> {
  if (locking.reverseLockOrder)
    yield* tx.execute({
      kind: 'lockTable',
      tables: [request.target, request.source],
      mode: 'ShareRowExclusive',
      nowait: false,
    });
  yield* addForeignKeyStatement(tx, request);
}

export function addConcurrentForeignKey(
  world: MigrationWorld,
  request: ForeignKeyRequest,
  locking: ForeignKeyLocking = GITLAB_FOREIGN_KEY_LOCKING,
): string {
  const { db } = world;
  if (hasForeignKey(db, request.source, request.name))
    return `foreign key ${request.name} on ${request.source} already exists, skipping (warning)`;
  runSerially(db, addForeignKeyWork(new Tx(db, 0), request, locking));
  probeNotValidForeignKeys(world);
  if (!request.validate) return `added ${describeForeignKey(request)} NOT VALID`;
  try {
    db.validateConstraint(request.source, request.name);
  } catch (error) {
    if (!isPgError(error) || error.code !== SqlState.foreignKeyViolation) throw error;
    db.dropConstraint(request.source, request.name);
    throw new PgError(SqlState.foreignKeyViolation, INTENTIONAL_FK_FAILURE, {
      constraint: request.name,
      table: request.source,
      detail: `${error.message}. ${error.detail ?? ''}`.trim(),
    });
  }
  return `added and validated ${describeForeignKey(request)}`;
}

/**
 * `add_concurrent_foreign_key` with `validate: false` as a coroutine of statements, for the
 * migration session of a concurrent scenario: the ADD under `with_lock_retries` (or plain), so it
 * waits for its locks while traffic runs and queues behind it. Null with `validate: true` (the
 * VALIDATE and its clean-up run atomically).
 */
export function addConcurrentForeignKeyWork(
  world: MigrationWorld,
  request: ForeignKeyRequest,
  locking: ForeignKeyLocking,
): ((tx: Tx) => Work<string>) | null {
  if (request.validate) return null;
  return (tx) => addNotValidForeignKey(tx, world, request, locking);
}

/** The migration session's statements (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* addNotValidForeignKey(
  tx: Tx,
  world: MigrationWorld,
  request: ForeignKeyRequest,
  locking: ForeignKeyLocking,
): Work<string> {
  const exists = tx.catalog
    .constraints()
    .some((constraint) => constraint.table === request.source && constraint.name === request.name);
  if (exists) return `foreign key ${request.name} on ${request.source} already exists, skipping (warning)`;
  const attempt = yield* addForeignKeyWork(tx, request, locking);
  probeNotValidForeignKeys(world);
  return `added ${describeForeignKey(request)} NOT VALID${locking.lockRetries ? ` (with_lock_retries attempt ${attempt})` : ''}`;
}

/** GitLab's helpers refuse what PostgreSQL would accept but the deploy process forbids. */
export function helperError(message: string): PgError {
  return new PgError(SqlState.raiseException, message);
}
