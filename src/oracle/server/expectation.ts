/**
 * Expected outcomes of a permutation, written as data next to the program, and the comparison of
 * an observed outcome with them. Regression programs carry what PostgreSQL 18 was seen to do; the
 * real server must keep doing it, and the engine must do the same.
 */
import type { PermutationOutcome } from './permutationDriver.js';
import type { SessionProgram } from './program.js';
import type { JsonRow } from './sessionBackend.js';

export interface ExpectedOutcome {
  readonly permutation: readonly string[];
  /** Steps that waited once issued, each with the sessions it waited for; every other step did not wait. */
  readonly blocked: Readonly<Record<string, readonly string[]>>;
  /** For some of those, the lock they waited for, as `pg_locks` names it (`ShareLock on transaction`). */
  readonly locks?: Readonly<Record<string, string>>;
  /** Steps that failed: SQLSTATE, then the constraint if any (`23505 items_pkey`); every other step succeeded. */
  readonly errors: Readonly<Record<string, string>>;
  /** Affected (or returned) row counts of the steps where they matter. */
  readonly rowCounts?: Readonly<Record<string, number>>;
  readonly completionOrder: readonly string[];
  /** Every leaf table, with its rows in text order. */
  readonly contents: Readonly<Record<string, readonly JsonRow[]>>;
}

export interface RegressionProgram {
  readonly program: SessionProgram;
  /** One per permutation of the program, in the same order. */
  readonly expected: readonly ExpectedOutcome[];
}

/** JSON with object keys sorted, so rows compare by content whatever their column order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** Canonical forms of expected values, which programs keep for their lifetime: each is computed once. */
const expectedForms = new WeakMap<object, string>();

function canonicalExpected(value: unknown): string {
  if (value === null || typeof value !== 'object') return canonical(value);
  let form = expectedForms.get(value);
  if (form === undefined) {
    form = canonical(value);
    expectedForms.set(value, form);
  }
  return form;
}

/** Bound on the nesting `plainJsonEqual` follows before it leaves the question to `canonical`. */
const MAX_PLAIN_DEPTH = 32;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}

/**
 * Whether a value is made only of null, booleans, strings, finite numbers, and arrays and plain
 * objects of them (a property holding undefined counts as absent, as in JSON): what outcomes are
 * made of, and what `plainJsonEqual` compares by itself.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_PLAIN_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (element === undefined || !isPlainJson(element, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const inner = value[key];
    if (inner !== undefined && !isPlainJson(inner, depth + 1)) return false;
  }
  return true;
}

/** Equality of two plain JSON values (`isPlainJson`), object keys in any order. */
function plainEqual(left: unknown, right: unknown): boolean {
  if (left === null || typeof left !== 'object' || right === null || typeof right !== 'object') return left === right;
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) if (!plainEqual(left[index], right[index])) return false;
    return true;
  }
  const leftObject = left as Record<string, unknown>;
  const rightObject = right as Record<string, unknown>;
  let leftKeys = 0;
  for (const key in leftObject) {
    const value = leftObject[key];
    if (value === undefined) continue;
    leftKeys++;
    if (!Object.hasOwn(rightObject, key) || rightObject[key] === undefined || !plainEqual(value, rightObject[key]))
      return false;
  }
  let rightKeys = 0;
  for (const key in rightObject) if (rightObject[key] !== undefined) rightKeys++;
  return leftKeys === rightKeys;
}

/**
 * Whether two values have the same canonical JSON, decided without writing it when both are plain
 * JSON (`isPlainJson`); null otherwise (a non-finite number, undefined in an array, a class
 * instance, a `toJSON`), for `canonical` to decide. Writing the canonical text of every observed
 * table, with its keys sorted, was most of what comparing an engine permutation's outcome cost.
 */
export function plainJsonEqual(left: unknown, right: unknown): boolean | null {
  if (!isPlainJson(left, 0) || !isPlainJson(right, 0)) return null;
  return plainEqual(left, right);
}

/** Whether an observed value equals an expected one (which is read once, see `canonicalExpected`). */
const same = (observed: unknown, expected: unknown): boolean =>
  plainJsonEqual(observed, expected) ?? canonical(observed) === canonicalExpected(expected);

/** Every way the outcome differs from the expectation, one sentence each; empty when it matches. */
export function outcomeDifferences(outcome: PermutationOutcome, expected: ExpectedOutcome): string[] {
  const differences: string[] = [];
  const where = `${outcome.program} [${outcome.permutation.join(' ')}]`;
  if (!same(outcome.permutation, expected.permutation))
    differences.push(`${where}: expected permutation [${expected.permutation.join(' ')}]`);
  if (outcome.neverCompleted.length > 0)
    differences.push(`${where}: steps never completed: ${outcome.neverCompleted.join(', ')}`);
  if (outcome.neverIssued.length > 0)
    differences.push(`${where}: steps never issued: ${outcome.neverIssued.join(', ')}`);
  for (const record of outcome.steps) {
    const blockedBy = expected.blocked[record.step];
    const observedBy = record.blocked?.by ?? null;
    if (!same(observedBy, blockedBy ?? null)) {
      differences.push(
        `${where}: step ${record.step} ` +
          (observedBy === null ? 'did not wait, ' : `waited for ${observedBy.join(', ')} (${record.blocked?.lock}), `) +
          `expected ${blockedBy === undefined ? 'no wait' : `a wait for ${blockedBy.join(', ')}`}`,
      );
    }
    const lock = expected.locks?.[record.step];
    if (lock !== undefined && record.blocked?.lock !== lock)
      differences.push(
        `${where}: step ${record.step} waited for ${record.blocked?.lock ?? 'nothing'}, expected ${lock}`,
      );
    const error = expected.errors[record.step];
    const result = record.result;
    const observedError =
      result === null || result.ok
        ? null
        : `${result.code}${result.constraint === null ? '' : ` ${result.constraint}`}`;
    if (observedError !== (error ?? null)) {
      differences.push(
        `${where}: step ${record.step} ` +
          (observedError === null
            ? 'succeeded, '
            : `failed with ${observedError} (${result?.ok ? '' : result?.message}), `) +
          `expected ${error === undefined ? 'success' : error}`,
      );
    }
    const rowCount = expected.rowCounts?.[record.step];
    if (rowCount !== undefined && (result === null || !result.ok || result.rowCount !== rowCount)) {
      differences.push(
        `${where}: step ${record.step} gave ${result?.ok ? `${result.rowCount} rows` : 'no row count'}, ` +
          `expected ${rowCount}`,
      );
    }
  }
  if (!same(outcome.completionOrder, expected.completionOrder)) {
    differences.push(
      `${where}: completion order [${outcome.completionOrder.join(' ')}], ` +
        `expected [${expected.completionOrder.join(' ')}]`,
    );
  }
  const observedContents = Object.fromEntries(outcome.contents.map((table) => [table.table, table.rows]));
  if (!same(Object.keys(observedContents), Object.keys(expected.contents).sort())) {
    differences.push(
      `${where}: tables ${Object.keys(observedContents).join(', ')}, ` +
        `expected ${Object.keys(expected.contents).sort().join(', ')}`,
    );
  }
  for (const [table, rows] of Object.entries(expected.contents)) {
    if (!same(observedContents[table], rows))
      differences.push(
        `${where}: table ${table} holds ${JSON.stringify(observedContents[table] ?? null)}, ` +
          `expected ${JSON.stringify(rows)}`,
      );
  }
  return differences;
}
