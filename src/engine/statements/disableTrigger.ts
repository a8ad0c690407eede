/** ALTER TABLE … DISABLE TRIGGER …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { setTriggerEnabled } from '../ddl/triggerDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DisableTriggerStatement {
  readonly kind: 'disableTrigger';
  readonly table: string;
  readonly name: string;
}

export const disableTriggerKind = defineStatement<DisableTriggerStatement, void>({
  kind: 'disableTrigger',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { table, name }) => {
    guardTableNotInUse(session, table, 'ALTER TABLE', false);
    setTriggerEnabled(session, table, name, false);
  },
  render: ({ table, name }) => `ALTER TABLE ${ident(table)} DISABLE TRIGGER ${ident(name)}`,
});
