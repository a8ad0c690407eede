import type { PartitionBound, Relation } from './catalog.js';
import { PgError, SqlState } from './errors.js';
import { isSatisfiedAsCheck } from './expression.js';
import { planFor } from './relationPlan.js';
import type { EngineState } from './session.js';
import { compareValues, formatValuesForDetail } from './values.js';
import type { Row, SqlValue } from './values.js';

/**
 * The checks PostgreSQL's ExecConstraints runs on every new row version: NOT NULL in column
 * order, then CHECK constraints in name order, valid or NOT VALID alike (a NOT VALID CHECK
 * still rejects an UPDATE that touches only other columns), then the partition constraint.
 */
export function failingRowDetail(relation: Relation, row: Row): string {
  return `Failing row contains (${formatValuesForDetail(relation.columns.map((column) => row[column.name] ?? null))}).`;
}

export function checkRowConstraints(state: EngineState, relation: Relation, row: Row, checkPartition: boolean): void {
  // Indexed loops: the column and check lists are frozen, which for…of walks slowly (docs/performance.md).
  const columns = relation.columns;
  for (let position = 0; position < columns.length; position++) {
    const column = columns[position]!;
    if (column.notNull && row[column.name] === null) {
      throw new PgError(
        SqlState.notNullViolation,
        `null value in column "${column.name}" of relation "${relation.name}" violates not-null constraint`,
        {
          detail: failingRowDetail(relation, row),
          table: relation.name,
          column: column.name,
        },
      );
    }
  }
  const checks = planFor(state, relation).checks;
  for (let position = 0; position < checks.length; position++) {
    const check = checks[position]!;
    if (!isSatisfiedAsCheck(check.expr, { row })) {
      throw new PgError(
        SqlState.checkViolation,
        `new row for relation "${relation.name}" violates check constraint "${check.name}"`,
        {
          detail: failingRowDetail(relation, row),
          constraint: check.name,
          table: relation.name,
        },
      );
    }
  }
  if (checkPartition && !satisfiesPartitionConstraint(relation, row)) {
    throw new PgError(
      SqlState.checkViolation,
      `new row for relation "${relation.name}" violates partition constraint`,
      {
        detail: failingRowDetail(relation, row),
        table: relation.name,
      },
    );
  }
}

function boundAccepts(parent: Relation, bound: PartitionBound, value: SqlValue): boolean {
  if (bound.kind === 'list')
    return value !== null && bound.values.some((candidate) => compareValues(candidate, value) === 0);
  // A DEFAULT partition accepts what no sibling accepts (NULL included, when no sibling lists NULL).
  return !parent.partitions.some(
    (sibling) =>
      sibling.partitionBound?.kind === 'list' &&
      sibling.partitionBound.values.some((candidate) =>
        candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
      ),
  );
}

/** Whether a partition's own bound accepts a partition-key value. */
export function partitionAccepts(partition: Relation, value: SqlValue): boolean {
  const bound = partition.partitionBound!;
  if (bound.kind === 'list' && value === null) return bound.values.includes(null);
  return boundAccepts(partition.parent!, bound, value);
}

/** A partition's implicit constraint: its bound and every ancestor's bound hold for the row. */
export function satisfiesPartitionConstraint(relation: Relation, row: Row): boolean {
  for (let current: Relation = relation; current.parent !== null; current = current.parent) {
    if (!partitionAccepts(current, row[current.parent.partitionKey!] ?? null)) return false;
  }
  return true;
}

/**
 * Finds the leaf for a row inserted through `relation`, descending through sub-partitioning.
 * When `relation` is itself a partition (an intermediate partitioned table), the row must first
 * satisfy its own partition constraint, as ExecFindPartition checks before routing: the rows
 * below an intermediate table are bounded by every ancestor, not only by its sub-partitions.
 */
export function routeRow(relation: Relation, row: Row): Relation {
  if (relation.isPartitioned && relation.parent !== null && !satisfiesPartitionConstraint(relation, row)) {
    throw new PgError(
      SqlState.checkViolation,
      `new row for relation "${relation.name}" violates partition constraint`,
      { detail: failingRowDetail(relation, row), table: relation.name },
    );
  }
  let current = relation;
  while (current.isPartitioned) {
    const key = current.partitionKey!;
    const value = row[key] ?? null;
    let target: Relation | undefined;
    let fallback: Relation | undefined;
    for (const partition of current.partitions) {
      const bound = partition.partitionBound!;
      if (bound.kind === 'default') fallback = partition;
      else if (
        bound.values.some((candidate) =>
          candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
        )
      )
        target = partition;
    }
    const chosen = target ?? fallback;
    if (chosen === undefined) {
      throw new PgError(SqlState.checkViolation, `no partition of relation "${current.name}" found for row`, {
        detail: `Partition key of the failing row contains (${key}) = (${formatValuesForDetail([value])}).`,
        table: current.name,
      });
    }
    current = chosen;
  }
  return current;
}
