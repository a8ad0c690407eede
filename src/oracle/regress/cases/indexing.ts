/**
 * Ported from src/test/regress/sql/indexing.sql, the partitioned indexes built in steps:
 * `CREATE INDEX … ON ONLY` (the partitioned table's index alone, INVALID while a partition has no
 * index attached), `ALTER INDEX … ATTACH PARTITION` with its error cases, a CREATE INDEX on an
 * ancestor adopting an INVALID index (and becoming INVALID itself), and validity propagating up a
 * partition tree. RANGE partitions become LIST partitions over the same column; the hash index
 * and the expression index of the error cases become plain column indexes that equally fail to
 * match. Validity and attachment are compared through the index catalog (pg_index.indisvalid,
 * pg_inherits) at the end of each case, so the cases stop where the original inspects them.
 *
 * Also GitLab's `add_concurrent_partitioned_index` (partitioning_migration_helpers/
 * index_helpers.rb): each partition's index built CONCURRENTLY, then CREATE INDEX on the parent,
 * which adopts them; and the ON ONLY and ATTACH form of the same migration.
 */
import { col, eq, gt } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import {
  attachIndex,
  createIndex,
  createIndexConcurrently,
  createIndexOnly,
  detach,
  insert,
  partition,
  remove,
  select,
  table,
} from '../sql.js';

const at = sourceIn('indexing.sql');
const gitlab = sourceIn('gitlab:lib/gitlab/database/partitioning_migration_helpers/index_helpers.rb');

const attachErrors = [
  table('idxpart', 'a int, b int', { partitionBy: 'a' }),
  partition('idxpart1', 'idxpart', [1, 2, 3]),
  createIndexOnly({ name: 'idxpart_a_b_idx', table: 'idxpart', columns: ['a', 'b'] }),
  createIndex({ name: 'idxpart1_a_b_idx', table: 'idxpart1', columns: ['a', 'b'] }),
  createIndex({ name: 'idxpart1_tst1', table: 'idxpart1', columns: ['b', 'a'] }),
  createIndex({ name: 'idxpart1_tst2', table: 'idxpart1', columns: ['a'] }),
  createIndex({ name: 'idxpart1_tst3', table: 'idxpart1', columns: ['a', 'b'], where: gt(col('a'), 10) }),
];

/** idxpart (a) with idxpart1 and a sub-partitioned idxpart2 of idxpart21, idxpart22. */
const onlyTree = [
  table('idxpart', 'a int', { partitionBy: 'a' }),
  partition('idxpart1', 'idxpart', [1]),
  partition('idxpart2', 'idxpart', [2, 3], { partitionBy: 'a' }),
  partition('idxpart21', 'idxpart2', [2]),
  partition('idxpart22', 'idxpart2', [3]),
  createIndex({ table: 'idxpart22', columns: ['a'] }),
  createIndexOnly({ table: 'idxpart2', columns: ['a'] }),
  // Adopts the INVALID idxpart2_a_idx, so idxpart_a_idx is INVALID too; idxpart22_a_idx stays unattached.
  createIndex({ table: 'idxpart', columns: ['a'] }),
];

const invalidChain = [
  table('idxpart', 'a int, b int', { partitionBy: 'a' }),
  partition('idxpart1', 'idxpart', [1, 2], { partitionBy: 'a' }),
  partition('idxpart11', 'idxpart1', [1]),
  createIndexOnly({ table: 'idxpart1', columns: ['a'] }),
  createIndexOnly({ table: 'idxpart', columns: ['a'] }),
  // idxpart1_a_idx is not valid, so idxpart_a_idx does not become valid.
  attachIndex('idxpart_a_idx', 'idxpart1_a_idx'),
];

/** A partitioned `ci_builds`-like table with two partitions holding a duplicate `token`. */
const gitlabTable = [
  table('p_builds', 'id int, partition_id int, token text', { partitionBy: 'partition_id' }),
  partition('p_builds_100', 'p_builds', [100]),
  partition('p_builds_101', 'p_builds', [101]),
  insert('p_builds', [
    { id: 1, partition_id: 100, token: 'a' },
    { id: 2, partition_id: 101, token: 'b' },
    { id: 3, partition_id: 101, token: 'b' },
  ]),
];

export const indexingCases: readonly RegressEntry[] = [
  regressCase(at(79, '-- ALTER INDEX .. ATTACH, error cases'), 'attach-error-cases', [
    attachErrors,
    attachIndex('idxpart', 'idxpart1'),
    attachIndex('idxpart_a_b_idx', 'idxpart1'),
    attachIndex('idxpart_a_b_idx', 'idxpart_a_b_idx'),
    attachIndex('idxpart_a_b_idx', 'idxpart1_b_idx'),
    attachIndex('idxpart_a_b_idx', 'idxpart1_tst1'),
    attachIndex('idxpart_a_b_idx', 'idxpart1_tst2'),
    attachIndex('idxpart_a_b_idx', 'idxpart1_tst3'),
    // OK, then quiet the second time.
    attachIndex('idxpart_a_b_idx', 'idxpart1_a_b_idx'),
    attachIndex('idxpart_a_b_idx', 'idxpart1_a_b_idx'),
    // Reject a second index of the same partition.
    createIndex({ name: 'idxpart1_2_a_b', table: 'idxpart1', columns: ['a', 'b'] }),
    attachIndex('idxpart_a_b_idx', 'idxpart1_2_a_b'),
    // Beyond the file: a plain index as the parent, and an index of a table that is no partition.
    attachIndex('idxpart1_a_b_idx', 'idxpart1_2_a_b'),
    table('idxpart_other', 'a int, b int'),
    createIndex({ name: 'idxpart_other_a_b', table: 'idxpart_other', columns: ['a', 'b'] }),
    attachIndex('idxpart_a_b_idx', 'idxpart_other_a_b'),
    attachIndex('no_such_index', 'idxpart1_2_a_b'),
  ]),
  regressCase(
    at(117, "-- If CREATE INDEX ONLY, don't create indexes on partitions; and existing"),
    'create-index-only-adopts-invalid',
    [onlyTree, attachIndex('idxpart2_a_idx', 'idxpart22_a_idx'), attachIndex('idxpart2_a_idx', 'idxpart22_a_idx')],
  ),
  regressCase(
    at(117, "-- If CREATE INDEX ONLY, don't create indexes on partitions; and existing"),
    'create-index-only-completed-by-attach',
    [
      onlyTree,
      attachIndex('idxpart2_a_idx', 'idxpart22_a_idx'),
      // ... but this one is: idxpart2_a_idx and, in turn, idxpart_a_idx become valid.
      createIndex({ table: 'idxpart21', columns: ['a'] }),
      attachIndex('idxpart2_a_idx', 'idxpart21_a_idx'),
    ],
  ),
  regressCase(
    at(170, '-- Verify that attaching an invalid index does not mark the parent index valid.'),
    'attach-invalid-keeps-parent-invalid',
    invalidChain,
  ),
  regressCase(
    at(170, '-- Verify that attaching an invalid index does not mark the parent index valid.'),
    'attach-valid-validates-ancestors',
    [
      invalidChain,
      createIndex({ table: 'idxpart11', columns: ['a'] }),
      attachIndex('idxpart1_a_idx', 'idxpart11_a_idx'),
    ],
  ),
  regressCase(at(117, 'create index on only idxpart2 (a);'), 'only-index-and-new-partitions', [
    // A partition created or attached later gets its own index attached; the parent stays INVALID
    // until the partition that had none is given one and attached. DETACH leaves validity alone.
    table('idxpart', 'a int, b int', { partitionBy: 'a' }),
    partition('idxpart1', 'idxpart', [1]),
    createIndexOnly({ name: 'idxpart_a', table: 'idxpart', columns: ['a'], unique: true }),
    partition('idxpart2', 'idxpart', [2]),
    table('idxpart3', 'a int, b int'),
    { kind: 'attachPartition', parent: 'idxpart', partition: 'idxpart3', values: [3] },
    // No arbiter while the unique index is INVALID (42P10), and nothing enforced on idxpart1.
    insert('idxpart', { a: 1, b: 1 }, { onConflict: { target: ['a'], action: 'nothing' } }),
    insert('idxpart', [
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]),
    insert('idxpart', [
      { a: 2, b: 1 },
      { a: 2, b: 2 },
    ]),
    createIndex({ name: 'idxpart1_a', table: 'idxpart1', columns: ['a'], unique: true }),
    remove('idxpart1', eq(col('b'), 2)),
    createIndex({ name: 'idxpart1_a', table: 'idxpart1', columns: ['a'], unique: true }),
    createIndex({ name: 'idxpart1_a_b', table: 'idxpart1', columns: ['a', 'b'], unique: true }),
    attachIndex('idxpart_a', 'idxpart1_a_b'),
    attachIndex('idxpart_a', 'idxpart1_a'),
    insert('idxpart', { a: 3, b: 1 }, { onConflict: { target: ['a'], action: 'nothing' } }),
    insert('idxpart', { a: 3, b: 2 }, { onConflict: { target: ['a'], action: 'nothing' } }),
    detach('idxpart', 'idxpart3'),
    select('idxpart', { orderBy: [{ column: 'b', direction: 'asc' }] }),
  ]),
  regressCase(
    gitlab(40, 'partitioned_table.postgres_partitions.order(:name).each do |partition|'),
    'concurrent-partition-indexes-then-parent',
    [
      gitlabTable,
      createIndexConcurrently({
        name: 'p_builds_100_index_token',
        table: 'p_builds_100',
        columns: ['token', 'partition_id'],
        unique: true,
      }),
      // The duplicate token of partition 101 fails its build: an INVALID index stays behind.
      createIndexConcurrently({
        name: 'p_builds_101_index_token',
        table: 'p_builds_101',
        columns: ['token', 'partition_id'],
        unique: true,
      }),
      // CREATE INDEX on the parent adopts both, the INVALID one too, and is INVALID itself:
      // ON CONFLICT finds no arbiter and the duplicate is accepted.
      createIndex({ name: 'index_token', table: 'p_builds', columns: ['token', 'partition_id'], unique: true }),
      insert(
        'p_builds',
        { id: 4, partition_id: 101, token: 'b' },
        { onConflict: { target: ['token', 'partition_id'], action: 'nothing' } },
      ),
      insert('p_builds', { id: 5, partition_id: 101, token: 'b' }),
      insert('p_builds', { id: 6, partition_id: 100, token: 'a' }),
    ],
  ),
  regressCase(
    gitlab(40, 'partitioned_table.postgres_partitions.order(:name).each do |partition|'),
    'only-parent-then-attach-partition-indexes',
    [
      gitlabTable,
      { kind: 'delete', table: 'p_builds', where: eq(col('id'), 3), options: {} },
      createIndexOnly({ name: 'index_token', table: 'p_builds', columns: ['token', 'partition_id'], unique: true }),
      createIndexConcurrently({
        name: 'p_builds_100_index_token',
        table: 'p_builds_100',
        columns: ['token', 'partition_id'],
        unique: true,
      }),
      attachIndex('index_token', 'p_builds_100_index_token'),
      insert(
        'p_builds',
        { id: 7, partition_id: 101, token: 'b' },
        { onConflict: { target: ['token', 'partition_id'], action: 'nothing' } },
      ),
      createIndexConcurrently({
        name: 'p_builds_101_index_token',
        table: 'p_builds_101',
        columns: ['token', 'partition_id'],
        unique: true,
      }),
      attachIndex('index_token', 'p_builds_101_index_token'),
      insert(
        'p_builds',
        { id: 8, partition_id: 101, token: 'b' },
        { onConflict: { target: ['token', 'partition_id'], action: 'nothing' } },
      ),
      insert('p_builds', { id: 9, partition_id: 101, token: 'b' }),
    ],
  ),
];
