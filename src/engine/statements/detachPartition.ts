/** ALTER TABLE … DETACH PARTITION …. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { detachPartitionByName } from '../ddl/partitionDdl.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface DetachPartitionStatement {
  readonly kind: 'detachPartition';
  readonly parent: string;
  readonly partition: string;
}

export const detachPartitionKind = defineStatement<DetachPartitionStatement, void>({
  kind: 'detachPartition',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { parent, partition }) => {
    guardTableNotInUse(session, parent, 'ALTER TABLE', false);
    detachPartitionByName(session, parent, partition);
  },
  render: ({ parent, partition }) => `ALTER TABLE ${ident(parent)} DETACH PARTITION ${ident(partition)}`,
});
