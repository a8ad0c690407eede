/**
 * Ported from src/test/regress/sql/triggers.sql, the statement triggers fired by foreign-key
 * cascades: `refd_table`/`trig_table` (ON UPDATE/DELETE CASCADE) and the self-referencing
 * `self_ref`. The RI action's UPDATE or DELETE runs in the query level of the statement that
 * fired it, so its AFTER STATEMENT event cancels the one an earlier statement on the same table
 * queued there (trigger.c's cancel_prior_stmt_triggers) and the statement trigger fires once.
 * PostgreSQL's triggers dump their transition tables with RAISE NOTICE; here they log a row.
 *
 * The `UPDATE OF` variants go beyond the file: they pin the divergence the random-schema diff
 * found, a self-referencing table whose UPDATE of `s` (moving the row to another partition, or
 * changing its key) cascades an `UPDATE … SET r1, rp` on the same table. The cascade's event
 * cancels the outer one even though none of its statement triggers is enabled for its SET list,
 * so `AFTER UPDATE OF s … FOR EACH STATEMENT` does not fire at all.
 */
import { col, eq, fn } from '../../../engine/expression.js';
import type { ReferentialAction } from '../../../engine/catalog.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import { foreignKey, insert, partition, primaryKey, remove, table, update } from '../sql.js';
import { logRowTrigger, logStatementTrigger, triggerLog } from '../triggers.js';

const at = sourceIn('triggers.sql');
const everyEvent = ['insert', 'update', 'delete'] as const;

const refdTable = [
  triggerLog,
  table('refd_table', 'a int, b text', { primaryKey: ['a'] }),
  table('trig_table', 'a int, b text', {
    constraints: [foreignKey(['a'], 'refd_table', undefined, { onUpdate: 'cascade', onDelete: 'cascade' })],
  }),
  logStatementTrigger({ name: 'trig_table_before_trig', table: 'trig_table', timing: 'before', events: everyEvent }),
  ...everyEvent.map((event) =>
    logStatementTrigger({ name: `trig_table_${event}_trig`, table: 'trig_table', timing: 'after', events: [event] }),
  ),
  insert('refd_table', [
    { a: 1, b: 'one' },
    { a: 2, b: 'two' },
    { a: 3, b: 'three' },
  ]),
  insert('trig_table', [
    { a: 1, b: 'one a' },
    { a: 1, b: 'one b' },
    { a: 2, b: 'two a' },
    { a: 2, b: 'two b' },
    { a: 3, b: 'three a' },
    { a: 3, b: 'three b' },
  ]),
];

/** A LIST-partitioned table referencing itself through (r1, rp), with an `UPDATE OF s` statement trigger. */
function selfReferencingParted(onUpdate: ReferentialAction, onDelete: ReferentialAction) {
  return [
    triggerLog,
    table('self_parted', 'k1 int, p int, s text, r1 int, rp int', {
      partitionBy: 'p',
      constraints: [primaryKey(['k1', 'p'])],
    }),
    partition('self_parted_1', 'self_parted', [1]),
    partition('self_parted_2', 'self_parted', [2]),
    {
      kind: 'addConstraint' as const,
      table: 'self_parted',
      constraint: foreignKey(['r1', 'rp'], 'self_parted', ['k1', 'p'], { onUpdate, onDelete }),
    },
    {
      ...logStatementTrigger({ name: 'upd_of_s', table: 'self_parted', timing: 'after', events: ['update'] }),
      updateOf: ['s'],
    },
    logStatementTrigger({ name: 'del_any', table: 'self_parted', timing: 'after', events: ['delete'] }),
    insert('self_parted', [
      { k1: 1, p: 1, s: 'a' },
      { k1: 2, p: 1, s: 'b', r1: 1, rp: 1 },
      { k1: 3, p: 1, s: 'c' },
    ]),
  ];
}

export const triggerCascadeCases: readonly RegressEntry[] = [
  regressCase(
    at(2128, '-- Test firing of triggers with transition tables by foreign key cascades'),
    'fk-cascade-statement-triggers',
    [
      refdTable,
      update('refd_table', { a: 11 }, eq(col('b'), 'one')),
      remove('refd_table', eq(fn('length', col('b')), 3)),
    ],
  ),
  regressCase(at(2168, '-- self-referential FKs are even more fun'), 'self-referential-cascade-statement-triggers', [
    triggerLog,
    table('self_ref', 'a int, b int', {
      primaryKey: ['a'],
      constraints: [foreignKey(['b'], 'self_ref', ['a'], { onDelete: 'cascade' })],
    }),
    logStatementTrigger({ name: 'self_ref_before_trig', table: 'self_ref', timing: 'before', events: ['delete'] }),
    logRowTrigger({ name: 'self_ref_r_trig', table: 'self_ref', timing: 'after', events: ['delete'] }, 'a'),
    logStatementTrigger({ name: 'self_ref_s_trig', table: 'self_ref', timing: 'after', events: ['delete'] }),
    insert('self_ref', [
      { a: 1, b: null },
      { a: 2, b: 1 },
      { a: 3, b: 2 },
    ]),
    remove('self_ref', eq(col('a'), 1)),
    { kind: 'dropTrigger', table: 'self_ref', name: 'self_ref_r_trig', options: {} },
    insert('self_ref', [
      { a: 1, b: null },
      { a: 2, b: 1 },
      { a: 3, b: 2 },
      { a: 4, b: 3 },
    ]),
    remove('self_ref', eq(col('a'), 1)),
  ]),
  // The divergence of the random-schema diff: the row of k1 = 1 moves to partition 2 and its
  // referencing row follows by the cascade; the UPDATE OF s trigger stays silent.
  regressCase(at(2168, '-- self-referential FKs are even more fun'), 'self-referential-row-move-cancels-update-of', [
    selfReferencingParted('cascade', 'cascade'),
    update('self_parted', { p: 2, s: 'moved' }, eq(col('k1'), 1)),
    // Nothing references k1 = 3, but the RI action still runs its UPDATE and cancels the event.
    update('self_parted', { k1: 7, s: 'renamed' }, eq(col('k1'), 3)),
    // No key changes: no RI action, so UPDATE OF s fires.
    update('self_parted', { s: 'plain' }, eq(col('k1'), 2)),
  ]),
  regressCase(at(2168, '-- self-referential FKs are even more fun'), 'self-referential-set-null-cancels-update-of', [
    selfReferencingParted('set null', 'set null'),
    update('self_parted', { p: 2, s: 'moved' }, eq(col('k1'), 1)),
    remove('self_parted', eq(col('k1'), 3)),
  ]),
];
