/**
 * Ported from src/test/regress/sql/create_index.sql, the concurrent index builds and drops
 * (GitLab's `add_concurrent_index` / `remove_concurrent_index`): CREATE INDEX CONCURRENTLY refused
 * in a transaction block, a failed UNIQUE build leaving an INVALID index behind, and what later
 * statements do with it (no enforcement, no ON CONFLICT arbiter, its name taken, DROP INDEX
 * CONCURRENTLY removes it). Expression indexes become column indexes; IF NOT EXISTS, VACUUM FULL,
 * REINDEX and psql's \d are not modelled.
 */
import { col, eq } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import {
  begin,
  commit,
  createIndex,
  createIndexConcurrently,
  dropIndexConcurrently,
  insert,
  partition,
  remove,
  rollback,
  select,
  table,
} from '../sql.js';

const at = sourceIn('create_index.sql');

const concurHeap = [
  table('concur_heap', 'f1 text, f2 text'),
  createIndexConcurrently({ name: 'concur_index1', table: 'concur_heap', columns: ['f2', 'f1'] }),
  insert('concur_heap', { f1: 'a', f2: 'b' }),
  insert('concur_heap', { f1: 'b', f2: 'b' }),
  createIndexConcurrently({ name: 'concur_index2', table: 'concur_heap', columns: ['f1'], unique: true }),
  insert('concur_heap', { f1: 'b', f2: 'x' }),
  // The duplicate f2 = 'b' fails the build: the index stays, INVALID.
  createIndexConcurrently({ name: 'concur_index3', table: 'concur_heap', columns: ['f2'], unique: true }),
  createIndexConcurrently({ name: 'concur_index4', table: 'concur_heap', columns: ['f2'], where: eq(col('f1'), 'a') }),
  createIndexConcurrently({ name: 'concur_index5', table: 'concur_heap', columns: ['f2'], where: eq(col('f1'), 'x') }),
  createIndexConcurrently({ table: 'concur_heap', columns: ['f2', 'f1'] }),
];

export const createIndexCases: readonly RegressEntry[] = [
  regressCase(at(1285, '-- Try some concurrent index builds'), 'concurrent-builds', [
    concurHeap,
    begin,
    createIndexConcurrently({ name: 'concur_index7', table: 'concur_heap', columns: ['f1'] }),
    commit,
    begin,
    createIndex({ name: 'std_index', table: 'concur_heap', columns: ['f2'] }),
    commit,
    select('concur_heap'),
  ]),
  regressCase(
    at(1310, '-- Failed builds are left invalid by VACUUM FULL, fixed by REINDEX'),
    'invalid-index-left-behind',
    [
      concurHeap,
      // The INVALID unique index enforces nothing and arbitrates nothing, but keeps its name.
      insert('concur_heap', { f1: 'c', f2: 'b' }),
      insert('concur_heap', { f1: 'd', f2: 'b' }, { onConflict: { target: ['f2'], action: 'nothing' } }),
      insert('concur_heap', { f1: 'd', f2: 'b' }, { onConflict: { action: 'nothing' } }),
      createIndexConcurrently({ name: 'concur_index3', table: 'concur_heap', columns: ['f2'], unique: true }),
      createIndex({ name: 'concur_index3', table: 'concur_heap', columns: ['f1'] }),
      // Dropped, then built again once the duplicates are gone: a valid index that enforces.
      dropIndexConcurrently('concur_index3'),
      remove('concur_heap', eq(col('f2'), 'b')),
      createIndexConcurrently({ name: 'concur_index3', table: 'concur_heap', columns: ['f2'], unique: true }),
      insert('concur_heap', { f1: 'e', f2: 'x' }),
      insert('concur_heap', { f1: 'e', f2: 'x' }, { onConflict: { target: ['f2'], action: 'nothing' } }),
      select('concur_heap'),
    ],
  ),
  regressCase(at(1325, '-- Try some concurrent index drops'), 'concurrent-drops', [
    concurHeap,
    dropIndexConcurrently('concur_index2'),
    dropIndexConcurrently('concur_index2', true),
    begin,
    dropIndexConcurrently('concur_index5'),
    rollback,
    dropIndexConcurrently('concur_index3', true),
    dropIndexConcurrently('concur_index4'),
    dropIndexConcurrently('concur_index5'),
    dropIndexConcurrently('concur_index1'),
    dropIndexConcurrently('concur_heap_f2_f1_idx'),
    dropIndexConcurrently('no_such_index'),
    // Partitioned tables: neither CONCURRENTLY works on the parent; a partition's attached index needs its parent's.
    table('concur_parted', 'id int, k int', { partitionBy: 'k' }),
    partition('concur_parted_1', 'concur_parted', [1]),
    createIndexConcurrently({ name: 'concur_parted_id', table: 'concur_parted', columns: ['id'] }),
    createIndexConcurrently({ name: 'concur_parted_1_id', table: 'concur_parted_1', columns: ['id'] }),
    createIndex({ name: 'concur_parted_id', table: 'concur_parted', columns: ['id'] }),
    dropIndexConcurrently('concur_parted_id'),
    dropIndexConcurrently('concur_parted_1_id'),
  ]),
];
