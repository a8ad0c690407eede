/** ALTER TABLE … ADD CONSTRAINT …; `notValid` skips the scan of existing rows. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { describeConstraint } from '../catalogDescription.js';
import type { ConstraintInfo } from '../catalogDescription.js';
import { addConstraint } from '../ddl/constraintDdl.js';
import type { ConstraintSpec } from '../ddl/specs.js';
import { lookupRelation } from '../scan.js';
import { renderConstraint } from '../sql/renderSchema.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface AddConstraintStatement {
  readonly kind: 'addConstraint';
  readonly table: string;
  readonly constraint: ConstraintSpec;
}

export const addConstraintKind = defineStatement<AddConstraintStatement, ConstraintInfo>({
  kind: 'addConstraint',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, constraint }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    const relation = lookupRelation(session, table);
    return describeConstraint(addConstraint(session, relation, constraint), relation);
  },
  render: ({ table, constraint }, catalog) =>
    `ALTER TABLE ${ident(table)} ADD ${renderConstraint(constraint, table, catalog)}`,
});
