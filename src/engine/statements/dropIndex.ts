/**
 * DROP INDEX [CONCURRENTLY] [IF EXISTS] …. CONCURRENTLY is refused inside a transaction block
 * (25001) and for an index of a partitioned table (0A000); otherwise it drops as DROP INDEX does
 * (its waits for other transactions are not modelled).
 */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { dropIndex, findIndex } from '../ddl/indexDdl.js';
import { PgError, SqlState } from '../errors.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { refuseTransactionBlock } from './ownTransactions.js';
import { defineStatement } from './definition.js';

export interface DropIndexOptions {
  readonly ifExists?: boolean;
  readonly concurrently?: boolean;
}

export interface DropIndexStatement {
  readonly kind: 'dropIndex';
  readonly name: string;
  readonly options: DropIndexOptions;
}

export const dropIndexKind = defineStatement<DropIndexStatement, void>({
  kind: 'dropIndex',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, options }) => {
    if (options.concurrently === true) refuseTransactionBlock(session, 'DROP INDEX CONCURRENTLY');
    const index = findIndex(session, name);
    if (options.concurrently === true && index?.relation.isPartitioned === true)
      throw new PgError(SqlState.featureNotSupported, `cannot drop partitioned index "${index.name}" concurrently`);
    if (index !== undefined) guardTableNotInUse(session, index.relation.name, 'DROP INDEX', true);
    dropIndex(session, name, options);
  },
  render: ({ name, options }) =>
    `DROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${options.ifExists ? 'IF EXISTS ' : ''}${ident(name)}`,
});
