/** ALTER TABLE … DETACH PARTITION …. */
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
  execute: (session, { parent, partition }) => detachPartitionByName(session, parent, partition),
  render: ({ parent, partition }) => `ALTER TABLE ${ident(parent)} DETACH PARTITION ${ident(partition)}`,
});
