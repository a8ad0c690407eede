/** DROP TRIGGER [IF EXISTS] … ON …. */
import { dropTrigger } from '../ddl/triggerDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DropTriggerOptions {
  readonly ifExists?: boolean;
}

export interface DropTriggerStatement {
  readonly kind: 'dropTrigger';
  readonly table: string;
  readonly name: string;
  readonly options: DropTriggerOptions;
}

export const dropTriggerKind = defineStatement<DropTriggerStatement, void>({
  kind: 'dropTrigger',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name, options }) => dropTrigger(session, table, name, options),
  render: ({ table, name, options }) =>
    `DROP TRIGGER ${options.ifExists ? 'IF EXISTS ' : ''}${ident(name)} ON ${ident(table)}`,
});
