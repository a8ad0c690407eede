/** BEGIN: opens a transaction block (inside one, only warns, as PostgreSQL does). */
import type { IsolationLevel } from '../session.js';
import { defineStatement } from './definition.js';

export interface BeginStatement {
  readonly kind: 'begin';
  /** `BEGIN ISOLATION LEVEL …`; omitted: the session's default (READ COMMITTED). */
  readonly isolation?: IsolationLevel;
}

export const beginKind = defineStatement<BeginStatement, void>({
  kind: 'begin',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session, { isolation }) => session.begin(isolation),
  render: ({ isolation }) => (isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`),
});
