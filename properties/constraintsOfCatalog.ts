/**
 * The constraints of one catalog that an invariant checks, found once per catalog: `db.constraints()`
 * hands out the same array until the next catalog change, so a filter keyed on that array is done
 * once per schema, not once per step.
 */
import type { ConstraintInfo } from '../src/database.js';

/** A function giving the constraints of a catalog that satisfy `wanted`, in catalog order, memoised per catalog. */
export function constraintsOfCatalog(
  wanted: (constraint: ConstraintInfo) => boolean,
): (catalog: readonly ConstraintInfo[]) => readonly ConstraintInfo[] {
  const found = new WeakMap<readonly ConstraintInfo[], readonly ConstraintInfo[]>();
  return (catalog) => {
    let selected = found.get(catalog);
    if (selected === undefined) {
      selected = catalog.filter(wanted);
      found.set(catalog, selected);
    }
    return selected;
  };
}
