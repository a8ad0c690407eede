/** TRUNCATE t1, t2 [CASCADE]: refused while a table outside the set references one of them. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { truncateTables } from '../ddl/truncateTable.js';
import type { TruncateOptions } from '../ddl/truncateTable.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface TruncateStatement {
  readonly kind: 'truncate';
  readonly tables: readonly string[];
  readonly options: TruncateOptions;
}

export const truncateKind = defineStatement<TruncateStatement, void>({
  kind: 'truncate',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { tables, options }) => {
    for (const table of tables) guardTableNotInUse(session, table, 'TRUNCATE', true);
    truncateTables(session, tables, options);
  },
  render: ({ tables, options }) => `TRUNCATE ${tables.map(ident).join(', ')}${options.cascade ? ' CASCADE' : ''}`,
});
