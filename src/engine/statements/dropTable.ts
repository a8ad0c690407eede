/** DROP TABLE [IF EXISTS] … [CASCADE]. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { dropTable } from '../ddl/tableDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropTableOptions {
  readonly cascade?: boolean;
  readonly ifExists?: boolean;
}

export interface DropTableStatement {
  readonly kind: 'dropTable';
  readonly name: string;
  readonly options: DropTableOptions;
}

export const dropTableKind = defineStatement<DropTableStatement, void>({
  kind: 'dropTable',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { name, options }) => {
    guardTableNotInUse(session, name, 'DROP TABLE', true);
    dropTable(session, name, options);
  },
  render: ({ name, options }) =>
    `DROP TABLE ${options.ifExists ? 'IF EXISTS ' : ''}${ident(name)}${options.cascade ? ' CASCADE' : ''}`,
});
