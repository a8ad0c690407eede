/**
 * Ported from src/test/regress/sql/update.sql, the row-movement part ("update-partition-key"):
 * UPDATEs that move rows between partitions, through intermediate partitioned tables, with the
 * default partition, with BEFORE triggers that change or skip rows, and with statement triggers.
 * RANGE partitions become LIST partitions holding the same rows; views WITH CHECK OPTION,
 * RLS policies and RETURNING with system columns are not modelled.
 */
import { and, col, eq, gt, inList } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import { attach, insert, partition, remove, select, table, update } from '../sql.js';
import { logRowTrigger, logStatementTrigger, setColumnTrigger, skipRowTrigger, triggerLog } from '../triggers.js';

const at = sourceIn('update.sql');

/** The shape of `:init_range_parted`, as LIST partitions: a → b → c. */
export const rangeParted = [
  table('range_parted', 'a text, b bigint, c int, d int', { partitionBy: 'a' }),
  partition('part_a', 'range_parted', ['a'], { partitionBy: 'b' }),
  partition('part_a_1_a_10', 'part_a', [1, 2, 5]),
  partition('part_a_10_a_20', 'part_a', [10, 12, 15]),
  partition('part_b', 'range_parted', ['b'], { partitionBy: 'b' }),
  partition('part_b_1_b_10', 'part_b', [1, 7]),
  partition('part_b_10_b_20', 'part_b', [10, 12, 13, 15], { partitionBy: 'c' }),
  partition('part_c_1_100', 'part_b_10_b_20', [1, 96, 97, 98, 99]),
  partition('part_c_100_200', 'part_b_10_b_20', [105, 110, 146, 147, 148, 149, 150, 200]),
  insert('range_parted', [
    { a: 'a', b: 1, c: 1, d: null },
    { a: 'a', b: 10, c: 200, d: null },
    { a: 'b', b: 12, c: 96, d: 1 },
    { a: 'b', b: 13, c: 97, d: 2 },
    { a: 'b', b: 15, c: 105, d: 16 },
    { a: 'b', b: 15, c: 105, d: 19 },
  ]),
];

const listParted = [
  table('list_parted', 'a int, b int, c bigint', { partitionBy: 'a' }),
  partition('sub_parted', 'list_parted', [1], { partitionBy: 'b' }),
  table('sub_part1', 'b int, c bigint, a int'),
  attach('sub_parted', 'sub_part1', [1]),
  table('sub_part2', 'b int, c bigint, a int'),
  attach('sub_parted', 'sub_part2', [2]),
  table('list_part1', 'a int, b int, c bigint'),
  attach('list_parted', 'list_part1', [2, 3]),
  insert('list_parted', { a: 2, b: 5, c: 50 }),
  insert('list_parted', { a: 3, b: 6, c: 60 }),
  insert('sub_parted', { a: 1, b: 1, c: 60 }),
  insert('sub_parted', { a: 1, b: 2, c: 10 }),
];

export const updateCases: readonly RegressEntry[] = [
  unsupported(at(120, 'WITH CHECK OPTION'), 'check-option-views', 'views and WITH CHECK OPTION are not modelled'),
  regressCase(at(150, '-- RETURNING having whole-row vars.'), 'update-in-sub-partition', [
    rangeParted,
    update('range_parted', { c: 99 }, and(eq(col('a'), 'b'), gt(col('b'), 10), gt(col('c'), 100))),
    select('range_parted'),
  ]),
  regressCase(at(128, '-- fail, row movement with check option violation'), 'update-moves-across-levels', [
    rangeParted,
    update('range_parted', { a: 'b', b: 15, c: 110 }, eq(col('b'), 12)),
    update('range_parted', { a: 'b', b: 15 }, eq(col('c'), 200)),
    update('range_parted', { b: 7 }, eq(col('a'), 'a')),
  ]),
  regressCase(
    at(167, 'CREATE TRIGGER trig BEFORE INSERT ON part_c_1_c_20 FOR EACH ROW EXECUTE FUNCTION trigfunc();'),
    'moved-row-sees-destination-insert-trigger',
    [
      rangeParted,
      triggerLog,
      partition('part_c', 'range_parted', ['c'], { partitionBy: 'b' }),
      partition('part_c_1_c_20', 'part_c', [1, 10, 12]),
      logRowTrigger({ name: 'trig', table: 'part_c_1_c_20', timing: 'before', events: ['insert'] }, 'b'),
      update('range_parted', { a: 'c' }, inList(col('b'), [1, 10, 12])),
      select('range_parted', { where: eq(col('a'), 'c') }),
    ],
  ),
  regressCase(
    at(174, 'CREATE FUNCTION trigfunc () RETURNS TRIGGER LANGUAGE plpgsql as $$ BEGIN RETURN NULL; END; $$;'),
    'moved-row-skipped-by-destination-trigger',
    [
      rangeParted,
      partition('part_c', 'range_parted', ['c'], { partitionBy: 'b' }),
      partition('part_c_1_c_20', 'part_c', [1, 10, 12]),
      skipRowTrigger({ name: 'trig', table: 'part_c_1_c_20', events: ['insert'] }),
      update('range_parted', { a: 'c' }, inList(col('b'), [1, 10, 12])),
    ],
  ),
  unsupported(
    at(182, '-- Transition tables with update row movement'),
    'transition-tables-row-movement',
    'the trigger reads its transition tables with string_agg and RAISE NOTICE; notices are not compared',
  ),
  regressCase(
    at(222, 'CREATE TRIGGER trig_c1_100 BEFORE UPDATE OR INSERT ON part_c_1_100'),
    'before-triggers-on-destination',
    [
      rangeParted,
      setColumnTrigger({ name: 'trig_c1_100', table: 'part_c_1_100', events: ['update', 'insert'] }, 'd', { add: 1 }),
      setColumnTrigger({ name: 'trig_c100_200', table: 'part_c_100_200', events: ['update', 'insert'] }, 'd', {
        add: 10,
      }),
      update('range_parted', { c: 110 }, and(eq(col('a'), 'b'), gt(col('b'), 10), eq(col('c'), 96))),
      update('range_parted', { c: 98 }, and(eq(col('a'), 'b'), eq(col('c'), 105))),
      select('range_parted', { where: eq(col('a'), 'b') }),
    ],
  ),
  regressCase(
    at(236, '-- Case where per-partition tuple conversion map array is allocated, but the'),
    'update-partition-key-in-place',
    [rangeParted, update('range_parted', { b: 15 }, eq(col('b'), 1))],
  ),
  unsupported(
    at(250, '-- RLS policies with update-row-movement'),
    'rls-row-movement',
    'row-level security policies are not modelled',
  ),
  regressCase(at(330, '-- statement triggers with update row movement'), 'statement-triggers-row-movement', [
    rangeParted,
    triggerLog,
    ...(['delete', 'update', 'insert'] as const).map((event) =>
      logStatementTrigger({ name: `parent_${event}_trig`, table: 'range_parted', timing: 'after', events: [event] }),
    ),
    ...(['delete', 'update', 'insert'] as const).map((event) =>
      logStatementTrigger({ name: `c1_${event}_trig`, table: 'part_c_1_100', timing: 'after', events: [event] }),
    ),
    ...(['delete', 'update', 'insert'] as const).map((event) =>
      logStatementTrigger({ name: `c100_${event}_trig`, table: 'part_c_100_200', timing: 'after', events: [event] }),
    ),
    update('range_parted', { c: 99 }, gt(col('c'), 97)),
    update('part_b_10_b_20', { c: 150 }, eq(col('c'), 99)),
  ]),
  regressCase(at(378, '-- Creating default partition for range'), 'default-partition-row-movement', [
    rangeParted,
    partition('part_def', 'range_parted', 'default'),
    insert('range_parted', { a: 'c', b: 9 }),
    update('part_def', { a: 'd' }, eq(col('a'), 'c')),
    update('part_def', { a: 'a' }, eq(col('a'), 'd')),
    update('part_a_10_a_20', { a: 'ad' }, eq(col('a'), 'a')),
    update('range_parted', { a: 'ad' }, eq(col('a'), 'a')),
    update('range_parted', { a: 'bd' }, eq(col('a'), 'b')),
    update('range_parted', { a: 'a' }, eq(col('a'), 'ad')),
    update('range_parted', { a: 'b' }, eq(col('a'), 'bd')),
  ]),
  regressCase(
    at(405, "CREATE TABLE list_part1  PARTITION OF list_parted for VALUES in ('a', 'b');"),
    'default-partition-update-refused',
    [
      table('list_parted', 'a text, b int', { partitionBy: 'a' }),
      partition('list_part1', 'list_parted', ['a', 'b']),
      partition('list_default', 'list_parted', 'default'),
      insert('list_part1', { a: 'a', b: 1 }),
      insert('list_default', { a: 'd', b: 10 }),
      update('list_default', { a: 'a' }, eq(col('a'), 'd')),
      update('list_default', { a: 'x' }, eq(col('a'), 'd')),
    ],
  ),
  regressCase(at(420, 'create table utrtest (a int, b text) partition by list (a);'), 'partition-checks-and-bounds', [
    table('utrtest', 'a int, b text', { partitionBy: 'a' }),
    table('utr1', 'a int, b text', { constraints: [{ kind: 'check', expr: inList(col('a'), [1]) }] }),
    table('utr2', 'a int, b text', { constraints: [{ kind: 'check', expr: inList(col('a'), [2]) }] }),
    attach('utrtest', 'utr1', [1]),
    attach('utrtest', 'utr2', [2]),
    insert('utrtest', { a: 1, b: 'foo' }),
    insert('utrtest', { a: 2, b: 'bar' }),
    update('utrtest', { a: 2 }, eq(col('a'), 1)),
    update('utr1', { a: 2 }),
    remove('utrtest'),
  ]),
  regressCase(
    at(452, '-- Test partition constraint violation when intermediate ancestor is used and'),
    'intermediate-ancestor-bound',
    [
      listParted,
      update('sub_parted', { a: 2 }, eq(col('c'), 10)),
      insert('sub_parted', { a: 2, b: 1, c: 1 }),
      update('list_parted', { b: 7 }, eq(col('a'), 2)),
    ],
  ),
  regressCase(
    at(462, '-- Test the case where BR UPDATE triggers change the partition key.'),
    'before-trigger-changes-partition-key',
    [
      listParted,
      setColumnTrigger({ name: 'parted_mod_b', table: 'sub_part1', events: ['update'] }, 'b', { value: 2 }),
      update('list_parted', { c: 70 }, eq(col('b'), 1)),
      select('list_parted'),
    ],
  ),
  regressCase(
    at(478, '-- If BR DELETE trigger prevented DELETE from happening, we should also skip'),
    'before-delete-trigger-skips-move',
    [
      listParted,
      skipRowTrigger({ name: 'trig_skip_delete', table: 'sub_part2', events: ['delete'] }),
      update('list_parted', { b: 1 }, eq(col('c'), 10)),
      select('list_parted'),
    ],
  ),
];
