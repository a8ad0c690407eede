/**
 * LOCK TABLE t1, t2 IN <mode> MODE [NOWAIT]. PostgreSQL locks each named table in the mode, and
 * its partitions too (`statementLocks` in `src/engine/locks/` lists them), holding them to the end
 * of the transaction; outside a transaction block it refuses (25P01).
 *
 * With one session nothing can conflict, so executing it only checks what PostgreSQL checks before
 * locking: the block, and that every table exists (42P01). Taking the locks is the session
 * engine's part: `statementLocks(statement)` lists them for this kind as for every other, and the
 * sessions acquire them from the lock manager once they are wired to it; until then, this is all
 * it does.
 * A LOCK TABLE run by a trigger function in autocommit is refused here though PostgreSQL allows it
 * (the session's nesting depth is not visible to statement modules).
 */
import { PgError, SqlState } from '../errors.js';
import type { TableLockMode } from '../locks/modes.js';
import { lockModeSql } from '../locks/modes.js';
import { lookupRelation } from '../scan.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface LockTableStatement {
  readonly kind: 'lockTable';
  readonly tables: readonly string[];
  readonly mode: TableLockMode;
  readonly nowait: boolean;
}

export const lockTableKind = defineStatement<LockTableStatement, void>({
  kind: 'lockTable',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { tables }) => {
    if (!session.inTransactionBlock)
      throw new PgError(SqlState.noActiveTransaction, 'LOCK TABLE can only be used in transaction blocks');
    for (const table of tables) lookupRelation(session, table);
  },
  render: ({ tables, mode, nowait }) =>
    `LOCK TABLE ${tables.map(ident).join(', ')} IN ${lockModeSql(mode)} MODE${nowait ? ' NOWAIT' : ''}`,
});
