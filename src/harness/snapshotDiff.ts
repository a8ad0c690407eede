import type { DatabaseSnapshot } from '../database.js';
import type { Row } from '../engine/values.js';

/**
 * Row-level differences between two snapshots. Rows are frozen and shared between snapshots,
 * so an unchanged row is the same object and costs one identity comparison.
 */
export interface RowChange {
  readonly kind: 'insert' | 'update' | 'delete';
  readonly before: Row | null;
  readonly after: Row | null;
}

export interface TableChange {
  readonly table: string;
  readonly rows: readonly RowChange[];
}

const identityOf = (row: Row): string => ('id' in row ? String(row.id) : JSON.stringify(row));

export function diffSnapshots(before: DatabaseSnapshot, after: DatabaseSnapshot): TableChange[] {
  const changes: TableChange[] = [];
  const tables = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const table of tables) {
    const oldRows = before.get(table) ?? [];
    const newRows = after.get(table) ?? [];
    const kept = new Set(newRows);
    const removed = new Map(oldRows.filter((row) => !kept.has(row)).map((row) => [identityOf(row), row] as const));
    const old = new Set(oldRows);
    const rows: RowChange[] = [];
    for (const row of newRows) {
      if (old.has(row)) continue;
      const previous = removed.get(identityOf(row));
      if (previous !== undefined) {
        removed.delete(identityOf(row));
        rows.push({ kind: 'update', before: previous, after: row });
      } else rows.push({ kind: 'insert', before: null, after: row });
    }
    for (const row of removed.values()) rows.push({ kind: 'delete', before: row, after: null });
    if (rows.length > 0) changes.push({ table, rows });
  }
  return changes;
}
