/**
 * ALTER TABLE … ADD { PRIMARY KEY | UNIQUE } USING INDEX, ported from the "Test ADD CONSTRAINT
 * USING INDEX" section of src/test/regress/sql/create_index.sql and the "constraints with
 * existing index" tests of alter_table.sql: the index becomes the constraint's (renamed to a
 * given constraint name), and the refusals of transformIndexConstraint and
 * ATExecAddIndexConstraint. `varchar(10)` and `char` columns become text; the index with
 * non-default sort order or collation (`a desc`, `collate "POSIX"`) and multi-command ALTER TABLE
 * are not modelled (the DROP and ADD run as two statements). Also the shape GitLab's migrations
 * use to swap a primary key without holding a lock during the build: CREATE UNIQUE INDEX
 * CONCURRENTLY, then ADD … USING INDEX in the migration's transaction.
 */
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import {
  addConstraint,
  begin,
  commit,
  createIndex,
  createIndexConcurrently,
  dropConstraint,
  dropIndex,
  insert,
  keyUsingIndex,
  partition,
  table,
  unique,
} from '../sql.js';
import { col, gt } from '../../../engine/expression.js';

const createIndexSql = sourceIn('create_index.sql');
const alterTableSql = sourceIn('alter_table.sql');

const cwiTest = [
  table('cwi_test', 'a int, b text, c text'),
  insert('cwi_test', [
    { a: 1, b: '2' },
    { a: 3, b: '4' },
    { a: 5, b: '6' },
  ]),
  createIndex({ name: 'cwi_uniq_idx', table: 'cwi_test', columns: ['a', 'b'], unique: true }),
  addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_uniq_idx')),
  createIndex({ name: 'cwi_uniq2_idx', table: 'cwi_test', columns: ['b', 'a'], unique: true }),
  dropConstraint('cwi_test', 'cwi_uniq_idx'),
  addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_uniq2_idx', 'cwi_replaced_pkey')),
  // Should fail: a constraint depends on it.
  dropIndex('cwi_replaced_pkey'),
];

export const usingIndexCases: readonly RegressEntry[] = [
  regressCase(createIndexSql(1350, '-- Test ADD CONSTRAINT USING INDEX'), 'add-constraint-using-index', [
    cwiTest,
    // The key is enforced through the adopted index, and its columns are NOT NULL now.
    insert('cwi_test', { a: 1, b: '2' }),
    insert('cwi_test', { a: null, b: '8' }),
    // ADD CONSTRAINT USING INDEX is forbidden on partitioned tables.
    table('cwi_parted', 'a int', { partitionBy: 'a' }),
    partition('cwi_parted_1', 'cwi_parted', [1]),
    createIndex({ table: 'cwi_parted', columns: ['a'], unique: true }),
    addConstraint('cwi_parted', keyUsingIndex('primaryKey', 'cwi_parted_a_idx')),
  ]),
  regressCase(
    alterTableSql(1160, "-- Tests for 'constraints with existing index' feature"),
    'constraints-with-existing-index',
    [
      cwiTest,
      // Should fail: the index was renamed.
      dropIndex('cwi_uniq2_idx'),
      createIndex({ name: 'cwi_uniq2_idx', table: 'cwi_test', columns: ['a', 'b'], unique: true }),
      addConstraint('cwi_test', keyUsingIndex('unique', 'cwi_uniq2_idx')),
      // Should fail: the index does not exist.
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_idx_doesnt_exist')),
      addConstraint('cwi_test', unique(['a'])),
      // Should fail: already attached to a constraint.
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_test_a_key')),
      createIndex({ name: 'cwi_idx1', table: 'cwi_test', columns: ['a', 'b'] }),
      // Should fail: not unique.
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_idx1')),
      createIndex({ name: 'cwi_idx2', table: 'cwi_test', columns: ['a', 'b'], unique: true }),
      // Should fail: a primary key exists already.
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_idx2')),
      dropConstraint('cwi_test', 'cwi_replaced_pkey'),
      // Beyond the file: a partial index, another table's index, a table's name, and NULLs in a new primary key.
      createIndex({ name: 'cwi_partial', table: 'cwi_test', columns: ['c'], unique: true, where: gt(col('a'), 1) }),
      addConstraint('cwi_test', keyUsingIndex('unique', 'cwi_partial')),
      table('cwi_other', 'a int'),
      createIndex({ name: 'cwi_other_a', table: 'cwi_other', columns: ['a'], unique: true }),
      addConstraint('cwi_test', keyUsingIndex('unique', 'cwi_other_a')),
      addConstraint('cwi_test', keyUsingIndex('unique', 'cwi_other')),
      createIndex({ name: 'cwi_c', table: 'cwi_test', columns: ['c'], unique: true }),
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_c', 'cwi_c_pkey')),
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_idx2', 'cwi_other')),
      addConstraint('cwi_test', keyUsingIndex('primaryKey', 'cwi_idx2', 'cwi_idx2_pkey')),
      insert('cwi_test', { a: null, b: '9' }),
    ],
  ),
  regressCase(
    createIndexSql(1350, 'CREATE UNIQUE INDEX cwi_uniq_idx ON cwi_test(a , b);'),
    'concurrent-index-then-key-using-index',
    [
      table('runners', 'id int, token text'),
      insert('runners', [
        { id: 1, token: 'a' },
        { id: 2, token: 'b' },
        { id: 3, token: 'b' },
      ]),
      // The failed build leaves an INVALID index that cannot back the constraint.
      createIndexConcurrently({ name: 'index_runners_on_token', table: 'runners', columns: ['token'], unique: true }),
      addConstraint('runners', keyUsingIndex('unique', 'index_runners_on_token')),
      dropIndex('index_runners_on_token'),
      { kind: 'delete', table: 'runners', where: null, options: {} },
      createIndexConcurrently({ name: 'index_runners_on_id', table: 'runners', columns: ['id'], unique: true }),
      begin,
      addConstraint('runners', keyUsingIndex('primaryKey', 'index_runners_on_id', 'runners_pkey')),
      commit,
      insert('runners', [
        { id: 1, token: 'x' },
        { id: 1, token: 'y' },
      ]),
      insert('runners', { id: 1, token: 'z' }, { onConflict: { target: ['id'], action: 'nothing' } }),
    ],
  ),
];
