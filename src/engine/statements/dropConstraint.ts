/** ALTER TABLE … DROP CONSTRAINT [IF EXISTS] …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { dropConstraint } from '../ddl/constraintDdl.js';
import { lookupRelation } from '../scan.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropConstraintOptions {
  readonly ifExists?: boolean;
}

export interface DropConstraintStatement {
  readonly kind: 'dropConstraint';
  readonly table: string;
  readonly name: string;
  readonly options: DropConstraintOptions;
}

export const dropConstraintKind = defineStatement<DropConstraintStatement, void>({
  kind: 'dropConstraint',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name, options }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', true);
    dropConstraint(session, lookupRelation(session, table), name, options);
  },
  render: ({ table, name, options }) =>
    `ALTER TABLE ${ident(table)} DROP CONSTRAINT ${options.ifExists ? 'IF EXISTS ' : ''}${ident(name)}`,
});
