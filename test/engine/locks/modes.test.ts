/**
 * The conflict tables against PostgreSQL's documentation, written out here independently of
 * `modes.ts`: Table 13.2 (table-level lock modes) and Table 13.3 (row-level locks), every pair.
 */
import { describe, expect, it } from 'vitest';
import {
  lockModeName,
  lockModeSql,
  modeDominates,
  modeFromLockName,
  ROW_LOCK_STRENGTHS,
  rowStrengthSql,
  rowStrengthsConflict,
  TABLE_LOCK_MODES,
  tableModesConflict,
  tupleLockMode,
} from '../../../src/engine/locks/modes.js';

// Table 13.2, "Conflicting Lock Modes": rows are the requested mode, columns the existing one,
// in the documentation's order (ACCESS SHARE … ACCESS EXCLUSIVE); X marks a conflict.
// biome-ignore format: one row per line, as the documentation prints it
const TABLE_13_2 = [
  'ACCESS SHARE           .......X',
  'ROW SHARE              ......XX',
  'ROW EXCLUSIVE          ....XXXX',
  'SHARE UPDATE EXCLUSIVE ...XXXXX',
  'SHARE                  ..XX.XXX',
  'SHARE ROW EXCLUSIVE    ..XXXXXX',
  'EXCLUSIVE              .XXXXXXX',
  'ACCESS EXCLUSIVE       XXXXXXXX',
];

// Table 13.3, "Conflicting Row-Level Locks": FOR KEY SHARE, FOR SHARE, FOR NO KEY UPDATE, FOR UPDATE.
// biome-ignore format: one row per line, as the documentation prints it
const TABLE_13_3 = [
  'KEY SHARE     ...X',
  'SHARE         ..XX',
  'NO KEY UPDATE .XXX',
  'UPDATE        XXXX',
];

function parse(table: readonly string[]): { name: string; marks: boolean[] }[] {
  return table.map((line) => {
    const match = /^(.*?)\s+([.X]+)$/.exec(line)!;
    return { name: match[1]!, marks: [...match[2]!].map((mark) => mark === 'X') };
  });
}

describe('table-lock modes', () => {
  const rows = parse(TABLE_13_2);

  it('are the documentation’s eight modes, in its order', () => {
    expect(TABLE_LOCK_MODES.map(lockModeSql)).toEqual(rows.map((row) => row.name));
  });

  it('conflict exactly as Table 13.2 says, for all 64 pairs', () => {
    let pairs = 0;
    for (const [r, requested] of TABLE_LOCK_MODES.entries())
      for (const [e, existing] of TABLE_LOCK_MODES.entries()) {
        expect(tableModesConflict(requested, existing), `${requested} vs ${existing}`).toBe(rows[r]!.marks[e]);
        pairs += 1;
      }
    expect(pairs).toBe(64);
  });

  it('conflict symmetrically', () => {
    for (const a of TABLE_LOCK_MODES)
      for (const b of TABLE_LOCK_MODES) expect(tableModesConflict(a, b)).toBe(tableModesConflict(b, a));
  });

  it('dominate exactly the modes whose conflicts they include', () => {
    for (const strong of TABLE_LOCK_MODES)
      for (const weak of TABLE_LOCK_MODES) {
        const included = TABLE_LOCK_MODES.every(
          (other) => !tableModesConflict(weak, other) || tableModesConflict(strong, other),
        );
        expect(modeDominates(strong, weak), `${strong} over ${weak}`).toBe(included);
      }
    expect(modeDominates('RowExclusive', 'RowShare')).toBe(true);
    expect(modeDominates('Share', 'ShareUpdateExclusive')).toBe(false);
    expect(TABLE_LOCK_MODES.every((mode) => modeDominates(mode, 'AccessShare'))).toBe(true);
  });

  it('print and parse as pg_locks names them', () => {
    expect(lockModeName('ShareRowExclusive')).toBe('ShareRowExclusiveLock');
    for (const mode of TABLE_LOCK_MODES) expect(modeFromLockName(lockModeName(mode))).toBe(mode);
    expect(modeFromLockName('SIReadLock')).toBeNull();
    expect(modeFromLockName('Share')).toBeNull();
  });
});

describe('row-lock strengths', () => {
  const rows = parse(TABLE_13_3);

  it('are the four FOR clauses, weakest first', () => {
    expect(ROW_LOCK_STRENGTHS.map(rowStrengthSql)).toEqual(rows.map((row) => row.name));
  });

  it('conflict exactly as Table 13.3 says, for all 16 pairs', () => {
    for (const [r, requested] of ROW_LOCK_STRENGTHS.entries())
      for (const [e, existing] of ROW_LOCK_STRENGTHS.entries())
        expect(rowStrengthsConflict(requested, existing), `${requested} vs ${existing}`).toBe(rows[r]!.marks[e]);
  });

  it('take their tuple locks in heapam’s tupleLockExtraInfo modes', () => {
    expect(ROW_LOCK_STRENGTHS.map(tupleLockMode)).toEqual(['AccessShare', 'RowShare', 'Exclusive', 'AccessExclusive']);
  });
});
