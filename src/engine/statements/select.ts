/** SELECT * FROM … [WHERE …] [ORDER BY …] [LIMIT …]: rows in scan order unless ordered. */
import type { Expr, OrderTerm } from '../expression.js';
import { lookupRelation, scanTuples, sortRows } from '../scan.js';
import { renderSelect } from '../sql/renderData.js';
import type { Row } from '../values.js';
import { defineStatement } from './definition.js';

export interface SelectOptions {
  readonly where?: Expr;
  readonly orderBy?: readonly OrderTerm[];
  readonly limit?: number;
  /** `SELECT … FROM ONLY t`: do not read partitions. */
  readonly only?: boolean;
}

export interface SelectStatement {
  readonly kind: 'select';
  readonly table: string;
  readonly options: SelectOptions;
}

export const selectKind = defineStatement<SelectStatement, Row[]>({
  kind: 'select',
  envelope: 'atomic',
  returnsRows: true,
  execute: (session, { table, options }) => {
    const relation = lookupRelation(session, table);
    const rows = scanTuples(session, relation, options.where ?? null, { only: options.only ?? false }).map(
      (scanned) => scanned.tuple.row,
    );
    sortRows(rows, options.orderBy ?? []);
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  },
  render: ({ table, options }, catalog) => renderSelect(table, options, catalog),
});
