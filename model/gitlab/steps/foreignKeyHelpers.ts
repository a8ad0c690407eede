import type { ForeignKeySpec } from '../../../src/index.js';
import { PgError, SqlState, isPgError } from '../../../src/index.js';
import type { Database } from '../../../src/index.js';
import { probeNotValidForeignKeys } from '../probes.js';
import type { MigrationWorld } from '../migrationWorld.js';
import { describeForeignKey } from './foreignKeyParameters.js';
import type { ForeignKeyRequest } from './foreignKeyParameters.js';

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

export function addConcurrentForeignKey(world: MigrationWorld, request: ForeignKeyRequest): string {
  const { db } = world;
  if (hasForeignKey(db, request.source, request.name))
    return `foreign key ${request.name} on ${request.source} already exists, skipping (warning)`;
  db.addConstraint(request.source, foreignKeySpec(request, true));
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

/** GitLab's helpers refuse what PostgreSQL would accept but the deploy process forbids. */
export function helperError(message: string): PgError {
  return new PgError(SqlState.raiseException, message);
}
