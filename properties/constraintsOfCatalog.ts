/**
 * The constraints of one catalog that an invariant checks, found once per catalog: `db.constraints()`
 * hands out the same array until the next catalog change, so a filter keyed on that array is done
 * once per schema, not once per step. Most catalog changes (a trigger, an index, a table without
 * constraints) leave every constraint's description as it was: the new array then holds the same
 * descriptions, and the last selection is handed out again without filtering.
 */
import type { ConstraintInfo } from '../src/database.js';

/** Whether two catalogs hold the same descriptions in the same order. */
function sameDescriptions(left: readonly ConstraintInfo[], right: readonly ConstraintInfo[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** A function giving the constraints of a catalog that satisfy `wanted`, in catalog order, memoised per catalog. */
export function constraintsOfCatalog(
  wanted: (constraint: ConstraintInfo) => boolean,
): (catalog: readonly ConstraintInfo[]) => readonly ConstraintInfo[] {
  const found = new WeakMap<readonly ConstraintInfo[], readonly ConstraintInfo[]>();
  let lastCatalog: readonly ConstraintInfo[] = [];
  let lastSelected: readonly ConstraintInfo[] = [];
  return (catalog) => {
    let selected = found.get(catalog);
    if (selected === undefined) {
      selected = sameDescriptions(lastCatalog, catalog) ? lastSelected : catalog.filter(wanted);
      found.set(catalog, selected);
    }
    lastCatalog = catalog;
    lastSelected = selected;
    return selected;
  };
}
