import type { Relation } from './catalog.js';
import type { Expr } from './expression.js';
import { planFor } from './relationPlan.js';
import { scanTuples } from './scan.js';
import type { ScannedTuple } from './scan.js';
import type { EngineState } from './session.js';
import { deleteTuple } from './storage.js';
import {
  fireBeforeRowTriggers,
  fireBeforeStatementTriggers,
  queueAfterRow,
  queueStatementEnd,
  transitionFor,
} from './triggerRuntime.js';
import type { Row } from './values.js';

export interface DeleteOptions {
  /** `DELETE FROM ONLY t`: do not touch partitions. */
  readonly only?: boolean;
}

/** DELETE: rows are chosen at statement start; a row already gone when reached is skipped. */
export function executeDelete(
  state: EngineState,
  target: Relation,
  where: Expr | null,
  options: DeleteOptions,
  candidates?: readonly ScannedTuple[],
): Row[] {
  fireBeforeStatementTriggers(state, target, 'delete');
  const transition = transitionFor(state, target, 'delete');
  const deleted: Row[] = [];
  // A referential action passes the rows it already found through the key's referencing maps.
  for (const { relation, tuple } of candidates ?? scanTuples(state, target, where, { only: options.only ?? false })) {
    if (relation.heap!.get(tuple.tid) !== tuple) continue;
    if (fireBeforeRowTriggers(state, relation, 'delete', tuple.row, null) === null) continue;
    if (relation.heap!.get(tuple.tid) !== tuple) continue;
    deleteTuple(state, relation, tuple);
    queueAfterRow(state, relation, 'DELETE', planFor(state, relation).afterRow.delete, tuple.row, tuple.xmin, null, -1);
    transition?.oldRows.push(tuple.row);
    deleted.push(tuple.row);
  }
  queueStatementEnd(state, target, 'delete');
  return deleted;
}
