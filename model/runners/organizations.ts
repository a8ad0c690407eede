import { and, col, eq, isNotNull, isNull, ne, or } from '../../src/index.js';
import type { Expr } from '../../src/index.js';
import type { RunnerType } from './partitionedCopies.js';
import { mutated } from '../gitlab/mutations.js';

/**
 * Organizations (seed 002, items 14–19): during Cells 1.0 every existing group and project
 * belonged to GitLab's default organization (`Organizations::Organization::DEFAULT_ORGANIZATION_ID`),
 * so a runner's `organization_id` is 1 when it has an owner and NULL for instance runners.
 */
export const DEFAULT_ORGANIZATION_ID = 1;

/** The organization of a runner's owner; an orphan (no sharding key) has none to inherit. */
export function organizationIdFor(runnerType: RunnerType, shardingKeyId: number | null): number | null {
  if (mutated('instance-runner-gets-organization')) return DEFAULT_ORGANIZATION_ID;
  return runnerType !== 1 && shardingKeyId !== null ? DEFAULT_ORGANIZATION_ID : null;
}

/**
 * `check_<column>_nullness` for the legacy (unpartitioned) table: GitLab put `IS NULL` on the
 * instance partition and `IS NOT NULL` on the others; on one table that is this disjunction.
 */
export function nullnessByRunnerType(column: string): Expr {
  return or(
    and(eq(col('runner_type'), 1), isNull(col(column))),
    and(ne(col('runner_type'), 1), isNotNull(col(column))),
  );
}
