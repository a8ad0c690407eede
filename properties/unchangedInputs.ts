/**
 * Incremental invariant checking by identity. Invariants run after every step, and most steps
 * change a few tables: a check whose inputs are the very objects it last passed with would pass
 * again, so it is skipped. The inputs are what the check reads, as objects whose identity
 * changes whenever their content may: `db.rows(table)` (the same frozen array while no leaf of
 * the table is written), `db.constraints()` entries (the same description while the constraint
 * is unchanged), `db.contentStamp()` (the same object until any write or catalog change),
 * `db.catalogStamp()` (the same object until the next catalog change), and the world's immutable
 * bookkeeping values. Only passes are remembered: a check that found a violation runs again, so it
 * reports exactly what a full check would.
 *
 * A check with memory of its own (ids seen so far) may be skipped too when its update of that
 * memory is idempotent, i.e. a second run on the same inputs leaves the memory as the first left
 * it. test/properties/incrementalChecks.test.ts runs many scenarios with every check both ways
 * and asserts the same answers after every step.
 */

/** World (or database) → check key → the inputs of its last pass. */
const passes = new WeakMap<object, Map<unknown, readonly unknown[]>>();

/**
 * The two owners last asked about and their passes: a run checks one world and its database after
 * every step, alternating between them, so most calls skip the WeakMap look-up. Holds on to one
 * world and one database at most (two of either at worst), until the next run's first checks.
 */
let lastOwner: object | null = null;
let lastPasses: Map<unknown, readonly unknown[]> | undefined;
let otherOwner: object | null = null;
let otherPasses: Map<unknown, readonly unknown[]> | undefined;

/** The passes of `owner`, kept in the two slots above (the one asked for now first). */
function passesOf(owner: object): Map<unknown, readonly unknown[]> {
  if (owner === lastOwner) return lastPasses!;
  let byKey = owner === otherOwner ? otherPasses : passes.get(owner);
  if (byKey === undefined) {
    byKey = new Map();
    passes.set(owner, byKey);
  }
  otherOwner = lastOwner;
  otherPasses = lastPasses;
  lastOwner = owner;
  lastPasses = byKey;
  return byKey;
}

/** Off in the equivalence test's reference runs: every check then scans in full. */
let enabled = true;

export function setIncrementalChecks(on: boolean): void {
  enabled = on;
}

/** Whether checks may skip work whose inputs did not change (true but in reference runs). */
export function incrementalChecks(): boolean {
  return enabled;
}

/**
 * Whether two inputs are known to hold the same content: the same object, or two frozen arrays of
 * the same objects in the same order. The second case is what `db.rows(table)` returns between
 * the statements of concurrent sessions, where it reads the committed rows afresh every time (a
 * commit changes them without a write) but each row is the frozen row object of its version.
 */
export function sameInput(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
  if (!Object.isFrozen(left) || !Object.isFrozen(right)) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

function sameInputs(left: readonly unknown[], right: readonly unknown[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (!sameInput(left[index], right[index])) return false;
  return true;
}

/** Per check name, per subject (a table's name), the key `checkKey` hands out. */
const keys = new Map<string, Map<string, string>>();

/**
 * The key `${check}:${subject}` (a check of one table, one sync pair), the same string object every
 * time: a key built afresh at every check was hashed afresh by every look-up, while a kept one
 * keeps its hash. The names are the model's few tables, so the map stays small.
 */
export function checkKey(check: string, subject: string): string {
  let bySubject = keys.get(check);
  if (bySubject === undefined) {
    bySubject = new Map();
    keys.set(check, bySubject);
  }
  let key = bySubject.get(subject);
  if (key === undefined) {
    key = `${check}:${subject}`;
    bySubject.set(subject, key);
  }
  return key;
}

/**
 * Runs `check` unless, for this owner and key, it last passed (returned null) with inputs
 * the same, element by element, as `inputs` (`sameInput`).
 */
export function unlessUnchanged<T>(
  owner: object,
  key: unknown,
  inputs: readonly unknown[],
  check: () => T | null,
): T | null {
  if (!enabled) return check();
  const byKey = passesOf(owner);
  const previous = byKey.get(key);
  if (previous !== undefined && sameInputs(previous, inputs)) return null;
  const found = check();
  if (found === null) byKey.set(key, inputs);
  else byKey.delete(key);
  return found;
}
