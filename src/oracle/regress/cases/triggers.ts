/**
 * Ported from src/test/regress/sql/triggers.sql, the parts on partitioned tables: BEFORE row
 * triggers that would move a row to another partition, row movement with BEFORE UPDATE
 * triggers, firing order of several triggers on one table (by name), inherited triggers on
 * partitions created or attached later, and the firing state propagated by DISABLE TRIGGER.
 * WHEN clauses, UPDATE OF columns, constraint triggers and ENABLE ALWAYS are not modelled.
 */
import { col, eq } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import { attach, insert, partition, remove, table, update } from '../sql.js';
import { logRowTrigger, logStatementTrigger, raiseRowTrigger, setColumnTrigger, triggerLog } from '../triggers.js';

const at = sourceIn('triggers.sql');
const parted = [
  table('parted', 'a int, b int, c text', { partitionBy: 'a' }),
  partition('parted_1', 'parted', [1], { partitionBy: 'b' }),
  partition('parted_1_1', 'parted_1', [1]),
];
const everyEvent = ['insert', 'update', 'delete'] as const;

export const triggerCases: readonly RegressEntry[] = [
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
  unsupported(
    at(1525, '-- Test that the WHEN clause is set properly to partitions'),
    'when-clause',
    'trigger WHEN clauses are not modelled',
  ),
  unsupported(
    at(1565, '-- verify that the "AFTER UPDATE OF columns" event is propagated correctly'),
    'update-of-columns',
    'UPDATE OF column lists are not modelled',
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
];
