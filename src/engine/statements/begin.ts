/** BEGIN: opens a transaction block (inside one, only warns, as PostgreSQL does). */
import { defineStatement } from './definition.js';

export interface BeginStatement {
  readonly kind: 'begin';
}

export const beginKind = defineStatement<BeginStatement, void>({
  kind: 'begin',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session) => session.begin(),
  render: () => 'BEGIN',
});
