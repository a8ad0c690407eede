/**
 * PostgreSQL's heavyweight lock modes and their conflict table, and the four row-lock strengths
 * with theirs, exactly as PostgreSQL 18 defines them:
 *
 * - the eight table-lock modes and `LockConflicts[]` of `src/backend/storage/lmgr/lock.c`
 *   (the documentation's Table 13.2, "Conflicting Lock Modes"). The same eight modes serve every
 *   lock tag: a relation, a transaction id (a row waiter takes ShareLock on the xid it waits for,
 *   every transaction holds ExclusiveLock on its own) and a tuple;
 * - the row-lock strengths of `SELECT … FOR KEY SHARE / SHARE / NO KEY UPDATE / UPDATE` and their
 *   conflicts (Table 13.3, "Conflicting Row-Level Locks"). heapam.c's `tupleLockExtraInfo` maps
 *   each strength to the heavyweight mode its tuple lock is taken in (`tupleLockMode`), and the
 *   row conflict matrix is exactly the table-mode conflict of those images.
 *
 * Modes are numbered as PostgreSQL numbers them (`LOCKMODE` 1-8), so a set of modes is a bit mask
 * `1 << mode`, as in lock.c; the names are what callers use.
 */

export const TABLE_LOCK_MODES = [
  'AccessShare',
  'RowShare',
  'RowExclusive',
  'ShareUpdateExclusive',
  'Share',
  'ShareRowExclusive',
  'Exclusive',
  'AccessExclusive',
] as const;

export type TableLockMode = (typeof TABLE_LOCK_MODES)[number];

/** PostgreSQL's LOCKMODE number of a mode: AccessShare 1 … AccessExclusive 8. */
export type LockModeNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const NUMBER_OF: Readonly<Record<TableLockMode, LockModeNumber>> = {
  AccessShare: 1,
  RowShare: 2,
  RowExclusive: 3,
  ShareUpdateExclusive: 4,
  Share: 5,
  ShareRowExclusive: 6,
  Exclusive: 7,
  AccessExclusive: 8,
};

export function modeNumber(mode: TableLockMode): LockModeNumber {
  return NUMBER_OF[mode];
}

export function modeOfNumber(mode: LockModeNumber): TableLockMode {
  return TABLE_LOCK_MODES[mode - 1]!;
}

/** The bit of a mode in a lock mask (`LOCKBIT_ON`). */
export function modeBit(mode: LockModeNumber): number {
  return 1 << mode;
}

const bits = (...modes: TableLockMode[]): number => modes.reduce((mask, mode) => mask | modeBit(NUMBER_OF[mode]), 0);

/** lock.c's `LockConflicts[]`, indexed by LOCKMODE: the mask of modes each mode conflicts with. */
export const LOCK_CONFLICTS: readonly number[] = [
  0,
  bits('AccessExclusive'),
  bits('Exclusive', 'AccessExclusive'),
  bits('Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'),
  bits('ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'),
  bits('RowExclusive', 'ShareUpdateExclusive', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'),
  bits('RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'),
  bits(
    'RowShare',
    'RowExclusive',
    'ShareUpdateExclusive',
    'Share',
    'ShareRowExclusive',
    'Exclusive',
    'AccessExclusive',
  ),
  bits(
    'AccessShare',
    'RowShare',
    'RowExclusive',
    'ShareUpdateExclusive',
    'Share',
    'ShareRowExclusive',
    'Exclusive',
    'AccessExclusive',
  ),
];

/** True when a lock in mode `a` held by one transaction blocks a request for `b` by another. */
export function tableModesConflict(a: TableLockMode, b: TableLockMode): boolean {
  return (LOCK_CONFLICTS[NUMBER_OF[a]]! & modeBit(NUMBER_OF[b])) !== 0;
}

/** The name PostgreSQL prints (`pg_locks.mode`, deadlock reports): `AccessShareLock`. */
export function lockModeName(mode: TableLockMode): string {
  return `${mode}Lock`;
}

/** The mode as `LOCK TABLE … IN … MODE` spells it: `ACCESS SHARE`, `SHARE ROW EXCLUSIVE`. */
export function lockModeSql(mode: TableLockMode): string {
  return mode.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Parses a `pg_locks.mode` value (`RowExclusiveLock`) back to a mode, or null for other names. */
export function modeFromLockName(name: string): TableLockMode | null {
  if (!name.endsWith('Lock')) return null;
  const mode = name.slice(0, -'Lock'.length);
  return (TABLE_LOCK_MODES as readonly string[]).includes(mode) ? (mode as TableLockMode) : null;
}

export const ROW_LOCK_STRENGTHS = ['KeyShare', 'Share', 'NoKeyUpdate', 'Update'] as const;

/** `FOR KEY SHARE`, `FOR SHARE`, `FOR NO KEY UPDATE`, `FOR UPDATE` (heapam's LockTupleMode). */
export type RowLockStrength = (typeof ROW_LOCK_STRENGTHS)[number];

/** heapam.c's `tupleLockExtraInfo[].hwlock`: the heavyweight mode of a strength's tuple lock. */
const TUPLE_LOCK_MODE: Readonly<Record<RowLockStrength, TableLockMode>> = {
  KeyShare: 'AccessShare',
  Share: 'RowShare',
  NoKeyUpdate: 'Exclusive',
  Update: 'AccessExclusive',
};

export function tupleLockMode(strength: RowLockStrength): TableLockMode {
  return TUPLE_LOCK_MODE[strength];
}

/**
 * True when a row lock of strength `a` held by one transaction blocks `b` by another. PostgreSQL
 * decides it by the heavyweight images of the strengths (heapam's `DoLockModesConflict` on
 * `LOCKMODE_from_mxstatus`), so this is the table-mode conflict of `tupleLockMode`.
 */
export function rowStrengthsConflict(a: RowLockStrength, b: RowLockStrength): boolean {
  return tableModesConflict(TUPLE_LOCK_MODE[a], TUPLE_LOCK_MODE[b]);
}

/** The strength as SQL spells it after FOR: `KEY SHARE`, `NO KEY UPDATE`. */
export function rowStrengthSql(strength: RowLockStrength): string {
  return strength.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/**
 * True when holding `strong` makes also holding `weak` (on the same object, by the same
 * transaction) irrelevant to everyone else: every mode that conflicts with `weak` conflicts with
 * `strong`. Such a weaker lock, taken after the stronger one, is granted at once and blocks no one
 * more (the queue-jumping rule lets it pass any waiter, who conflicts with the stronger mode too).
 */
export function modeDominates(strong: TableLockMode, weak: TableLockMode): boolean {
  const weakConflicts = LOCK_CONFLICTS[NUMBER_OF[weak]]!;
  return (LOCK_CONFLICTS[NUMBER_OF[strong]]! & weakConflicts) === weakConflicts;
}
