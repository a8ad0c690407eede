/**
 * What GitLab's partitioning migration does for one table (docs/semantics.md §a.2): the copy's columns, partitions,
 * per-partition CHECKs and unique indexes, and the row filter of its backfill job. A world lists
 * its tables in its `MigrationCatalog`; plans name only the source table.
 */
import type { ColumnSpec, Expr } from '../../src/index.js';

export interface PartitionSpec {
  readonly name: string;
  readonly value: number;
  /** A CHECK the migration adds to the partition (runners: `check_sharding_key_id_nullness`), or none. */
  readonly check: { readonly name: string; readonly expr: Expr } | null;
}

export interface CopyIndexSpec {
  readonly name: string;
  readonly columns: readonly string[];
  readonly where: Expr | null;
}

export interface PartitionedCopySpec {
  readonly source: string;
  readonly copy: string;
  readonly partitionColumn: string;
  readonly primaryKey: readonly string[];
  /** The copy's columns; the sync function's column list is frozen from these (docs/semantics.md §a.1). */
  readonly columns: readonly ColumnSpec[];
  readonly partitions: readonly PartitionSpec[];
  readonly uniqueIndexes: readonly CopyIndexSpec[];
  /** Rows the backfill copies; `null` copies every row (the generic BackfillPartitionedTable). */
  readonly backfillFilter: Expr | null;
  /** The batched background migration class GitLab queued for the backfill. */
  readonly backfillJob: string;
  readonly triggerName: string;
  readonly functionName: string;
}
