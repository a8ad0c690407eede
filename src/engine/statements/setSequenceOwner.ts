/** ALTER SEQUENCE … OWNED BY table.column, or OWNED BY NONE when `owner` is null. */
import { setSequenceOwner } from '../ddl/sequenceDdl.js';
import { lookupRelation } from '../scan.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface SetSequenceOwnerStatement {
  readonly kind: 'setSequenceOwner';
  readonly sequence: string;
  readonly owner: { readonly table: string; readonly column: string } | null;
}

export const setSequenceOwnerKind = defineStatement<SetSequenceOwnerStatement, void>({
  kind: 'setSequenceOwner',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { sequence, owner }) =>
    setSequenceOwner(
      session,
      sequence,
      owner === null ? null : { relation: lookupRelation(session, owner.table), column: owner.column },
    ),
  render: ({ sequence, owner }) =>
    `ALTER SEQUENCE ${ident(sequence)} OWNED BY ${owner === null ? 'NONE' : `${ident(owner.table)}.${ident(owner.column)}`}`,
});
