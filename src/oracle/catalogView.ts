/** The catalog view SQL rendering reads, over a live `Database`. */
import type { Database } from '../database.js';
import type { CatalogView, ColumnView } from '../engine/sql/catalogView.js';
import type { ColumnType } from '../engine/values.js';

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
