/** CREATE [UNIQUE] INDEX …; its result is the index name (chosen by PostgreSQL's rules when omitted). */
import { guardTableNotInUse } from '../deferredConstraints.js';
import { createIndex } from '../ddl/indexDdl.js';
import type { IndexSpec } from '../ddl/specs.js';
import { renderCreateIndex } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';

export interface CreateIndexStatement {
  readonly kind: 'createIndex';
  readonly spec: IndexSpec;
}

export const createIndexKind = defineStatement<CreateIndexStatement, string>({
  kind: 'createIndex',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { spec }) => {
    guardTableNotInUse(session, spec.table, 'CREATE INDEX', true);
    return createIndex(session, spec).name;
  },
  render: ({ spec }, catalog) => renderCreateIndex(spec, catalog),
});
