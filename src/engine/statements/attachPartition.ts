/** ALTER TABLE … ATTACH PARTITION … FOR VALUES IN (…) / DEFAULT. */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { attachPartition } from '../ddl/partitionDdl.js';
import type { PartitionBoundSpec } from '../ddl/specs.js';
import { columnType } from '../sql/renderExpr.js';
import { renderBound } from '../sql/renderSchema.js';
import { quoteIdentifier as ident } from '../sqlText.js';
import { defineStatement } from './definition.js';

export interface AttachPartitionStatement {
  readonly kind: 'attachPartition';
  readonly parent: string;
  readonly partition: string;
  readonly values: PartitionBoundSpec;
}

export const attachPartitionKind = defineStatement<AttachPartitionStatement, void>({
  kind: 'attachPartition',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { parent, partition, values }) => {
    guardTableNotInUse(session, parent, 'ALTER TABLE', false);
    attachPartition(session, parent, partition, values);
  },
  render: ({ parent, partition, values }, catalog) => {
    const key = catalog.partitionKey(parent);
    const bound = renderBound(values, key === null ? undefined : columnType(catalog, parent, key));
    return `ALTER TABLE ${ident(parent)} ATTACH PARTITION ${ident(partition)} ${bound}`;
  },
});
