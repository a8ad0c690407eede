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
