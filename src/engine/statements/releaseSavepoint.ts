/** RELEASE SAVEPOINT …: forgets the savepoint (and later ones), keeping their work. */
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface ReleaseSavepointStatement {
  readonly kind: 'releaseSavepoint';
  readonly name: string;
}

export const releaseSavepointKind = defineStatement<ReleaseSavepointStatement, void>({
  kind: 'releaseSavepoint',
  envelope: 'transactionControl',
  returnsRows: false,
  execute: (session, { name }) => session.releaseSavepoint(name),
  render: ({ name }) => `RELEASE SAVEPOINT ${ident(name)}`,
});
