/**
 * SET [LOCAL] lock_timeout | deadlock_timeout = '…ms': the session's lock-wait settings, in the
 * scheduler's virtual milliseconds (docs/concurrency.md, semantics 7-8). `LOCAL` lasts until the
 * transaction ends. Like PostgreSQL's SET it is refused in an aborted transaction block; unlike it,
 * a plain SET is not taken back by a ROLLBACK of the transaction that ran it (not modelled).
 */
import { assert } from '../assert.js';
import { quoteLiteral } from '../sqlText.js';
import { defineStatement } from './definition.js';

export type SessionSetting = 'lock_timeout' | 'deadlock_timeout';

export interface SetStatement {
  readonly kind: 'set';
  readonly name: SessionSetting;
  /** Milliseconds; 0 turns lock_timeout off. */
  readonly milliseconds: number;
  readonly local?: boolean;
}

export const setKind = defineStatement<SetStatement, void>({
  kind: 'set',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session, { name, milliseconds, local }) => {
    assert(Number.isSafeInteger(milliseconds) && milliseconds >= 0, `${name} must be whole milliseconds`);
    session.setTimeout(name, milliseconds, local ?? false);
  },
  render: ({ name, milliseconds, local }) =>
    `SET ${local ? 'LOCAL ' : ''}${name} = ${quoteLiteral(`${milliseconds}ms`)}`,
});
