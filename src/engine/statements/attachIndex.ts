/** ALTER INDEX parent ATTACH PARTITION child: see ddl/attachIndex.ts. */
import { attachIndex } from '../ddl/attachIndex.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface AttachIndexStatement {
  readonly kind: 'attachIndex';
  /** The partitioned index. */
  readonly parent: string;
  /** The index of one of its table's partitions. */
  readonly partition: string;
}

export const attachIndexKind = defineStatement<AttachIndexStatement, void>({
  kind: 'attachIndex',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { parent, partition }) => attachIndex(session, parent, partition),
  render: ({ parent, partition }) => `ALTER INDEX ${ident(parent)} ATTACH PARTITION ${ident(partition)}`,
});
