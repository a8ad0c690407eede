/**
 * Rows by id. `db.rows()` returns the same frozen array until the data changes, so the map is
 * built once per table per write, not once per invariant per step (several invariants read it).
 */
import type { Row } from '../src/engine/values.js';

const idMaps = new WeakMap<readonly Row[], Map<number, Row>>();

export function byId(rows: readonly Row[]): Map<number, Row> {
  let map = idMaps.get(rows);
  if (map === undefined) {
    map = new Map(rows.map((row) => [row.id as number, row]));
    idMaps.set(rows, map);
  }
  return map;
}

const idSets = new WeakMap<readonly Row[], ReadonlySet<number>>();

/** The ids of a table's rows, built once per rows array as `byId` is; readers must not change it. */
export function idsOf(rows: readonly Row[]): ReadonlySet<number> {
  let ids = idSets.get(rows);
  if (ids === undefined) {
    ids = new Set(rows.map((row) => row.id as number));
    idSets.set(rows, ids);
  }
  return ids;
}
