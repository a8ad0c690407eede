/**
 * The check of statements that run as transactions of their own (CREATE / DROP INDEX
 * CONCURRENTLY): PostgreSQL's PreventInTransactionBlock, after the aborted-block check every
 * command meets first.
 */
import { PgError, SqlState } from '../errors.js';
import type { EngineState } from '../session.js';

export function refuseTransactionBlock(session: EngineState, command: string): void {
  if (session.transactionStatus === 'aborted')
    throw new PgError(
      SqlState.inFailedTransaction,
      'current transaction is aborted, commands ignored until end of transaction block',
    );
  if (session.transactionStatus === 'active')
    throw new PgError(SqlState.activeTransaction, `${command} cannot run inside a transaction block`);
}
