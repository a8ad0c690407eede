/** CREATE TABLE, including `PARTITION OF` and `PARTITION BY LIST`. */
import { createTable } from '../ddl/tableDdl.js';
import type { TableSpec } from '../ddl/specs.js';
import { columnType } from '../sql/renderExpr.js';
import { renderCreateTable } from '../sql/renderSchema.js';
import { defineStatement } from './definition.js';

export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly spec: TableSpec;
}

export const createTableKind = defineStatement<CreateTableStatement, void>({
  kind: 'createTable',
  envelope: 'atomic',
  returnsRows: false,
  execute: (session, { spec }) => {
    createTable(session, spec);
  },
  render: ({ spec }, catalog) => {
    const parent = spec.partitionOf?.parent;
    const key = parent === undefined ? null : catalog.partitionKey(parent);
    return renderCreateTable(
      spec,
      catalog,
      parent === undefined || key === null ? undefined : columnType(catalog, parent, key),
    );
  },
});
