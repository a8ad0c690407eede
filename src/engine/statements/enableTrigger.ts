/** ALTER TABLE … ENABLE TRIGGER …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { setTriggerEnabled } from '../ddl/triggerDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface EnableTriggerStatement {
  readonly kind: 'enableTrigger';
  readonly table: string;
  readonly name: string;
}

export const enableTriggerKind = defineStatement<EnableTriggerStatement, void>({
  kind: 'enableTrigger',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', false);
    setTriggerEnabled(session, table, name, true);
  },
  render: ({ table, name }) => `ALTER TABLE ${ident(table)} ENABLE TRIGGER ${ident(name)}`,
});
