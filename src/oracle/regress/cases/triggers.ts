/**
 * Ported from src/test/regress/sql/triggers.sql, the parts on partitioned tables: BEFORE row
 * triggers that would move a row to another partition, row movement with BEFORE UPDATE
 * triggers, firing order of several triggers on one table (by name), inherited triggers on
 * partitions created or attached later, and the firing state propagated by DISABLE TRIGGER.
 * Also the WHEN clause and UPDATE OF column sections (`main_table`), with their bogus cases and
 * the column dependencies they create. Constraint triggers, ENABLE ALWAYS, whole-row references
 * (`OLD.* IS DISTINCT FROM NEW.*`) and system columns in WHEN are not modelled.
 */
import {
  and,
  arithmetic,
  col,
  eq,
  fn,
  ge,
  inList,
  isDistinctFrom,
  lit,
  ne,
  newCol,
  not,
  oldCol,
  upper,
} from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import { attach, begin, dropColumn, insert, partition, remove, rollback, table, update } from '../sql.js';
import { logRowTrigger, logStatementTrigger, raiseRowTrigger, setColumnTrigger, triggerLog } from '../triggers.js';

const at = sourceIn('triggers.sql');
const parted = [
  table('parted', 'a int, b int, c text', { partitionBy: 'a' }),
  partition('parted_1', 'parted', [1], { partitionBy: 'b' }),
  partition('parted_1_1', 'parted_1', [1]),
];
const everyEvent = ['insert', 'update', 'delete'] as const;

/** triggers.sql's `main_table` after its COPY and statement-trigger section, without the unique key it drops. */
const mainTable = [
  triggerLog,
  table('main_table', 'a int, b int'),
  insert('main_table', [
    { a: 5, b: 10 },
    { a: 20, b: 20 },
    { a: 30, b: 10 },
    { a: 50, b: 35 },
    { a: 80, b: 15 },
  ]),
];
const logOn = (name: string, timing: 'before' | 'after', events: readonly ('insert' | 'update' | 'delete')[]) =>
  logRowTrigger({ name, table: 'main_table', timing, events });
const logStatementOn = (
  name: string,
  timing: 'before' | 'after',
  events: readonly ('insert' | 'update' | 'delete')[],
) => logStatementTrigger({ name, table: 'main_table', timing, events });

const whenAndColumnCases: readonly RegressEntry[] = [
  regressCase(at(505, '-- test triggers with WHEN clause'), 'when-clause', [
    mainTable,
    { ...logOn('modified_a', 'before', ['update']), updateOf: ['a'], when: ne(oldCol('a'), newCol('a')) },
    { ...logOn('insert_a', 'after', ['insert']), when: eq(newCol('a'), 123) },
    { ...logOn('delete_a', 'after', ['delete']), when: eq(oldCol('a'), 123) },
    { ...logStatementOn('insert_when', 'before', ['insert']), when: lit(true) },
    { ...logStatementOn('delete_when', 'after', ['delete']), when: lit(true) },
    insert('main_table', [{ a: 123 }, { a: 456 }]),
    remove('main_table', inList(col('a'), [123, 456])),
    update('main_table', { a: 50, b: 60 }),
  ]),
  regressCase(at(548, '-- Test column-level triggers'), 'column-level-triggers', [
    mainTable,
    { ...logOn('before_upd_a_row_trig', 'before', ['update']), updateOf: ['a'] },
    { ...logOn('after_upd_b_row_trig', 'after', ['update']), updateOf: ['b'] },
    { ...logOn('after_upd_a_b_row_trig', 'after', ['update']), updateOf: ['a', 'b'] },
    { ...logStatementOn('before_upd_a_stmt_trig', 'before', ['update']), updateOf: ['a'] },
    { ...logStatementOn('after_upd_b_stmt_trig', 'after', ['update']), updateOf: ['b'] },
    update('main_table', { a: 50 }),
    update('main_table', { b: 10 }),
  ]),
  regressCase(
    at(566, '-- Test case for bug with BEFORE trigger followed by AFTER trigger with WHEN'),
    'before-then-after-when',
    [
      triggerLog,
      // The log records `id`: PostgreSQL's original logs the whole rows with RAISE NOTICE.
      table('some_t', 'id int, some_col boolean not null'),
      logRowTrigger({ name: 'some_trig_before', table: 'some_t', timing: 'before', events: ['update'] }, 'id'),
      {
        ...logRowTrigger({ name: 'some_trig_aftera', table: 'some_t', timing: 'after', events: ['update'] }, 'id'),
        when: and(not(oldCol('some_col')), newCol('some_col')),
      },
      {
        ...logRowTrigger({ name: 'some_trig_afterb', table: 'some_t', timing: 'after', events: ['update'] }, 'id'),
        when: not(newCol('some_col')),
      },
      insert('some_t', { id: 1, some_col: true }),
      update('some_t', { some_col: true }),
      update('some_t', { some_col: false }),
      update('some_t', { some_col: true }),
    ],
  ),
  regressCase(at(588, '-- bogus cases'), 'bogus-when-and-columns', [
    mainTable,
    { ...logOn('error_upd_a_a', 'before', ['update']), updateOf: ['a', 'a'] },
    { ...logOn('error_ins_when', 'before', ['insert', 'update']), when: ne(oldCol('a'), newCol('a')) },
    { ...logOn('error_del_when', 'before', ['delete', 'update']), when: ne(oldCol('a'), newCol('a')) },
    {
      ...logStatementOn('error_stmt_when', 'before', ['update']),
      updateOf: ['a'],
      when: isDistinctFrom(oldCol('a'), newCol('a')),
    },
    { ...logOn('error_upd_zz', 'before', ['update']), updateOf: ['zz'] },
  ]),
  unsupported(
    at(588, 'CREATE TRIGGER error_upd_and_col BEFORE UPDATE OR UPDATE OF a ON main_table'),
    'bogus-duplicate-events',
    'UPDATE OR UPDATE OF and INSERT OF are syntax errors the statement values cannot express',
  ),
  unsupported(
    at(598, 'FOR EACH ROW WHEN (NEW.tableoid <> 0)'),
    'when-system-column',
    'system columns (tableoid) are not modelled',
  ),
  regressCase(at(606, '-- check dependency restrictions'), 'when-and-columns-dependencies', [
    mainTable,
    { ...logOn('after_upd_b_row_trig', 'after', ['update']), updateOf: ['b'] },
    { ...logOn('after_upd_a_b_row_trig', 'after', ['update']), updateOf: ['a', 'b'] },
    { ...logOn('b_changed', 'after', ['update']), when: ne(oldCol('b'), newCol('b')) },
    dropColumn('main_table', 'b'),
    begin,
    { kind: 'dropTrigger', table: 'main_table', name: 'after_upd_a_b_row_trig', options: {} },
    { kind: 'dropTrigger', table: 'main_table', name: 'after_upd_b_row_trig', options: {} },
    { kind: 'dropTrigger', table: 'main_table', name: 'b_changed', options: {} },
    dropColumn('main_table', 'b'),
    rollback,
    dropColumn('main_table', 'b', true),
    update('main_table', { a: 1 }),
  ]),
];

export const triggerCases: readonly RegressEntry[] = [
  regressCase(
    at(1360, '-- Verify that the correct triggers fire for cross-partition updates'),
    'cross-partition-update-triggers',
    [
      triggerLog,
      table('parted_trig', 'a int', { partitionBy: 'a' }),
      partition('parted_trig1', 'parted_trig', [1]),
      partition('parted_trig2', 'parted_trig', [2]),
      insert('parted_trig', { a: 1 }),
      logStatementTrigger({
        name: 'parted_trig_before_stmt',
        table: 'parted_trig',
        timing: 'before',
        events: everyEvent,
      }),
      logRowTrigger({ name: 'parted_trig_before_row', table: 'parted_trig', timing: 'before', events: everyEvent }),
      logRowTrigger({ name: 'parted_trig_after_row', table: 'parted_trig', timing: 'after', events: everyEvent }),
      logStatementTrigger({
        name: 'parted_trig_after_stmt',
        table: 'parted_trig',
        timing: 'after',
        events: everyEvent,
      }),
      update('parted_trig', { a: 2 }, eq(col('a'), 1)),
    ],
  ),
  unsupported(
    at(1385, '-- update action in merge should behave the same'),
    'merge-cross-partition-triggers',
    'MERGE is not modelled',
  ),
  regressCase(at(1420, '-- Before triggers and partitions'), 'before-trigger-changes-partition-key', [
    parted,
    insert('parted', { a: 1, b: 1, c: 'uno uno v1' }),
    setColumnTrigger({ name: 't', table: 'parted', events: ['insert', 'update'] }, 'a', { add: 1 }),
    insert('parted', { a: 1, b: 1, c: 'uno uno v2' }),
    update('parted', { c: 'v3' }),
  ]),
  regressCase(
    at(1438, "insert into parted values (1, 1, 'uno uno v4');    -- fail"),
    'before-trigger-changes-sub-partition-key',
    [
      parted,
      insert('parted', { a: 1, b: 1, c: 'uno uno v1' }),
      setColumnTrigger({ name: 't', table: 'parted', events: ['insert', 'update'] }, 'b', { add: 1 }),
      insert('parted', { a: 1, b: 1, c: 'uno uno v4' }),
      update('parted', { c: 'v5' }),
    ],
  ),
  regressCase(
    at(1446, "insert into parted values (1, 1, 'uno uno');       -- works"),
    'before-trigger-changes-other-column',
    [
      parted,
      setColumnTrigger({ name: 't', table: 'parted', events: ['insert', 'update'] }, 'c', { value: 'did it' }),
      insert('parted', { a: 1, b: 1, c: 'uno uno' }),
      update('parted', { c: 'v6' }),
    ],
  ),
  regressCase(
    at(1451, '-- update itself moves tuple to new partition; trigger still works'),
    'row-movement-fires-before-triggers',
    [
      parted,
      triggerLog,
      partition('parted_2', 'parted', [2]),
      logRowTrigger({ name: 't', table: 'parted', timing: 'before', events: ['insert', 'update', 'delete'] }),
      insert('parted', { a: 1, b: 1, c: 'uno uno v5' }),
      update('parted', { a: 2 }),
    ],
  ),
  regressCase(at(1458, '-- both trigger and update change the partition'), 'trigger-and-update-change-partition', [
    parted,
    partition('parted_2', 'parted', [2]),
    setColumnTrigger({ name: 't2', table: 'parted', events: ['update'] }, 'a', { add: 1 }),
    insert('parted', { a: 1, b: 1, c: 'uno uno v6' }),
    partition('parted_3', 'parted', [3]),
    update('parted', { a: 2 }),
    update('parted', { a: 0 }),
  ]),
  unsupported(
    at(1478, 'create table parted (a int, b int, c text) partition by list ((a + b));'),
    'expression-partition-key',
    'partition keys that are expressions are not modelled',
  ),
  unsupported(
    at(1495, '-- Constraint triggers and partitioned tables'),
    'constraint-triggers',
    'constraint triggers are not modelled',
  ),
  regressCase(at(1525, '-- Test that the WHEN clause is set properly to partitions'), 'when-clause-on-partitions', [
    triggerLog,
    table('parted_trigger', 'a int, b text', { partitionBy: 'a' }),
    partition('parted_trigger_1', 'parted_trigger', [0, 1, 2, 3, 4, 5]),
    table('parted_trigger_2', 'a int, b text'),
    attach('parted_trigger', 'parted_trigger_2', [1000, 1001, 1002, 1003, 1004, 1005]),
    {
      ...logRowTrigger({ name: 'parted_trigger', table: 'parted_trigger', timing: 'after', events: ['update'] }),
      when: and(eq(arithmetic('%', newCol('a'), 2), 1), ge(fn('length', oldCol('b')), 2)),
    },
    table('parted_trigger_3', 'a int, b text', { partitionBy: 'b' }),
    partition('parted_trigger_3_1', 'parted_trigger_3', ['e', 'h']),
    partition('parted_trigger_3_2', 'parted_trigger_3', ['fff', 'ghi']),
    attach('parted_trigger', 'parted_trigger_3', [2000, 2001, 2002, 2003, 2004, 2005]),
    insert('parted_trigger', [
      { a: 0, b: 'a' },
      { a: 1, b: 'bbb' },
      { a: 2, b: 'bcd' },
      { a: 3, b: 'c' },
      { a: 1000, b: 'c' },
      { a: 1001, b: 'ddd' },
      { a: 1002, b: 'efg' },
      { a: 1003, b: 'f' },
      { a: 2000, b: 'e' },
      { a: 2001, b: 'fff' },
      { a: 2002, b: 'ghi' },
      { a: 2003, b: 'h' },
    ]),
    update('parted_trigger', { a: arithmetic('+', col('a'), 2) }),
  ]),
  regressCase(
    at(1565, '-- verify that the "AFTER UPDATE OF columns" event is propagated correctly'),
    'update-of-columns-on-partitions',
    [
      triggerLog,
      table('parted_trigger', 'a int, b text', { partitionBy: 'a' }),
      partition('parted_trigger_1', 'parted_trigger', [0, 2]),
      table('parted_trigger_2', 'a int, b text'),
      attach('parted_trigger', 'parted_trigger_2', [1000, 1002]),
      {
        ...logRowTrigger({ name: 'parted_trigger', table: 'parted_trigger', timing: 'after', events: ['update'] }),
        updateOf: ['b'],
      },
      table('parted_trigger_3', 'a int, b text', { partitionBy: 'a' }),
      partition('parted_trigger_3_1', 'parted_trigger_3', [2000, 2002]),
      partition('parted_trigger_3_2', 'parted_trigger_3', [2001, 2003]),
      attach('parted_trigger', 'parted_trigger_3', [2000, 2001, 2002, 2003]),
      insert('parted_trigger', [
        { a: 0, b: 'a' },
        { a: 1000, b: 'c' },
        { a: 2000, b: 'e' },
        { a: 2001, b: 'eeee' },
      ]),
      // No trigger fires: b is not in the SET list.
      update('parted_trigger', { a: arithmetic('+', col('a'), 2) }),
      // Every row's trigger fires (the original appends to b; upper() changes it too).
      update('parted_trigger', { b: upper(col('b')) }),
    ],
  ),
  regressCase(
    at(1580, "-- Make sure we don't end up with unnecessary copies of triggers, when"),
    'cloned-triggers-fire-once',
    [
      triggerLog,
      table('trg_clone', 'a int', { partitionBy: 'a' }),
      partition('trg_clone1', 'trg_clone', [1]),
      logRowTrigger({ name: 'tg', table: 'trg_clone', timing: 'after', events: ['insert'] }),
      partition('trg_clone2', 'trg_clone', [1000]),
      partition('trg_clone3', 'trg_clone', [2000], { partitionBy: 'a' }),
      partition('trg_clone_3_3', 'trg_clone3', [2000]),
      insert('trg_clone', [{ a: 1 }, { a: 1000 }, { a: 2000 }]),
    ],
  ),
  unsupported(
    at(1592, '-- Test the interaction between ALTER TABLE .. DISABLE TRIGGER and'),
    'disable-trigger-inheritance',
    'table inheritance and ENABLE ALWAYS are not modelled',
  ),
  regressCase(
    at(1640, '-- Verify that firing state propagates correctly on creation, too'),
    'disabled-state-propagates',
    [
      table('trgfire', 'i int', { partitionBy: 'i' }),
      partition('trgfire1', 'trgfire', [1]),
      raiseRowTrigger({ name: 'tg', table: 'trgfire', timing: 'after', events: ['insert'] }),
      insert('trgfire', { i: 1 }),
      { kind: 'disableTrigger', table: 'trgfire', name: 'tg' },
      insert('trgfire', { i: 1 }),
      partition('trgfire2', 'trgfire', [11]),
      insert('trgfire', { i: 11 }),
      table('trgfire3', 'i int'),
      attach('trgfire', 'trgfire3', [21]),
      insert('trgfire', { i: 21 }),
      partition('trgfire4', 'trgfire', [30], { partitionBy: 'i' }),
      partition('trgfire4_30', 'trgfire4', [30]),
      insert('trgfire', { i: 30 }),
      { kind: 'enableTrigger', table: 'trgfire', name: 'tg' },
      insert('trgfire', { i: 1 }),
      insert('trgfire', { i: 11 }),
      insert('trgfire', { i: 21 }),
      insert('trgfire', { i: 30 }),
    ],
  ),
  regressCase(
    at(1700, '-- Verify behavior of statement triggers on partition hierarchy with'),
    'statement-triggers-on-hierarchy',
    [
      triggerLog,
      table('parent', 'a int', { partitionBy: 'a' }),
      partition('child1', 'parent', [1]),
      partition('child2', 'parent', [2]),
      ...everyEvent.map((event) =>
        logStatementTrigger({ name: `parent_${event}`, table: 'parent', timing: 'after', events: [event] }),
      ),
      ...everyEvent.map((event) =>
        logStatementTrigger({ name: `child1_${event}`, table: 'child1', timing: 'after', events: [event] }),
      ),
      ...everyEvent.map((event) =>
        logStatementTrigger({ name: `before_${event}`, table: 'parent', timing: 'before', events: [event] }),
      ),
      insert('parent', [{ a: 1 }, { a: 2 }]),
      insert('child1', { a: 1 }),
      update('parent', { a: 2 }, eq(col('a'), 1)),
      update('child2', { a: 2 }),
      remove('parent', eq(col('a'), 2)),
      remove('child1'),
    ],
  ),
  regressCase(
    at(1405, 'create trigger parted_trig_odd after insert on parted_irreg for each row'),
    'alphabetical-firing-order',
    [
      triggerLog,
      table('trigtest', 'a int'),
      ...['c_trig', 'a_trig', 'b_trig'].map((name) =>
        logRowTrigger({ name, table: 'trigtest', timing: 'before', events: ['insert', 'delete'] }),
      ),
      ...['z_after', 'y_after'].map((name) =>
        logRowTrigger({ name, table: 'trigtest', timing: 'after', events: ['insert', 'delete'] }),
      ),
      logStatementTrigger({ name: 'm_stmt', table: 'trigtest', timing: 'after', events: ['insert', 'delete'] }),
      logStatementTrigger({ name: 'l_stmt', table: 'trigtest', timing: 'before', events: ['insert', 'delete'] }),
      insert('trigtest', [{ a: 1 }, { a: 2 }]),
      remove('trigtest', eq(col('a'), 1)),
    ],
  ),
  regressCase(
    at(1400, 'create table parted1_irreg (b text, fd int, a int);'),
    'partition-and-parent-row-triggers-order',
    [
      triggerLog,
      table('parent', 'a int', { partitionBy: 'a' }),
      partition('child1', 'parent', [1]),
      logRowTrigger({ name: 'b_parent', table: 'parent', timing: 'after', events: ['insert', 'update', 'delete'] }),
      logRowTrigger({ name: 'a_child', table: 'child1', timing: 'after', events: ['insert', 'update', 'delete'] }),
      logRowTrigger({ name: 'c_child', table: 'child1', timing: 'before', events: ['insert', 'update', 'delete'] }),
      logRowTrigger({ name: 'a_parent', table: 'parent', timing: 'before', events: ['insert', 'update', 'delete'] }),
      insert('parent', { a: 1 }),
      update('parent', { a: 1 }),
      remove('parent'),
    ],
  ),
  ...whenAndColumnCases,
];
