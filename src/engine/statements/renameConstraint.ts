/** ALTER TABLE … RENAME CONSTRAINT … TO …. */
import { renameConstraint } from '../ddl/constraintDdl.js';
import { lookupRelation } from '../scan.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface RenameConstraintStatement {
  readonly kind: 'renameConstraint';
  readonly table: string;
  readonly name: string;
  readonly newName: string;
}

export const renameConstraintKind = defineStatement<RenameConstraintStatement, void>({
  kind: 'renameConstraint',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name, newName }) =>
    renameConstraint(session, lookupRelation(session, table), name, newName),
  render: ({ table, name, newName }) =>
    `ALTER TABLE ${ident(table)} RENAME CONSTRAINT ${ident(name)} TO ${ident(newName)}`,
});
