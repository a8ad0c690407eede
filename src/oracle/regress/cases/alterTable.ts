/**
 * Ported from src/test/regress/sql/alter_table.sql, the partition parts: ATTACH PARTITION
 * (column and constraint matching, overlap, validation scans of the table and of the default
 * partition, multi-level tables), DETACH PARTITION, and which ALTER TABLE commands partitions
 * and partitioned tables refuse. RANGE and HASH bounds become LIST bounds with the same rows;
 * LIKE, typed tables, temporary tables, collations and ALTER TABLE ONLY are not modelled.
 */
import { and, col, eq, ge, gt, inList, isNotNull, isNull, le, ne, or } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import {
  addColumn, addConstraint, attach, check, detach, dropColumn, dropConstraint, dropNotNull, dropTable, insert, partition, remove, select,
  setNotNull, table, validate,
} from '../sql.js';

const at = sourceIn('alter_table.sql');
const listParted = table('list_parted', 'a int not null, b text', { partitionBy: 'a', constraints: [check(gt(col('a'), 0), 'check_a')] });
const listParted2 = table('list_parted2', 'a int, b text', { partitionBy: 'a' });

export const alterTableCases: readonly RegressEntry[] = [
  regressCase(at(2230, 'ALTER TABLE list_parted ATTACH PARTITION parent FOR VALUES IN (1);'), 'attach-ordinary-requires-partitioned-parent', [
    table('unparted', 'a int'), table('fail_part', 'a int'),
    attach('unparted', 'fail_part', [1]), listParted, attach('list_parted', 'list_parted', [1]),
  ]),
  unsupported(at(2236, '-- check any TEMP-ness'), 'temp-tables', 'temporary tables are not modelled'),
  unsupported(at(2241, '-- check that the table being attached is not a typed table'), 'typed-table', 'typed tables (OF type) are not modelled'),
  regressCase(at(2246, '-- check that the table being attached has only columns present in the parent'), 'attach-extra-column', [
    listParted, table('fail_part', 'a int not null, b text, c int'), attach('list_parted', 'fail_part', [1]),
  ]),
  regressCase(at(2251, '-- check that the table being attached has every column of the parent'), 'attach-missing-column', [
    listParted, table('fail_part', 'a int not null'), attach('list_parted', 'fail_part', [1]),
  ]),
  regressCase(at(2256, '-- check that columns match in type, collation and NOT NULL status'), 'attach-type-mismatch', [
    listParted, table('fail_part', 'b int, a int not null'), attach('list_parted', 'fail_part', [1]),
  ]),
  regressCase(at(2266, '-- check that the table being attached has all constraints of the parent'), 'attach-missing-check', [
    listParted, table('fail_part', 'b text, a int not null'), attach('list_parted', 'fail_part', [1]),
  ]),
  regressCase(at(2273, '-- check that the constraint matches in definition with parent\'s constraint'), 'attach-different-check', [
    listParted, table('fail_part', 'b text, a int not null'),
    addConstraint('fail_part', check(ge(col('a'), 0), 'check_a')), attach('list_parted', 'fail_part', [1]),
  ]),
  regressCase(at(2278, '-- check the attributes and constraints after partition is attached'), 'attach-matching-partition', [
    listParted, table('part_1', 'a int not null, b text', { constraints: [check(gt(col('a'), 0), 'check_a')] }),
    attach('list_parted', 'part_1', [1]), dropConstraint('part_1', 'check_a'), insert('list_parted', { a: 1, b: 'x' }),
  ]),
  regressCase(at(2291, '-- check that the new partition won\'t overlap with an existing partition'), 'attach-overlap-and-second-default', [
    listParted, table('part_1', 'a int not null, b text', { constraints: [check(gt(col('a'), 0), 'check_a')] }), attach('list_parted', 'part_1', [1]),
    table('fail_part', 'a int not null, b text', { constraints: [check(gt(col('a'), 0), 'check_a')] }), attach('list_parted', 'fail_part', [1]),
    table('def_part', 'a int not null, b text', { constraints: [check(gt(col('a'), 0), 'check_a')] }), attach('list_parted', 'def_part', 'default'),
    table('fail_def_part', 'a int not null, b text', { constraints: [check(gt(col('a'), 0), 'check_a')] }), attach('list_parted', 'fail_def_part', 'default'),
  ]),
  regressCase(at(2305, '-- check that violating rows are correctly reported'), 'attach-scans-rows', [
    listParted2, table('part_2', 'a int, b text'), insert('part_2', { a: 3, b: 'a' }),
    attach('list_parted2', 'part_2', [2]), remove('part_2'), attach('list_parted2', 'part_2', [2]),
  ]),
  regressCase(at(2314, '-- check partition cannot be attached if default has some row for its values'), 'attach-checks-default-partition', [
    listParted2, partition('list_parted2_def', 'list_parted2', 'default'), insert('list_parted2_def', { a: 11, b: 'z' }),
    table('part_3', 'a int, b text'), attach('list_parted2', 'part_3', [11]),
    remove('list_parted2_def', eq(col('a'), 11)), attach('list_parted2', 'part_3', [11]),
  ]),
  regressCase(at(2323, '-- adding constraints that describe the desired partition constraint'), 'attach-with-describing-check', [
    listParted2, table('part_3_4', 'a int, b text', { constraints: [check(inList(col('a'), [3]), 'check_a')] }),
    insert('part_3_4', { a: null, b: 'n' }), attach('list_parted2', 'part_3_4', [3, 4]),
    remove('part_3_4'), attach('list_parted2', 'part_3_4', [3, 4]),
    detach('list_parted2', 'part_3_4'), setNotNull('part_3_4', 'a'), attach('list_parted2', 'part_3_4', [3, 4]),
  ]),
  regressCase(at(2340, '-- check if default partition scan skipped'), 'default-partition-check-and-new-partition', [
    listParted2, partition('list_parted2_def', 'list_parted2', 'default'),
    addConstraint('list_parted2_def', check(inList(col('a'), [5, 6]), 'check_a')),
    partition('part_55_66', 'list_parted2', [55, 66]), insert('list_parted2', [{ a: 5, b: 'x' }, { a: 55, b: 'y' }]), insert('list_parted2', { a: 7, b: 'z' }),
  ]),
  regressCase(at(2350, '-- check that violating rows are correctly reported'), 'attach-with-column-checks', [
    table('range_parted', 'a int, b int', { partitionBy: 'a' }),
    table('part1', 'a int not null, b int not null', { constraints: [check(eq(col('a'), 1)), check(and(ge(col('b'), 1), le(col('b'), 10)))] }),
    insert('part1', { a: 1, b: 10 }), attach('range_parted', 'part1', [2]),
    remove('part1'), attach('range_parted', 'part1', [1]),
  ]),
  regressCase(at(2372, '-- Create default partition'), 'second-default-and-overlap-with-default-rows', [
    table('range_parted', 'a int, b int', { partitionBy: 'a' }), partition('part1', 'range_parted', [1]),
    partition('partr_def1', 'range_parted', 'default'),
    table('partr_def2', 'a int, b int'), attach('range_parted', 'partr_def2', 'default'),
    insert('partr_def1', { a: 2, b: 10 }), table('part3', 'a int, b int'),
    attach('range_parted', 'part3', [2]), attach('range_parted', 'part3', [3]),
  ]),
  regressCase(at(2386, '-- check that leaf partitions are scanned when attaching a partitioned'), 'attach-partitioned-scans-leaves', [
    listParted2, table('part_5', 'a int, b text', { partitionBy: 'b' }), partition('part_5_a', 'part_5', ['a']),
    insert('part_5_a', { a: 6, b: 'a' }), attach('list_parted2', 'part_5', [5]),
    remove('part_5_a', { kind: 'in', operand: col('a'), values: [{ kind: 'literal', value: 3 }], negated: true }),
    addConstraint('part_5', check(and(isNotNull(col('a')), eq(col('a'), 5)), 'check_a')),
    attach('list_parted2', 'part_5', [5]), detach('list_parted2', 'part_5'), dropConstraint('part_5', 'check_a'),
    addConstraint('part_5', check(inList(col('a'), [5]), 'check_a')), setNotNull('part_5', 'a'), attach('list_parted2', 'part_5', [5]),
  ]),
  regressCase(at(2420, 'CREATE TABLE part_7 ('), 'attach-two-level-with-checks', [
    listParted2,
    table('part_7', 'a int, b text', { partitionBy: 'b', constraints: [check(and(isNotNull(col('a')), eq(col('a'), 7)), 'check_a')] }),
    table('part_7_a_null', 'a int, b text', { constraints: [check(or(isNull(col('b')), eq(col('b'), 'a')), 'check_b'), check(and(isNotNull(col('a')), eq(col('a'), 7)), 'check_a')] }),
    attach('part_7', 'part_7_a_null', ['a', null]), attach('list_parted2', 'part_7', [7]),
    detach('list_parted2', 'part_7'), dropConstraint('part_7', 'check_a'),
    insert('part_7', [{ a: 8, b: null }, { a: 9, b: 'a' }]), attach('list_parted2', 'part_7', [7]),
  ]),
  regressCase(at(2442, '-- check that leaf partitions of default partition are scanned when'), 'attach-scans-default-leaves', [
    listParted2, table('part_5', 'a int, b text', { partitionBy: 'b' }), partition('part_5_a', 'part_5', ['a']),
    partition('part5_def', 'part_5', 'default', { partitionBy: 'a' }), partition('part5_def_p1', 'part5_def', [5]),
    insert('part5_def_p1', { a: 5, b: 'y' }), table('part5_p1', 'a int, b text'),
    attach('part_5', 'part5_p1', ['y']), remove('part5_def_p1', eq(col('b'), 'y')), attach('part_5', 'part5_p1', ['y']),
  ]),
  regressCase(at(2454, '-- check that the table being attached is not already a partition'), 'attach-already-partition-and-circular', [
    listParted2, partition('part_2', 'list_parted2', [2]), attach('list_parted2', 'part_2', [2]),
    table('part_5', 'a int, b text', { partitionBy: 'b' }), attach('list_parted2', 'part_5', [5]),
    attach('part_5', 'list_parted2', ['b']), attach('list_parted2', 'list_parted2', [0]),
  ]),
  regressCase(at(2461, '-- If a partitioned table being created or an existing table being attached'), 'attach-under-default-with-sub-partitions', [
    table('quuux', 'a int, b text', { partitionBy: 'a' }), partition('quuux_default', 'quuux', 'default', { partitionBy: 'b' }),
    partition('quuux_default1', 'quuux_default', ['b'], { constraints: [check(and(isNotNull(col('a')), eq(col('a'), 1)), 'check_1')] }),
    insert('quuux', { a: 1, b: 'b' }),
    table('quuux1', 'a int, b text'), attach('quuux', 'quuux1', [1]),
    table('quuux2', 'a int, b text'), attach('quuux', 'quuux2', [2]),
    dropTable('quuux1'), dropTable('quuux2'), partition('quuux1', 'quuux', [1]), remove('quuux_default1'), partition('quuux1', 'quuux', [1]), partition('quuux2', 'quuux', [2]),
  ]),
  unsupported(at(2478, '-- check validation when attaching hash partitions'), 'hash-partitions', 'HASH partitioning is not modelled'),
  regressCase(at(2530, '-- DETACH PARTITION'), 'detach-errors', [
    table('regular_table', 'a int'), detach('regular_table', 'any_name'),
    listParted2, partition('part_2', 'list_parted2', [2]), detach('list_parted2', 'part_4'),
    table('not_a_part', 'a int'), detach('list_parted2', 'not_a_part'),
    listParted, partition('part_1', 'list_parted', [1]), detach('list_parted2', 'part_1'),
  ]),
  regressCase(at(2548, '-- check that, after being detached, attinhcount/coninhcount is dropped to 0 and'), 'detached-constraints-become-local', [
    listParted, partition('part_3_4', 'list_parted', [3, 4]), detach('list_parted', 'part_3_4'),
    dropConstraint('part_3_4', 'check_a'), dropNotNull('part_3_4', 'a'), insert('part_3_4', { a: null, b: 'x' }),
  ]),
  regressCase(at(2555, '-- check that a detached partition is not dropped on dropping a partitioned table'), 'detached-partition-survives-drop', [
    table('range_parted2', 'a int', { partitionBy: 'a' }), partition('part_rp', 'range_parted2', [1]), insert('range_parted2', { a: 1 }),
    detach('range_parted2', 'part_rp'), dropTable('range_parted2'), select('part_rp'),
  ]),
  regressCase(at(2570, '-- cannot add a column to partition or drop an inherited one'), 'partition-columns-are-inherited', [
    listParted2, partition('part_2', 'list_parted2', [2]),
    addColumn('part_2', 'c text'), dropColumn('part_2', 'b'), addColumn('list_parted2', 'c int'), insert('list_parted2', { a: 2, b: 'x', c: 3 }),
    dropColumn('list_parted2', 'c'), dropColumn('list_parted2', 'a'),
  ]),
  unsupported(at(2577, '-- Nor rename, alter type'), 'rename-alter-type-partition-column', 'RENAME COLUMN and ALTER COLUMN TYPE are not modelled'),
  unsupported(at(2581, '-- cannot add/drop NOT NULL or check constraints to *only* the parent, when'), 'only-parent', 'ALTER TABLE ONLY is not modelled'),
  regressCase(at(2605, '-- cannot drop inherited NOT NULL or check constraints from partition'), 'cannot-drop-inherited-not-null-or-check', [
    listParted2, partition('part_2', 'list_parted2', [2]),
    setNotNull('list_parted2', 'b'), addConstraint('list_parted2', check(gt(col('a'), 0), 'check_a2')),
    dropNotNull('part_2', 'b'), dropConstraint('part_2', 'check_a2'),
    insert('list_parted2', { a: 2, b: null }), dropNotNull('list_parted2', 'b'), insert('list_parted2', { a: 2, b: null }),
  ]),
  regressCase(at(2610, '-- Doesn\'t make sense to add NO INHERIT constraints on partitioned tables'), 'no-inherit-check-on-partitioned', [
    listParted2, addConstraint('list_parted2', check(ne(col('b'), 'zz'), 'check_b2', { noInherit: true })),
  ]),
  unsupported(at(2613, '-- check that a partition cannot participate in regular inheritance'), 'regular-inheritance', 'table inheritance is not modelled'),
  regressCase(at(2620, '-- cannot drop or alter type of partition key columns of lower level'), 'cannot-drop-partition-key-columns', [
    listParted2, partition('part_5', 'list_parted2', [5], { partitionBy: 'b' }),
    dropColumn('list_parted2', 'b'), dropColumn('list_parted2', 'a'), dropColumn('part_5', 'b'),
  ]),
  regressCase(at(2655, '-- validate constraint on partitioned tables should only scan leaf partitions'), 'validate-on-partitioned', [
    table('parted_validate_test', 'a int', { partitionBy: 'a' }), partition('parted_validate_test_1', 'parted_validate_test', [0, 1]),
    addConstraint('parted_validate_test', check(gt(col('a'), 0), 'parted_validate_test_chka', { notValid: true })),
    validate('parted_validate_test', 'parted_validate_test_chka'),
    insert('parted_validate_test', { a: 0 }), insert('parted_validate_test', { a: 1 }),
    addConstraint('parted_validate_test', check(gt(col('a'), 0), 'chkb', { notValid: true })),
    validate('parted_validate_test_1', 'chkb'), validate('parted_validate_test', 'chkb'),
  ]),
  regressCase(at(2672, '-- check that violating rows are correctly reported when attaching as the'), 'attach-default-scans', [
    table('defpart_attach_test', 'a int', { partitionBy: 'a' }), partition('defpart_attach_test1', 'defpart_attach_test', [1]),
    table('defpart_attach_test_d', 'a int'), insert('defpart_attach_test_d', [{ a: 1 }, { a: 2 }]),
    attach('defpart_attach_test', 'defpart_attach_test_d', 'default'),
    remove('defpart_attach_test_d', eq(col('a'), 1)), addConstraint('defpart_attach_test_d', check(gt(col('a'), 1))),
    attach('defpart_attach_test', 'defpart_attach_test_d', 'default'),
    table('defpart_attach_test_2', 'a int'), attach('defpart_attach_test', 'defpart_attach_test_2', [2]),
  ]),
  unsupported(at(2700, '-- check that attaching partitions to a table while it is being used is'), 'attach-inside-trigger', 'triggers that run DDL by EXECUTE are not expressible (a trigger function cannot attach partitions)'),
  regressCase(at(2735, '/* Test case for bug #16242 */'), 'attach-default-with-not-null-default', [
    table('bar1', 'a int, b int not null default 1', { partitionBy: 'a' }), table('bar2', 'a int'), insert('bar2', { a: 1 }),
    addColumn('bar2', 'b int not null default 1'), attach('bar1', 'bar2', 'default'), select('bar1'),
  ]),
];
