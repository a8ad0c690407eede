/**
 * Ported from src/test/regress/sql/truncate.sql: TRUNCATE inside transactions, the foreign-key
 * checks that refuse truncating a referenced table unless every referencing table is truncated
 * with it, RESTRICT and CASCADE, circular references; and the same rule on partitioned tables.
 */
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import {
  addConstraint,
  begin,
  commit,
  foreignKey,
  insert,
  partition,
  rollback,
  select,
  table,
  truncate,
} from '../sql.js';

const at = sourceIn('truncate.sql');
const truncateA = [
  table('truncate_a', 'col1 int', { primaryKey: ['col1'] }),
  insert('truncate_a', { col1: 1 }),
  insert('truncate_a', { col1: 2 }),
];
const referencing = [
  ...truncateA,
  table('trunc_b', 'a int', { constraints: [foreignKey(['a'], 'truncate_a')] }),
  table('trunc_c', 'a serial', { primaryKey: ['a'] }),
  table('trunc_d', 'a int', { constraints: [foreignKey(['a'], 'trunc_c')] }),
  table('trunc_e', 'a int, b int', { constraints: [foreignKey(['a'], 'truncate_a'), foreignKey(['b'], 'trunc_c')] }),
];
const circular = [
  referencing,
  addConstraint('truncate_a', foreignKey(['col1'], 'trunc_c')),
  insert('trunc_c', { a: 1 }),
  insert('truncate_a', { col1: 1 }),
  insert('trunc_b', { a: 1 }),
  insert('trunc_d', { a: 1 }),
  insert('trunc_e', { a: 1, b: 1 }),
];

export const truncateCases: readonly RegressEntry[] = [
  regressCase(at(6, '-- Roll truncate back'), 'rollback', [
    truncateA,
    begin,
    truncate(['truncate_a']),
    rollback,
    select('truncate_a'),
  ]),
  regressCase(at(11, '-- Commit the truncate this time'), 'commit', [
    truncateA,
    begin,
    truncate(['truncate_a']),
    commit,
    select('truncate_a'),
    insert('truncate_a', { col1: 1 }),
  ]),
  regressCase(at(17, '-- Test foreign-key checks'), 'referenced-table-refused', [
    referencing,
    truncate(['truncate_a']),
    truncate(['truncate_a', 'trunc_b']),
    truncate(['truncate_a', 'trunc_b', 'trunc_e']),
  ]),
  regressCase(at(26, 'TRUNCATE TABLE truncate_a,trunc_e;\t\t-- fail'), 'every-referencing-table-needed', [
    referencing,
    truncate(['truncate_a', 'trunc_e']),
    truncate(['trunc_c']),
    truncate(['trunc_c', 'trunc_d']),
    truncate(['trunc_c', 'trunc_d', 'trunc_e']),
    truncate(['trunc_c', 'trunc_d', 'trunc_e', 'truncate_a']),
    truncate(['trunc_c', 'trunc_d', 'trunc_e', 'truncate_a', 'trunc_b']),
  ]),
  regressCase(at(33, 'TRUNCATE TABLE truncate_a RESTRICT; -- fail'), 'restrict-and-cascade', [
    referencing,
    insert('trunc_b', { a: 1 }),
    insert('trunc_e', { a: 2, b: null }),
    truncate(['truncate_a']),
    truncate(['truncate_a'], true),
    insert('trunc_b', { a: 1 }),
  ]),
  regressCase(at(36, '-- circular references'), 'circular-references', [
    circular,
    truncate(['trunc_c']),
    truncate(['trunc_c', 'truncate_a']),
    truncate(['trunc_c', 'truncate_a', 'trunc_d']),
    truncate(['trunc_c', 'truncate_a', 'trunc_d', 'trunc_e']),
    truncate(['trunc_c', 'truncate_a', 'trunc_d', 'trunc_e', 'trunc_b']),
  ]),
  regressCase(at(57, 'TRUNCATE TABLE trunc_c CASCADE;  -- ok'), 'circular-cascade', [
    circular,
    truncate(['trunc_c'], true),
    insert('trunc_b', { a: 1 }),
  ]),
  unsupported(at(68, '-- Test ON TRUNCATE triggers'), 'truncate-triggers', 'ON TRUNCATE triggers are not modelled'),
  unsupported(
    at(118, '-- test TRUNCATE ... RESTART IDENTITY'),
    'restart-identity',
    'TRUNCATE … RESTART IDENTITY is not modelled',
  ),
  // The foreign-key rule of the section above applied to partitioned tables (the stored copy of
  // truncate.sql has no partitioned case): a referenced partition is as referenced as its parent.
  regressCase(at(17, '-- Test foreign-key checks'), 'partitioned-foreign-key-checks', [
    table('truncparted', 'a int, b text', { partitionBy: 'a' }),
    partition('truncparted1', 'truncparted', [1]),
    partition('truncparted2', 'truncparted', [2]),
    insert('truncparted', [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ]),
    truncate(['truncparted1']),
    select('truncparted'),
    truncate(['truncparted']),
    table('truncpk', 'a int', { primaryKey: ['a'], partitionBy: 'a' }),
    partition('truncpk1', 'truncpk', [1]),
    table('truncfk', 'a int', { constraints: [foreignKey(['a'], 'truncpk')] }),
    insert('truncpk', { a: 1 }),
    insert('truncfk', { a: 1 }),
    truncate(['truncpk1']),
    truncate(['truncpk']),
    truncate(['truncpk1', 'truncfk']),
    truncate(['truncpk'], true),
  ]),
];
