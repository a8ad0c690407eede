/**
 * What two backends must agree on for one schedule, and the comparison. Per step: whether it
 * waited and for which sessions, the point at which it completed, success with its row count (and,
 * for reads, its rows as a set) or its SQLSTATE and constraint; then the completion order, the steps
 * never completed or never issued, and every table's rows.
 *
 * Not compared: error message texts and the text naming the awaited lock (kept for reports), and
 * values PostgreSQL does not promise. Those are sequence values drawn by sessions that ran at the
 * same time: two sessions woken by the same commit run at once, so which one draws the next
 * `audit.n` is the operating system's choice. In a schedule where that happened
 * (`simultaneousWakeups`), such columns are dropped from the compared contents (`NORMALISED`);
 * everywhere else steps run one at a time and their sequence values are compared.
 */
import type { PermutationOutcome } from '../server/permutationDriver.js';
import type { JsonRow, StepResult } from '../server/sessionBackend.js';
import { AUDIT_TABLE } from '../triggerTemplates.js';

/** Per table, the columns whose values are sequence values drawn by any session (bigserial). */
export const NORMALISED: Readonly<Record<string, readonly string[]>> = { [AUDIT_TABLE]: ['n'] };

export interface StepRecord {
  readonly step: string;
  readonly session: string;
  /** Sessions it waited for once issued, or null if it did not wait. */
  readonly blockedBy: readonly string[] | null;
  /** Position of the last step issued when it completed; null if it never did. */
  readonly completedAfter: number | null;
  /** `ok`, or the SQLSTATE (and constraint when there is one); null if it never completed. */
  readonly outcome: string | null;
  readonly rowCount: number | null;
  /** Rows a read returned, each as canonical JSON, sorted (scan order is not compared). */
  readonly rows: readonly string[] | null;
}

export interface ScheduleRecord {
  readonly permutation: readonly string[];
  readonly steps: readonly StepRecord[];
  readonly completionOrder: readonly string[];
  readonly neverCompleted: readonly string[];
  readonly neverIssued: readonly string[];
  /** Table name to its rows as canonical JSON, sorted. */
  readonly contents: Readonly<Record<string, readonly string[]>>;
}

/** JSON with object keys sorted, so rows compare by content whatever their column order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

const sortedRows = (rows: readonly JsonRow[]): string[] => rows.map(canonical).sort();

export function outcomeLabel(result: StepResult | null): string | null {
  if (result === null) return null;
  if (result.ok) return 'ok';
  return result.constraint === null ? result.code : `${result.code} ${result.constraint}`;
}

/** The table's rows without its normalised columns. */
function normalisedRows(table: string, rows: readonly JsonRow[]): string[] {
  const dropped = NORMALISED[table] ?? [];
  if (dropped.length === 0) return sortedRows(rows);
  return sortedRows(
    rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !dropped.includes(key)))),
  );
}

/** The record of an outcome; `normaliseSequences` drops the `NORMALISED` columns from the contents. */
export function scheduleRecord(outcome: PermutationOutcome, normaliseSequences: boolean): ScheduleRecord {
  return {
    permutation: outcome.permutation,
    steps: outcome.steps.map((step) => ({
      step: step.step,
      session: step.session,
      blockedBy: step.blocked?.by ?? null,
      completedAfter: step.completedAfter,
      outcome: outcomeLabel(step.result),
      rowCount: step.result?.ok ? step.result.rowCount : null,
      rows: step.result?.ok && step.result.rows !== undefined ? sortedRows(step.result.rows) : null,
    })),
    completionOrder: outcome.completionOrder,
    neverCompleted: outcome.neverCompleted,
    neverIssued: outcome.neverIssued,
    contents: Object.fromEntries(
      outcome.contents.map((table) => [
        table.table,
        normaliseSequences ? normalisedRows(table.table, table.rows) : sortedRows(table.rows),
      ]),
    ),
  };
}

export interface RecordDifference {
  /** The first step whose record differs (its name), or null when the steps agree and the end differs. */
  readonly step: string | null;
  /** What differs: `step`, `completion order`, `never completed`, `never issued`, `table NAME`, `permutation`. */
  readonly what: string;
  readonly left: string;
  readonly right: string;
}

/** The first difference between two records of the same schedule, or null when they agree. */
export function firstDifference(left: ScheduleRecord, right: ScheduleRecord): RecordDifference | null {
  if (canonical(left.permutation) !== canonical(right.permutation))
    return { step: null, what: 'permutation', left: left.permutation.join(' '), right: right.permutation.join(' ') };
  const count = Math.max(left.steps.length, right.steps.length);
  for (let index = 0; index < count; index += 1) {
    const [a, b] = [left.steps[index], right.steps[index]];
    if (canonical(a ?? null) !== canonical(b ?? null))
      return {
        step: a?.step ?? b?.step ?? null,
        what: 'step',
        left: canonical(a ?? null),
        right: canonical(b ?? null),
      };
  }
  const lists: readonly [
    'completion order' | 'never completed' | 'never issued',
    readonly string[],
    readonly string[],
  ][] = [
    ['completion order', left.completionOrder, right.completionOrder],
    ['never completed', left.neverCompleted, right.neverCompleted],
    ['never issued', left.neverIssued, right.neverIssued],
  ];
  for (const [what, a, b] of lists)
    if (canonical(a) !== canonical(b)) return { step: null, what, left: a.join(' '), right: b.join(' ') };
  const tables = [...new Set([...Object.keys(left.contents), ...Object.keys(right.contents)])].sort();
  for (const table of tables) {
    const [a, b] = [left.contents[table] ?? null, right.contents[table] ?? null];
    if (canonical(a) !== canonical(b))
      return { step: null, what: `table ${table}`, left: canonical(a), right: canonical(b) };
  }
  return null;
}
