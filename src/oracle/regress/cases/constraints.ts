/**
 * Ported from src/test/regress/sql/constraints.sql: defaults, CHECK constraints on INSERT and
 * UPDATE, primary and unique keys (with ON CONFLICT), constraint naming on partitions, and the
 * NOT NULL cases that apply to partitioned tables. Table inheritance (INHERITS), NOT ENFORCED,
 * DEFERRABLE UNIQUE, EXCLUDE and NULLS NOT DISTINCT are not modelled and are listed as unsupported.
 */
import { and, col, eq, ge, gt, isNull, lt, ne } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import {
  addColumn,
  addConstraint,
  attach,
  check,
  detach,
  dropConstraint,
  dropNotNull,
  foreignKey,
  insert,
  partition,
  primaryKey,
  remove,
  select,
  setNotNull,
  table,
  unique,
  update,
  validate,
} from '../sql.js';

const at = sourceIn('constraints.sql');
const insertTbl = table('insert_tbl', "x int, y text default '-NULL-', z int default -1", {
  constraints: [check(and(ge(col('x'), 3), ne(col('y'), 'check failed'), lt(col('x'), 8)), 'insert_tbl_con')],
});

export const constraintCases: readonly RegressEntry[] = [
  regressCase(at(19, 'CREATE TABLE DEFAULT_TBL (i int DEFAULT 100,'), 'defaults', [
    table('default_tbl', "i int default 100, x text default 'vadim'"),
    insert('default_tbl', { i: 1, x: 'thomas' }),
    insert('default_tbl', { i: 1, x: 'bruce' }),
    insert('default_tbl', { i: 2 }),
    insert('default_tbl', { x: 'marc' }),
    insert('default_tbl', { i: 3, x: null }),
    select('default_tbl'),
  ]),
  unsupported(
    at(31, 'CREATE TABLE DEFAULTEXPR_TBL (i1 int DEFAULT 100 + (200-199) * 2,'),
    'default-expressions',
    'defaults computed by expressions are not modelled (literals, nextval and now() are)',
  ),
  regressCase(at(57, 'CREATE TABLE CHECK_TBL (x int,'), 'check-simple', [
    table('check_tbl', 'x int', { constraints: [check(gt(col('x'), 3), 'check_con')] }),
    ...[5, 4, 3, 2, 6, 1].map((x) => insert('check_tbl', { x })),
    select('check_tbl'),
  ]),
  unsupported(
    at(69, 'CREATE TABLE NE_CHECK_TBL (x int,'),
    'check-not-enforced',
    'NOT ENFORCED CHECK constraints are not modelled',
  ),
  regressCase(at(83, 'CREATE TABLE CHECK2_TBL (x int, y text, z int,'), 'check-conjunction', [
    table('check2_tbl', 'x int, y text, z int', {
      constraints: [check(and(gt(col('x'), 3), ne(col('y'), 'check failed'), lt(col('z'), 8)), 'sequence_con')],
    }),
    insert('check2_tbl', { x: 4, y: 'check ok', z: -2 }),
    insert('check2_tbl', { x: 1, y: 'x check failed', z: -2 }),
    insert('check2_tbl', { x: 5, y: 'z check failed', z: 10 }),
    insert('check2_tbl', { x: 0, y: 'check failed', z: -2 }),
    insert('check2_tbl', { x: 6, y: 'check failed', z: 11 }),
    insert('check2_tbl', { x: 7, y: 'check ok', z: 7 }),
  ]),
  regressCase(at(100, "CREATE TABLE INSERT_TBL (x INT DEFAULT nextval('insert_seq'),"), 'check-on-insert', [
    insertTbl,
    insert('insert_tbl', { x: 2, z: -2 }),
    insert('insert_tbl', { x: 1, z: -2 }),
    insert('insert_tbl', { z: -7, x: 7 }),
    insert('insert_tbl', { x: 5, y: 'check failed', z: -5 }),
    insert('insert_tbl', { x: 7, y: '!check failed', z: -7 }),
    insert('insert_tbl', { x: 5, y: 'check failed' }),
    insert('insert_tbl', { x: 5, y: '!check failed' }),
    insert('insert_tbl', { x: null, y: null, z: null }),
  ]),
  unsupported(
    at(103, "z INT DEFAULT -1 * currval('insert_seq'),"),
    'check-arithmetic-defaults',
    'currval() and defaults computed from other defaults are not modelled',
  ),
  unsupported(
    at(150, '-- Check constraints on system columns'),
    'system-columns',
    'system columns (tableoid, ctid) are not modelled',
  ),
  unsupported(
    at(170, '-- Check inheritance of defaults and constraints'),
    'inheritance',
    'table inheritance (INHERITS) is not modelled',
  ),
  regressCase(at(183, '-- Check NO INHERIT type of constraints and inheritance'), 'no-inherit-on-partitioned-refused', [
    table('atacc1', 'test int', {
      partitionBy: 'test',
      constraints: [check(gt(col('test'), 0), undefined, { noInherit: true })],
    }),
    table('atacc1', 'test int', { partitionBy: 'test' }),
    addConstraint('atacc1', check(gt(col('test'), 0), 'pos', { noInherit: true })),
    table('atacc2', 'test int', { constraints: [check(gt(col('test'), 0), undefined, { noInherit: true })] }),
    insert('atacc2', { test: -3 }),
  ]),
  regressCase(at(248, '-- Check constraints on UPDATE'), 'check-on-update', [
    insertTbl,
    insert('insert_tbl', [
      { x: 4, y: 'Y', z: -4 },
      { x: 5, y: '!check failed', z: -5 },
      { x: 6, y: 'try again', z: -6 },
      { x: 7, y: 'try again', z: -7 },
    ]),
    update('insert_tbl', { x: null }, eq(col('x'), 5)),
    update('insert_tbl', { x: 6 }, eq(col('x'), 6)),
    update('insert_tbl', { x: col('z'), z: col('x') }),
    update('insert_tbl', { y: 'check failed' }, eq(col('x'), 7)),
    update('insert_tbl', { y: 'ok' }, isNull(col('x'))),
  ]),
  unsupported(at(262, '-- Check constraints on COPY FROM'), 'copy', 'COPY is not modelled'),
  unsupported(
    at(280, '-- ALTER TABLE ALTER CONSTRAINT [NOT] ENFORCED'),
    'alter-enforced',
    'NOT ENFORCED and ALTER CONSTRAINT are not modelled',
  ),
  regressCase(at(330, 'CREATE TABLE PRIMARY_TBL (i int PRIMARY KEY, t text);'), 'primary-key', [
    table('primary_tbl', 'i int, t text', { primaryKey: ['i'] }),
    insert('primary_tbl', { i: 1, t: 'one' }),
    insert('primary_tbl', { i: 2, t: 'two' }),
    insert('primary_tbl', { i: 1, t: 'three' }),
    insert('primary_tbl', { i: 4, t: 'three' }),
    insert('primary_tbl', { i: 5, t: 'one' }),
    insert('primary_tbl', { t: 'six' }),
  ]),
  regressCase(at(343, 'CREATE TABLE PRIMARY_TBL (i int, t text,'), 'primary-key-two-columns', [
    table('primary_tbl', 'i int, t text', { primaryKey: ['i', 't'] }),
    insert('primary_tbl', { i: 1, t: 'one' }),
    insert('primary_tbl', { i: 2, t: 'two' }),
    insert('primary_tbl', { i: 1, t: 'three' }),
    insert('primary_tbl', { i: 4, t: 'three' }),
    insert('primary_tbl', { i: 5, t: 'one' }),
    insert('primary_tbl', { t: 'six' }),
  ]),
  regressCase(at(361, 'CREATE TABLE UNIQUE_TBL (i int UNIQUE, t text);'), 'unique-and-upsert', [
    table('unique_tbl', 'i int, t text', { constraints: [unique(['i'])] }),
    insert('unique_tbl', { i: 1, t: 'one' }),
    insert('unique_tbl', { i: 2, t: 'two' }),
    insert('unique_tbl', { i: 1, t: 'three' }),
    insert('unique_tbl', { i: 4, t: 'four' }),
    insert('unique_tbl', { i: 5, t: 'one' }),
    insert('unique_tbl', { t: 'six' }),
    insert('unique_tbl', { t: 'seven' }),
    insert(
      'unique_tbl',
      { i: 5, t: 'five-upsert-insert' },
      { onConflict: { target: ['i'], action: { update: { t: 'five-upsert-update' } } } },
    ),
    insert(
      'unique_tbl',
      { i: 6, t: 'six-upsert-insert' },
      { onConflict: { target: ['i'], action: { update: { t: 'six-upsert-update' } } } },
    ),
    insert(
      'unique_tbl',
      [
        { i: 1, t: 'a' },
        { i: 2, t: 'b' },
        { i: 2, t: 'b' },
      ],
      { onConflict: { target: ['i'], action: { update: { t: 'fails' } } } },
    ),
    select('unique_tbl'),
  ]),
  unsupported(
    at(380, 'CREATE TABLE UNIQUE_TBL (i int UNIQUE NULLS NOT DISTINCT, t text);'),
    'nulls-not-distinct',
    'UNIQUE NULLS NOT DISTINCT is not modelled',
  ),
  regressCase(at(395, 'CREATE TABLE UNIQUE_TBL (i int, t text,'), 'unique-two-columns', [
    table('unique_tbl', 'i int, t text', { constraints: [unique(['i', 't'])] }),
    insert('unique_tbl', { i: 1, t: 'one' }),
    insert('unique_tbl', { i: 2, t: 'two' }),
    insert('unique_tbl', { i: 1, t: 'three' }),
    insert('unique_tbl', { i: 1, t: 'one' }),
    insert('unique_tbl', { i: 5, t: 'one' }),
    insert('unique_tbl', { t: 'six' }),
    insert('unique_tbl', { t: 'six' }, { onConflict: { action: 'nothing' } }),
  ]),
  unsupported(
    at(410, '-- Deferrable unique constraints'),
    'deferrable-unique',
    'DEFERRABLE UNIQUE and PRIMARY KEY (duplicates allowed until the statement end or COMMIT) are not modelled',
  ),
  regressCase(
    at(483, '-- test naming a constraint in a partition when a conflict exists'),
    'fk-copy-renamed-on-name-conflict',
    [
      table('parted_fk_naming', 'id bigint not null default 1, id_abc bigint', {
        primaryKey: ['id'],
        partitionBy: 'id',
        constraints: [foreignKey(['id_abc'], 'parted_fk_naming', ['id'], { name: 'dummy_constr' })],
      }),
      table('parted_fk_naming_1', 'id bigint not null default 1, id_abc bigint', {
        primaryKey: ['id'],
        constraints: [check({ kind: 'literal', value: true }, 'dummy_constr')],
      }),
      attach('parted_fk_naming', 'parted_fk_naming_1', [1]),
      insert('parted_fk_naming', { id: 1, id_abc: 2 }),
    ],
  ),
  regressCase(at(484, 'CONSTRAINT dummy_constr CHECK (true)'), 'check-true', [
    table('t', 'a int', { constraints: [check({ kind: 'literal', value: true }, 'always')] }),
    insert('t', { a: 1 }),
    addConstraint('t', check({ kind: 'literal', value: false }, 'never', { notValid: true })),
    insert('t', { a: 2 }),
    validate('t', 'never'),
    remove('t'),
    validate('t', 'never'),
  ]),
  unsupported(
    at(500, '-- Test various ways to create primary keys on partitions, linked to unique'),
    'unique-index-attach',
    'ALTER INDEX … ATTACH PARTITION and CREATE INDEX ON ONLY are not modelled',
  ),
  regressCase(
    at(530, 'CREATE TABLE regress_constr_partitioned (a integer) PARTITION BY LIST (a);'),
    'partition-primary-key-then-parent-unique',
    [
      table('regress_constr_partitioned', 'a int', { partitionBy: 'a' }),
      partition('regress_constr_partition1', 'regress_constr_partitioned', [1]),
      addConstraint('regress_constr_partition1', primaryKey(['a'])),
      { kind: 'createIndex', spec: { table: 'regress_constr_partitioned', columns: ['a'], unique: true } },
      detach('regress_constr_partitioned', 'regress_constr_partition1'),
      insert('regress_constr_partition1', [{ a: 1 }, { a: 1 }]),
    ],
  ),
  unsupported(at(580, '-- EXCLUDE constraints'), 'exclude', 'EXCLUDE constraints are not modelled'),
  regressCase(at(660, '-- verify constraints created for NOT NULL clauses'), 'set-and-drop-not-null', [
    table('notnull_tbl1', 'a int not null'),
    insert('notnull_tbl1', { a: null }),
    dropNotNull('notnull_tbl1', 'a'),
    insert('notnull_tbl1', { a: null }),
    setNotNull('notnull_tbl1', 'a'),
    remove('notnull_tbl1', isNull(col('a'))),
    setNotNull('notnull_tbl1', 'a'),
    setNotNull('notnull_tbl1', 'a'),
    insert('notnull_tbl1', { a: null }),
  ]),
  regressCase(at(742, "-- can't drop not-null in primary key"), 'drop-not-null-of-primary-key', [
    table('notnull_tbl2', 'a int', { primaryKey: ['a'] }),
    dropNotNull('notnull_tbl2', 'a'),
    table('notnull_tbl3', 'a int not null', {
      constraints: [check({ kind: 'isNull', operand: col('a'), negated: true })],
    }),
    dropNotNull('notnull_tbl3', 'a'),
    addColumn('notnull_tbl3', 'b int'),
    addConstraint('notnull_tbl3', primaryKey(['a', 'b'], 'pk')),
    dropConstraint('notnull_tbl3', 'pk'),
    insert('notnull_tbl3', { a: 1, b: null }),
  ]),
  unsupported(
    at(752, '-- Primary keys cause not-null constraints to be created.'),
    'pk-not-null-inheritance',
    'table inheritance (INHERITS) is not modelled',
  ),
  regressCase(
    at(790, "-- Unique constraints don't give raise to not-null constraints, however."),
    'unique-no-not-null',
    [
      table('cnn_uq', 'a int'),
      addConstraint('cnn_uq', unique(['a'])),
      insert('cnn_uq', [{ a: null }, { a: null }, { a: 1 }]),
    ],
  ),
  regressCase(
    at(806, '-- Ensure partitions are scanned for null values when adding a PK'),
    'add-pk-scans-partitions-for-nulls',
    [
      table('cnn2_parted', 'a int', { partitionBy: 'a' }),
      partition('cnn_part1', 'cnn2_parted', [1, null]),
      insert('cnn_part1', { a: null }),
      addConstraint('cnn2_parted', primaryKey(['a'])),
    ],
  ),
  regressCase(
    at(828, "-- It's possible to remove a constraint from parents without affecting children"),
    'partition-keeps-not-null',
    [
      table('notnull_tbl6', 'a int not null, b int not null', {
        partitionBy: 'a',
        constraints: [check(gt(col('a'), 0))],
      }),
      partition('notnull_tbl6_1', 'notnull_tbl6', [1]),
      dropNotNull('notnull_tbl6_1', 'b'),
      dropNotNull('notnull_tbl6', 'b'),
      insert('notnull_tbl6', { a: 1, b: null }),
    ],
  ),
  regressCase(
    at(828, "-- It's possible to remove a constraint from parents without affecting children"),
    'not-valid-check-and-new-partition',
    [
      table('notnull_tbl6', 'a int, b int', { partitionBy: 'a' }),
      partition('notnull_tbl6_1', 'notnull_tbl6', [1]),
      insert('notnull_tbl6', { a: 1, b: -1 }),
      addConstraint('notnull_tbl6', check(gt(col('b'), 0), 'b_pos', { notValid: true })),
      partition('notnull_tbl6_2', 'notnull_tbl6', [2]),
      addConstraint('notnull_tbl6', check(lt(col('a'), col('b')))),
      remove('notnull_tbl6'),
      addConstraint('notnull_tbl6', check(lt(col('a'), col('b')))),
      insert('notnull_tbl6', { a: 2, b: 1 }),
    ],
  ),
  unsupported(
    at(842, '-- NOT NULL NOT VALID'),
    'not-null-not-valid',
    'NOT NULL … NOT VALID constraints (PostgreSQL 18) are not modelled',
  ),
  regressCase(at(853, 'ALTER TABLE notnull_tbl1 ALTER a SET NOT NULL;'), 'set-not-null-scans', [
    table('notnull_tbl1', 'a int, b int'),
    insert('notnull_tbl1', [
      { a: null, b: 1 },
      { a: 300, b: 3 },
    ]),
    setNotNull('notnull_tbl1', 'a'),
    update('notnull_tbl1', { a: 100 }, eq(col('b'), 1)),
    setNotNull('notnull_tbl1', 'a'),
    addConstraint('notnull_tbl1', primaryKey(['a'])),
    insert('notnull_tbl1', { a: 100, b: 5 }),
  ]),
];
