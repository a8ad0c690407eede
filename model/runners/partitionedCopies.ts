/**
 * The runners world's partitioned copies (docs/semantics.md §a.2): `ci_runners` and `ci_runner_machines`, each
 * partitioned by runner_type, with the names GitLab's structure.sql shows.
 */
import { col, eq, isNotNull, isNull, or } from '../../src/index.js';
import { assert } from '../../src/engine/assert.js';
import type { Expr } from '../../src/index.js';
import type { PartitionedCopySpec } from '../gitlab/partitionedCopySpec.js';
import { hashedObjectName, partitionedCopyName } from '../gitlab/names.js';

export const RUNNER_TYPES = [
  { value: 1, name: 'instance_type' },
  { value: 2, name: 'group_type' },
  { value: 3, name: 'project_type' },
] as const;

export type RunnerType = 1 | 2 | 3;

/** GitLab's runner backfills skip orphans: `where(runner_type: 1).or(where.not(sharding_key_id: nil))`. */
const copyableRunnerFilter: Expr = or(eq(col('runner_type'), 1), isNotNull(col('sharding_key_id')));

const shardingKeyNullness = (value: number): Expr =>
  value === 1 ? isNull(col('sharding_key_id')) : isNotNull(col('sharding_key_id'));

const runnersCopy = partitionedCopyName('ci_runners');
const managersCopy = partitionedCopyName('ci_runner_machines');

const ciRunners: PartitionedCopySpec = {
  source: 'ci_runners',
  copy: runnersCopy,
  partitionColumn: 'runner_type',
  primaryKey: ['id', 'runner_type'],
  columns: [
    { name: 'id', type: 'bigint', notNull: true },
    { name: 'runner_type', type: 'smallint', notNull: true },
    { name: 'sharding_key_id', type: 'bigint' },
    { name: 'token', type: 'text' },
    { name: 'contacted_at', type: 'timestamptz' },
  ],
  partitions: RUNNER_TYPES.map(({ value, name }) => ({
    name: `${name}_${runnersCopy}`,
    value,
    check: { name: 'check_sharding_key_id_nullness', expr: shardingKeyNullness(value) },
  })),
  uniqueIndexes: [
    {
      name: `idx_uniq_${runnersCopy}_on_token_and_type_where_not_null`,
      columns: ['token', 'runner_type'],
      where: isNotNull(col('token')),
    },
  ],
  backfillFilter: copyableRunnerFilter,
  backfillJob: 'BackfillCiRunnersPartitionedTable',
  triggerName: 'table_sync_trigger_61879721b5',
  functionName: 'table_sync_function_686d6c7993',
};

const ciRunnerMachines: PartitionedCopySpec = {
  source: 'ci_runner_machines',
  copy: managersCopy,
  partitionColumn: 'runner_type',
  primaryKey: ['id', 'runner_type'],
  columns: [
    { name: 'id', type: 'bigint', notNull: true },
    { name: 'runner_id', type: 'bigint', notNull: true },
    { name: 'runner_type', type: 'smallint', notNull: true },
    { name: 'sharding_key_id', type: 'bigint' },
    { name: 'system_xid', type: 'text', notNull: true },
    { name: 'contacted_at', type: 'timestamptz' },
  ],
  partitions: RUNNER_TYPES.map(({ value, name }) => ({ name: `${name}_${managersCopy}`, value, check: null })),
  uniqueIndexes: [
    {
      name: `idx_uniq_${managersCopy}_on_runner_id_system_xid`,
      columns: ['runner_id', 'runner_type', 'system_xid'],
      where: null,
    },
  ],
  backfillFilter: copyableRunnerFilter,
  backfillJob: 'BackfillCiRunnerMachinesPartitionedTable',
  triggerName: 'table_sync_trigger_bc3e7b56bd',
  functionName: 'table_sync_function_e438f29263',
};

export const PARTITIONED_COPIES: ReadonlyMap<string, PartitionedCopySpec> = new Map([
  [ciRunners.source, ciRunners],
  [ciRunnerMachines.source, ciRunnerMachines],
]);

export const RUNNERS_COPY = runnersCopy;
export const MANAGERS_COPY = managersCopy;

// The names GitLab's structure.sql shows must be the ones its hashing helper derives.
for (const spec of PARTITIONED_COPIES.values()) {
  assert(
    spec.triggerName === hashedObjectName(spec.source, 'table_sync_trigger'),
    `the registered sync trigger name of ${spec.source} disagrees with GitLab's object_name hashing`,
  );
  assert(
    spec.functionName === hashedObjectName(spec.source, 'table_sync_function'),
    `the registered sync function name of ${spec.source} disagrees with GitLab's object_name hashing`,
  );
}
