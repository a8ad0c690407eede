/**
 * What SQL rendering needs to know about the catalog: column types (the engine stores
 * `timestamptz` as numbers, which PostgreSQL accepts only as `to_timestamp(n)`) and partition
 * keys. The oracle builds one over a live database right after each statement ran.
 */
import type { ColumnType } from '../values.js';

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
