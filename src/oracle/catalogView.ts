import type { Database } from '../database.js';
import type { ColumnType } from '../engine/values.js';

/** What the renderer needs to know about a table: its columns' types. */
export interface ColumnView {
  readonly name: string;
  readonly type: ColumnType;
}

export interface CatalogView {
  /** The table's columns in order, or null when no such table exists (the statement then fails in both). */
  columns(table: string): readonly ColumnView[] | null;
  /** The LIST partition key column of a partitioned table, or null. */
  partitionKey(table: string): string | null;
}

/** A view over a live `Database`, read when a statement event is rendered (right after it ran). */
export function catalogViewOf(db: Database): CatalogView {
  return {
    columns(table: string): readonly ColumnView[] | null {
      if (!db.hasTable(table)) return null;
      return db.describe(table).columns.map((column) => ({ name: column.name, type: column.type as ColumnType }));
    },
    partitionKey(table: string): string | null {
      return db.hasTable(table) ? db.describe(table).partitionKey : null;
    },
  };
}

/** A view that knows no table: literals render untyped. Used for schema-free rendering in tests. */
export const EMPTY_CATALOG: CatalogView = { columns: () => null, partitionKey: () => null };
