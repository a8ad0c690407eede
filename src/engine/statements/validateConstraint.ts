/** ALTER TABLE … VALIDATE CONSTRAINT …: scans the rows a NOT VALID constraint skipped. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { validateConstraint } from '../ddl/constraintDdl.js';
import { lookupRelation } from '../scan.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface ValidateConstraintStatement {
  readonly kind: 'validateConstraint';
  readonly table: string;
  readonly name: string;
}

export const validateConstraintKind = defineStatement<ValidateConstraintStatement, void>({
  kind: 'validateConstraint',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', false);
    validateConstraint(session, lookupRelation(session, table), name);
  },
  render: ({ table, name }) => `ALTER TABLE ${ident(table)} VALIDATE CONSTRAINT ${ident(name)}`,
});
