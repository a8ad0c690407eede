/**
 * Ported from src/test/regress/sql/foreign_key.sql, first part: single- and multi-column keys on
 * ordinary tables, their referential actions, NULL handling and ALTER TABLE ADD FOREIGN KEY.
 * MATCH FULL is not modelled: cases that use it on one column are ported as MATCH SIMPLE (the
 * same semantics for one column); the oracle renders what the engine runs, so both sides agree
 * on what is being compared.
 */
import { and, arithmetic, col, eq } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import {
  addConstraint,
  begin,
  commit,
  dropTable,
  foreignKey,
  insert,
  releaseSavepoint,
  remove,
  rollbackTo,
  savepoint,
  select,
  setConstraints,
  table,
  unique,
  update,
} from '../sql.js';

const at = sourceIn('foreign_key.sql');

/** The Deferrable constraints section's tables: `fk` references pktable, DEFERRABLE [INITIALLY DEFERRED]. */
const deferrablePair = (initiallyDeferred: boolean) => [
  table('pktable', 'id int, other int', { primaryKey: ['id'] }),
  table('fktable', 'id int, fk int', {
    primaryKey: ['id'],
    constraints: [foreignKey(['fk'], 'pktable', undefined, { deferrable: true, initiallyDeferred })],
  }),
];

const deferrableCases: readonly RegressEntry[] = [
  regressCase(at(868, '-- deferrable, explicitly deferred'), 'deferrable-explicitly-deferred', [
    deferrablePair(false),
    insert('fktable', { id: 5, fk: 10 }),
    begin,
    setConstraints('all', 'deferred'),
    insert('fktable', { id: 10, fk: 15 }),
    insert('pktable', { id: 15, other: 0 }),
    commit,
  ]),
  regressCase(at(893, '-- deferrable, initially deferred'), 'deferrable-initially-deferred', [
    deferrablePair(true),
    begin,
    insert('fktable', { id: 100, fk: 200 }),
    insert('pktable', { id: 200, other: 500 }),
    commit,
    begin,
    setConstraints('all', 'immediate'),
    insert('fktable', { id: 500, fk: 1000 }),
    commit,
    // The section then toggles NOT ENFORCED (not modelled) and checks the key still defers.
    begin,
    insert('fktable', { id: 2, fk: 20 }),
    commit,
  ]),
  unsupported(
    at(925, '-- Changing the constraint to NOT ENFORCED drops the associated FK triggers'),
    'deferrable-not-enforced',
    'ALTER CONSTRAINT … [NOT] ENFORCED and pg_trigger are not modelled',
  ),
  regressCase(
    at(960, '-- tricky behavior: according to SQL99, if a deferred constraint is set'),
    'set-immediate-is-retroactive',
    [
      deferrablePair(false),
      begin,
      setConstraints('all', 'deferred'),
      insert('fktable', { id: 1000, fk: 2000 }),
      setConstraints('all', 'immediate'),
      insert('pktable', { id: 2000, other: 3 }),
      commit,
    ],
  ),
  regressCase(at(990, '-- error here on commit'), 'deferred-error-at-commit', [
    deferrablePair(true),
    begin,
    insert('fktable', { id: 100, fk: 200 }),
    commit,
    select('fktable'),
  ]),
  regressCase(
    at(1068, '-- test a tricky case: we can elide firing the FK check trigger during'),
    'deferred-check-after-update-of-new-row',
    [
      deferrablePair(true),
      insert('pktable', { id: 5, other: 10 }),
      // The UPDATE leaves fk alone, but the row is this transaction's own: its check still runs.
      begin,
      insert('fktable', { id: 0, fk: 20 }),
      update('fktable', { id: arithmetic('+', col('id'), 1) }),
      commit,
      // The same with the UPDATE in a subtransaction.
      begin,
      insert('fktable', { id: 0, fk: 20 }),
      savepoint('savept1'),
      update('fktable', { id: arithmetic('+', col('id'), 1) }),
      commit,
      // The INSERT in a released subtransaction.
      begin,
      savepoint('savept1'),
      insert('fktable', { id: 0, fk: 20 }),
      releaseSavepoint('savept1'),
      update('fktable', { id: arithmetic('+', col('id'), 1) }),
      commit,
      // The UPDATE rolled back: the INSERT's own check fires at COMMIT.
      begin,
      insert('fktable', { id: 0, fk: 20 }),
      savepoint('savept1'),
      update('fktable', { id: arithmetic('+', col('id'), 1) }),
      rollbackTo('savept1'),
      commit,
    ],
  ),
  regressCase(at(1120, '-- check ALTER CONSTRAINT'), 'deferred-no-action-on-referenced-side', [
    deferrablePair(true),
    insert('pktable', { id: 5, other: 10 }),
    insert('fktable', { id: 1, fk: 5 }),
    // NO ACTION on the referenced side waits too: the key is back before COMMIT.
    begin,
    update('pktable', { id: 10 }, eq(col('id'), 5)),
    update('pktable', { id: 5 }, eq(col('id'), 10)),
    commit,
    begin,
    update('pktable', { id: 10 }, eq(col('id'), 5)),
    commit,
    begin,
    setConstraints(['fktable_fk_fkey'], 'immediate'),
    remove('pktable', eq(col('id'), 5)),
    commit,
  ]),
  unsupported(
    at(1120, 'ALTER TABLE fktable ALTER CONSTRAINT fktable_fk_fkey DEFERRABLE INITIALLY IMMEDIATE;'),
    'alter-constraint',
    'ALTER CONSTRAINT (deferrability, ENFORCED) is not modelled',
  ),
  regressCase(at(868, '-- Deferrable constraints'), 'set-constraints-errors', [
    deferrablePair(false),
    table('plain_fk', 'fk int', { constraints: [foreignKey(['fk'], 'pktable', undefined, { name: 'plain_fk_fkey' })] }),
    table('bad_fk', 'fk int', {
      constraints: [foreignKey(['fk'], 'pktable', undefined, { deferrable: false, initiallyDeferred: true })],
    }),
    setConstraints('all', 'deferred'),
    setConstraints(['nosuch'], 'immediate'),
    begin,
    setConstraints(['plain_fk_fkey'], 'deferred'),
    commit,
    begin,
    setConstraints(['fktable_fk_fkey', 'pktable_pkey'], 'deferred'),
    commit,
    begin,
    setConstraints(['fktable_fk_fkey', 'pktable_pkey', 'plain_fk_fkey'], 'immediate'),
    commit,
    begin,
    setConstraints(['fktable_fk_fkey'], 'deferred'),
    insert('fktable', { id: 1, fk: 7 }),
    insert('plain_fk', { fk: 7 }),
    rollbackTo('nosuch'),
    commit,
    // A savepoint rolled back takes its deferred events and its SET CONSTRAINTS with it.
    begin,
    savepoint('a'),
    setConstraints(['fktable_fk_fkey'], 'deferred'),
    insert('fktable', { id: 2, fk: 8 }),
    rollbackTo('a'),
    insert('fktable', { id: 3, fk: 9 }),
    commit,
    begin,
    setConstraints('all', 'deferred'),
    insert('fktable', { id: 4, fk: 9 }),
    savepoint('b'),
    setConstraints('all', 'immediate'),
    rollbackTo('b'),
    insert('pktable', { id: 9, other: 0 }),
    commit,
    select('fktable'),
  ]),
];

const pk1 = table('pktable', 'ptest1 int, ptest2 text', { primaryKey: ['ptest1'] });
const pkRows1 = [1, 2, 3, 4, 5].map((n) => insert('pktable', { ptest1: n, ptest2: `Test${n}` }));
const pk2 = table('pktable', 'ptest1 int, ptest2 int, ptest3 text', { primaryKey: ['ptest1', 'ptest2'] });
const pkRows2 = [
  [1, 2, 'Test1'],
  [1, 3, 'Test1-2'],
  [2, 4, 'Test2'],
  [3, 6, 'Test3'],
  [4, 8, 'Test4'],
  [5, 10, 'Test5'],
].map(([a, b, c]) => insert('pktable', { ptest1: a!, ptest2: b!, ptest3: c! }));
const pk3 = (uniqueOnly = false) =>
  table(
    'pktable',
    'ptest1 int, ptest2 int, ptest3 int, ptest4 text',
    uniqueOnly
      ? { constraints: [unique(['ptest1', 'ptest2', 'ptest3'])] }
      : { primaryKey: ['ptest1', 'ptest2', 'ptest3'] },
  );
const pkRows3 = [
  [1, 2, 3, 'test1'],
  [1, 3, 3, 'test2'],
  [2, 3, 4, 'test3'],
  [2, 4, 5, 'test4'],
].map(([a, b, c, d]) => insert('pktable', { ptest1: a!, ptest2: b!, ptest3: c!, ptest4: d! }));
const fkRows3 = [
  [1, 2, 3, 1],
  [null, 2, 3, 2],
  [2, null, 3, 3],
  [null, 2, 7, 4],
  [null, 3, 4, 5],
  [1, 2, 7, 6],
].map(([a, b, c, d]) => insert('fktable', { ftest1: a!, ftest2: b!, ftest3: c!, ftest4: d! }));
const fk3 = (onDelete?: 'cascade' | 'set null', onUpdate?: 'cascade' | 'set null') =>
  table('fktable', 'ftest1 int, ftest2 int, ftest3 int, ftest4 int', {
    constraints: [
      foreignKey(['ftest1', 'ftest2', 'ftest3'], 'pktable', undefined, {
        name: 'constrname3',
        ...(onDelete ? { onDelete } : {}),
        ...(onUpdate ? { onUpdate } : {}),
      }),
    ],
  });

export const foreignKeyBasicCases: readonly RegressEntry[] = [
  unsupported(at(5, '-- NOT ENFORCED'), 'not-enforced', 'NOT ENFORCED foreign keys (PostgreSQL 18) are not modelled'),
  regressCase(at(34, '-- MATCH FULL'), 'cascade-one-column', [
    pk1,
    table('fktable', 'ftest1 int, ftest2 int', {
      constraints: [foreignKey(['ftest1'], 'pktable', undefined, { onDelete: 'cascade', onUpdate: 'cascade' })],
    }),
    pkRows1,
    insert('fktable', [
      { ftest1: 1, ftest2: 2 },
      { ftest1: 2, ftest2: 3 },
      { ftest1: 3, ftest2: 4 },
      { ftest1: null, ftest2: 1 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2 }),
    remove('pktable', eq(col('ptest1'), 1)),
    select('fktable'),
    update('pktable', { ptest1: 1 }, eq(col('ptest1'), 2)),
    select('fktable'),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  regressCase(at(70, '-- check set NULL and table constraint on multiple columns'), 'set-null-two-columns', [
    pk2,
    table('fktable', 'ftest1 int, ftest2 int, ftest3 int', {
      constraints: [
        foreignKey(['ftest1', 'ftest2'], 'pktable', undefined, {
          name: 'constrname',
          onDelete: 'set null',
          onUpdate: 'set null',
        }),
      ],
    }),
    pkRows2,
    insert('fktable', [
      { ftest1: 1, ftest2: 2, ftest3: 4 },
      { ftest1: 1, ftest2: 3, ftest3: 5 },
      { ftest1: 2, ftest2: 4, ftest3: 8 },
      { ftest1: 3, ftest2: 6, ftest3: 12 },
      { ftest1: null, ftest2: null, ftest3: 0 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: 2, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: null, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: 1, ftest2: null, ftest3: 4 }),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 2))),
    select('fktable'),
    remove('pktable', and(eq(col('ptest1'), 5), eq(col('ptest2'), 10))),
    update('pktable', { ptest1: 1 }, eq(col('ptest1'), 2)),
    select('fktable'),
    update('fktable', { ftest1: null }, eq(col('ftest1'), 1)),
    update('fktable', { ftest1: 1 }, eq(col('ftest1'), 1)),
    dropTable('pktable', true),
    dropTable('fktable'),
  ]),
  unsupported(
    at(140, '-- check set default and table constraint on multiple columns'),
    'set-default',
    'ON DELETE/UPDATE SET DEFAULT is not modelled',
  ),
  regressCase(at(196, '-- First test, check with no on delete or on update'), 'no-action', [
    pk1,
    table('fktable', 'ftest1 int, ftest2 int', { constraints: [foreignKey(['ftest1'], 'pktable')] }),
    pkRows1,
    insert('fktable', [
      { ftest1: 1, ftest2: 2 },
      { ftest1: 2, ftest2: 3 },
      { ftest1: 3, ftest2: 4 },
      { ftest1: null, ftest2: 1 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2 }),
    remove('pktable', eq(col('ptest1'), 1)),
    remove('pktable', eq(col('ptest1'), 5)),
    update('pktable', { ptest1: 0 }, eq(col('ptest1'), 2)),
    update('pktable', { ptest1: 0 }, eq(col('ptest1'), 4)),
    select('pktable'),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  unsupported(at(246, '-- Check RLS'), 'row-level-security', 'roles, GRANT and row-level security are not modelled'),
  unsupported(at(275, '-- Check ACL'), 'acl', 'roles and privileges are not modelled'),
  regressCase(at(303, '-- Check initial check upon ALTER TABLE'), 'initial-check-on-add', [
    table('pktable', 'ptest1 int, ptest2 int', { primaryKey: ['ptest1', 'ptest2'] }),
    table('fktable', 'ftest1 int, ftest2 int'),
    insert('pktable', { ptest1: 1, ptest2: 2 }),
    insert('fktable', { ftest1: 1, ftest2: null }),
    addConstraint('fktable', foreignKey(['ftest1', 'ftest2'], 'pktable')),
    insert('fktable', { ftest1: 2, ftest2: 3 }),
    addConstraint('fktable', foreignKey(['ftest1', 'ftest2'], 'pktable', undefined, { notValid: true })),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  regressCase(at(338, '-- Base test restricting update/delete'), 'match-simple-restrict', [
    pk3(),
    fk3(),
    pkRows3,
    fkRows3,
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest1: 1 }, eq(col('ptest2'), 3)),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 2), eq(col('ptest3'), 3))),
    remove('pktable', eq(col('ptest1'), 2)),
    select('pktable'),
    select('fktable'),
  ]),
  regressCase(at(372, '-- restrict with null values'), 'restrict-with-nulls', [
    pk3(true),
    table('fktable', 'ftest1 int, ftest2 int, ftest3 int, ftest4 int', {
      constraints: [
        foreignKey(['ftest1', 'ftest2', 'ftest3'], 'pktable', ['ptest1', 'ptest2', 'ptest3'], { name: 'constrname3' }),
      ],
    }),
    insert('pktable', { ptest1: 1, ptest2: 2, ptest3: 3, ptest4: 'test1' }),
    insert('pktable', { ptest1: 1, ptest2: 3, ptest3: null, ptest4: 'test2' }),
    insert('pktable', { ptest1: 2, ptest2: null, ptest3: 4, ptest4: 'test3' }),
    insert('fktable', { ftest1: 1, ftest2: 2, ftest3: 3, ftest4: 1 }),
    remove('pktable', eq(col('ptest1'), 2)),
    select('pktable'),
  ]),
  regressCase(at(391, '-- cascade update/delete'), 'cascade-three-columns', [
    pk3(),
    fk3('cascade', 'cascade'),
    pkRows3,
    fkRows3,
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest1: 1 }, eq(col('ptest2'), 3)),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 5), eq(col('ptest3'), 3))),
    remove('pktable', eq(col('ptest1'), 2)),
  ]),
  regressCase(at(436, '-- set null update / set default delete'), 'set-null-update', [
    pk3(),
    fk3(undefined, 'set null'),
    pkRows3,
    fkRows3,
    insert('fktable', { ftest1: 2, ftest2: 3, ftest3: 4, ftest4: 1 }),
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest2: 2 }, and(eq(col('ptest2'), 3), eq(col('ptest1'), 1))),
    remove('pktable', and(eq(col('ptest1'), 2), eq(col('ptest2'), 3), eq(col('ptest3'), 4))),
    remove('pktable', eq(col('ptest2'), 5)),
  ]),
  regressCase(at(482, '-- set default update / set null delete'), 'set-null-delete', [
    pk3(),
    fk3('set null'),
    pkRows3,
    insert('pktable', { ptest1: 2, ptest2: -1, ptest3: 5, ptest4: 'test5' }),
    fkRows3,
    update('pktable', { ptest2: 10 }, eq(col('ptest2'), 4)),
    update('pktable', { ptest2: 2 }, and(eq(col('ptest2'), 3), eq(col('ptest1'), 1))),
    remove('pktable', and(eq(col('ptest1'), 2), eq(col('ptest2'), 3), eq(col('ptest3'), 4))),
    remove('pktable', eq(col('ptest2'), 2)),
  ]),
  ...deferrableCases,
  regressCase(
    at(1185, '-- test order of firing of FK triggers when several RI-induced changes need to'),
    'several-ri-changes-to-one-row',
    [
      table('users', 'id int, name text not null', { primaryKey: ['id'] }),
      insert('users', [
        { id: 1, name: 'Jozko' },
        { id: 2, name: 'Ferko' },
        { id: 3, name: 'Samko' },
      ]),
      table('tasks', 'id int, owner int, worker int, checked_by int', {
        primaryKey: ['id'],
        constraints: ['owner', 'worker', 'checked_by'].map((column) =>
          foreignKey([column], 'users', undefined, { onUpdate: 'cascade', onDelete: 'set null' }),
        ),
      }),
      insert('tasks', [
        { id: 1, owner: 1, worker: null, checked_by: null },
        { id: 2, owner: 2, worker: 2, checked_by: null },
        { id: 3, owner: 3, worker: 3, checked_by: 3 },
      ]),
      update('users', { id: 4 }, eq(col('id'), 3)),
      remove('users', eq(col('id'), 4)),
      begin,
      update('tasks', { id: col('id') }, eq(col('id'), 2)),
      remove('users', eq(col('id'), 2)),
      commit,
    ],
  ),
  regressCase(at(1222, '-- Test self-referential FK with CASCADE (bug #6268)'), 'self-referential-cascade', [
    table('selfref', 'a int, b int', {
      primaryKey: ['a'],
      constraints: [foreignKey(['b'], 'selfref', ['a'], { onUpdate: 'cascade', onDelete: 'cascade' })],
    }),
    insert('selfref', [
      { a: 0, b: 0 },
      { a: 1, b: 1 },
    ]),
    begin,
    update('selfref', { a: 123 }, eq(col('a'), 0)),
    update('selfref', { a: 456 }, eq(col('a'), 123)),
    commit,
  ]),
  unsupported(
    at(1240, '-- Test that SET DEFAULT actions recognize updates to default values'),
    'set-default-recognizes-new-default',
    'SET DEFAULT referential actions are not modelled',
  ),
  regressCase(at(1256, '-- Test the difference between NO ACTION and RESTRICT'), 'no-action-versus-restrict', [
    table('pp', 'f1 int', { primaryKey: ['f1'] }),
    table('cc', 'f1 int', {
      constraints: [foreignKey(['f1'], 'pp', undefined, { onUpdate: 'no action', onDelete: 'no action' })],
    }),
    insert('pp', { f1: 12 }),
    insert('pp', { f1: 11 }),
    update('pp', { f1: arithmetic('+', col('f1'), 1) }),
    insert('cc', { f1: 13 }),
    update('pp', { f1: arithmetic('+', col('f1'), 1) }),
    update('pp', { f1: arithmetic('+', col('f1'), 1) }),
    remove('pp', eq(col('f1'), 13)),
  ]),
  regressCase(
    at(1268, 'create temp table cc (f1 int references pp on update restrict on delete restrict);'),
    'restrict-versus-no-action',
    [
      table('pp', 'f1 int', { primaryKey: ['f1'] }),
      table('cc', 'f1 int', {
        constraints: [foreignKey(['f1'], 'pp', undefined, { onUpdate: 'restrict', onDelete: 'restrict' })],
      }),
      insert('pp', { f1: 12 }),
      insert('pp', { f1: 11 }),
      update('pp', { f1: arithmetic('+', col('f1'), 1) }),
      insert('cc', { f1: 13 }),
      update('pp', { f1: arithmetic('+', col('f1'), 1) }),
      remove('pp', eq(col('f1'), 13)),
    ],
  ),
  unsupported(
    at(1278, '-- Test interaction of foreign-key optimization with rules (bug #14219)'),
    'fk-and-rules',
    'rules are not modelled',
  ),
  unsupported(
    at(1030, '-- test notice about expensive referential integrity checks,'),
    'fk-type-promotion',
    'varchar, real and cross-type key comparisons are not modelled',
  ),
];
