/**
 * Ported from src/test/regress/sql/alter_table.sql, the sections on adding CHECK, UNIQUE and
 * PRIMARY KEY constraints to existing tables, on SET/DROP NOT NULL, and on SET NOT NULL proved by a
 * validated CHECK (`col IS NOT NULL`) instead of a table scan. ALTER TABLE with several commands is
 * ported one command per statement where the commands are independent; table inheritance, views,
 * system catalogs and ALTER COLUMN TYPE are not modelled.
 */
import { arithmetic, col, eq, gt, isNotNull, lt, or } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import type { Statement } from '../../../engine/statements/registry.js';
import {
  addColumn,
  addConstraint,
  check,
  createIndex,
  dropColumn,
  dropConstraint,
  dropNotNull,
  foreignKey,
  insert,
  primaryKey,
  remove,
  select,
  setNotNull,
  table,
  unique,
  update,
} from '../sql.js';

const at = sourceIn('alter_table.sql');
const atacc1 = (columns = 'test int') => table('atacc1', columns);
const setDefault = (name: string, column: string, value: number | string | undefined): Statement => ({
  kind: 'setColumnDefault',
  table: name,
  column,
  value,
});
/** The original's `atacc1 (a int4 not null, b int4, c int4 not null, d int4)` after `drop a`. */
const droppedA = [
  atacc1('a int not null, b int, c int not null, d int'),
  insert('atacc1', { a: 1, b: 2, c: 3, d: 4 }),
  dropColumn('atacc1', 'a'),
];

export const alterTableConstraintCases: readonly RegressEntry[] = [
  regressCase(at(560, '-- test check constraint adding'), 'add-check', [
    atacc1(),
    addConstraint('atacc1', check(gt(col('test'), 3), 'atacc_test1')),
    insert('atacc1', { test: 2 }),
    insert('atacc1', { test: 4 }),
  ]),
  regressCase(at(570, "-- let's do one where the check fails when added"), 'add-check-fails-on-existing-row', [
    atacc1(),
    insert('atacc1', { test: 2 }),
    addConstraint('atacc1', check(gt(col('test'), 3), 'atacc_test1')),
    insert('atacc1', { test: 4 }),
  ]),
  regressCase(
    at(579, "-- let's do one where the check fails because the column doesn't exist"),
    'add-check-unknown-column',
    [atacc1(), addConstraint('atacc1', check(gt(col('test1'), 3), 'atacc_test1'))],
  ),
  regressCase(at(585, '-- something a little more complicated'), 'add-check-expression', [
    atacc1('test int, test2 int, test3 int'),
    addConstraint(
      'atacc1',
      check(lt(arithmetic('+', col('test'), col('test2')), arithmetic('*', col('test3'), 4)), 'atacc_test1'),
    ),
    insert('atacc1', { test: 4, test2: 4, test3: 2 }),
    insert('atacc1', { test: 4, test2: 4, test3: 5 }),
  ]),
  regressCase(at(595, '-- lets do some naming tests'), 'check-naming', [
    table('atacc1', 'test int, test2 int', { constraints: [check(gt(col('test'), 3))] }),
    addConstraint('atacc1', check(gt(col('test2'), col('test')))),
    insert('atacc1', { test2: 3, test: 4 }),
  ]),
  unsupported(at(602, '-- inheritance related tests'), 'check-inheritance', 'table inheritance is not modelled'),
  regressCase(at(655, '-- test unique constraint adding'), 'add-unique', [
    atacc1(),
    addConstraint('atacc1', unique(['test'], 'atacc_test1')),
    insert('atacc1', { test: 2 }),
    insert('atacc1', { test: 2 }),
    insert('atacc1', { test: 4 }),
  ]),
  unsupported(
    at(666, 'alter table atacc1 alter column test type integer using 0;'),
    'unique-alter-type',
    'ALTER COLUMN TYPE … USING is not modelled',
  ),
  regressCase(
    at(669, "-- let's do one where the unique constraint fails when added"),
    'add-unique-fails-on-duplicates',
    [
      atacc1(),
      insert('atacc1', { test: 2 }),
      insert('atacc1', { test: 2 }),
      addConstraint('atacc1', unique(['test'], 'atacc_test1')),
      insert('atacc1', { test: 3 }),
    ],
  ),
  regressCase(at(678, "-- because the column doesn't exist"), 'add-unique-unknown-column', [
    atacc1(),
    addConstraint('atacc1', unique(['test1'], 'atacc_test1')),
  ]),
  regressCase(at(684, '-- something a little more complicated'), 'add-unique-two-columns', [
    atacc1('test int, test2 int'),
    addConstraint('atacc1', unique(['test', 'test2'], 'atacc_test1')),
    insert('atacc1', { test: 4, test2: 4 }),
    insert('atacc1', { test: 4, test2: 4 }),
    insert('atacc1', { test: 4, test2: 5 }),
    insert('atacc1', { test: 5, test2: 4 }),
    insert('atacc1', { test: 5, test2: 5 }),
  ]),
  regressCase(at(698, '-- lets do some naming tests'), 'unique-naming', [
    table('atacc1', 'test int, test2 int', { constraints: [unique(['test'])] }),
    addConstraint('atacc1', unique(['test2'])),
    insert('atacc1', { test2: 3, test: 3 }),
    insert('atacc1', { test2: 2, test: 3 }),
  ]),
  regressCase(at(706, '-- test primary key constraint adding'), 'add-primary-key', [
    atacc1('id serial, test int'),
    addConstraint('atacc1', primaryKey(['test'], 'atacc_test1')),
    insert('atacc1', { test: 2 }),
    insert('atacc1', { test: 2 }),
    insert('atacc1', { test: 4 }),
    insert('atacc1', { test: null }),
    addConstraint('atacc1', primaryKey(['id'], 'atacc_oid1')),
    dropConstraint('atacc1', 'atacc_test1'),
    addConstraint('atacc1', primaryKey(['id'], 'atacc_oid1')),
  ]),
  regressCase(
    at(724, "-- let's do one where the primary key constraint fails when added"),
    'add-primary-key-fails-on-duplicates',
    [
      atacc1(),
      insert('atacc1', { test: 2 }),
      insert('atacc1', { test: 2 }),
      addConstraint('atacc1', primaryKey(['test'], 'atacc_test1')),
      insert('atacc1', { test: 3 }),
    ],
  ),
  regressCase(
    at(733, "-- let's do another one where the primary key constraint fails when added"),
    'add-primary-key-fails-on-null',
    [
      atacc1(),
      insert('atacc1', { test: null }),
      addConstraint('atacc1', primaryKey(['test'], 'atacc_test1')),
      insert('atacc1', { test: 3 }),
    ],
  ),
  regressCase(at(741, "-- let's do one where the primary key constraint fails"), 'add-primary-key-unknown-column', [
    atacc1(),
    addConstraint('atacc1', primaryKey(['test1'], 'atacc_test1')),
  ]),
  unsupported(
    at(748, '-- adding a new column as primary key to a non-empty table.'),
    'add-column-primary-key',
    'column constraints in ADD COLUMN (PRIMARY KEY) and random() defaults are not modelled',
  ),
  regressCase(at(762, '-- something a little more complicated'), 'add-composite-primary-key', [
    atacc1('test int, test2 int'),
    addConstraint('atacc1', primaryKey(['test', 'test2'], 'atacc_test1')),
    addConstraint('atacc1', primaryKey(['test'], 'atacc_test2')),
    insert('atacc1', { test: 4, test2: 4 }),
    insert('atacc1', { test: 4, test2: 4 }),
    insert('atacc1', { test: null, test2: 3 }),
    insert('atacc1', { test: 3, test2: null }),
    insert('atacc1', { test: null, test2: null }),
    insert('atacc1', { test: 4, test2: 5 }),
    insert('atacc1', { test: 5, test2: 4 }),
    insert('atacc1', { test: 5, test2: 5 }),
  ]),
  regressCase(at(780, '-- lets do some naming tests'), 'primary-key-naming', [
    table('atacc1', 'test int, test2 int', { primaryKey: ['test'] }),
    insert('atacc1', { test2: 3, test: 3 }),
    insert('atacc1', { test2: 2, test: 3 }),
    insert('atacc1', { test2: 1, test: null }),
  ]),
  unsupported(
    at(787, '-- alter table / alter column [set/drop] not null tests'),
    'not-null-system-catalogs',
    'system catalogs (pg_class) are not modelled',
  ),
  regressCase(at(796, '-- test checking for null values and primary key'), 'set-and-drop-not-null-with-primary-key', [
    atacc1('test int not null'),
    addConstraint('atacc1', primaryKey(['test'], 'atacc1_pkey')),
    dropNotNull('atacc1', 'test'),
    dropConstraint('atacc1', 'atacc1_pkey'),
    dropNotNull('atacc1', 'test'),
    insert('atacc1', { test: null }),
    setNotNull('atacc1', 'test'),
    remove('atacc1'),
    setNotNull('atacc1', 'test'),
    setNotNull('atacc1', 'bar'),
    dropNotNull('atacc1', 'bar'),
  ]),
  unsupported(
    at(811, '-- try creating a view and altering that, should fail'),
    'not-null-on-view',
    'views are not modelled',
  ),
  regressCase(at(818, '-- set not null verified by constraints'), 'set-not-null-verified-by-constraints', [
    atacc1('test_a int, test_b int'),
    insert('atacc1', { test_a: null, test_b: 1 }),
    // A CHECK that does not cover every row proves nothing: the scan finds the NULL.
    addConstraint('atacc1', check(or(isNotNull(col('test_a')), lt(col('test_b'), 10)), 'atacc1_constr_or')),
    setNotNull('atacc1', 'test_a'),
    dropConstraint('atacc1', 'atacc1_constr_or'),
    // Neither does a NOT VALID one.
    addConstraint('atacc1', check(isNotNull(col('test_a')), 'atacc1_constr_invalid', { notValid: true })),
    setNotNull('atacc1', 'test_a'),
    dropConstraint('atacc1', 'atacc1_constr_invalid'),
    // A validated CHECK (test_a IS NOT NULL) proves it without a scan.
    update('atacc1', { test_a: 1 }),
    addConstraint('atacc1', check(isNotNull(col('test_a')), 'atacc1_constr_a_valid')),
    setNotNull('atacc1', 'test_a'),
    remove('atacc1'),
    insert('atacc1', { test_a: 2, test_b: null }),
    dropNotNull('atacc1', 'test_a'),
    // The original's multi-command ALTERs, one command at a time.
    setNotNull('atacc1', 'test_a'),
    setNotNull('atacc1', 'test_b'),
    update('atacc1', { test_b: 1 }),
    setNotNull('atacc1', 'test_b'),
    dropNotNull('atacc1', 'test_a'),
    dropNotNull('atacc1', 'test_b'),
    addConstraint('atacc1', check(isNotNull(col('test_b')), 'atacc1_constr_b_valid')),
    setNotNull('atacc1', 'test_b'),
    setNotNull('atacc1', 'test_a'),
    insert('atacc1', { test_a: null, test_b: 3 }),
  ]),
  regressCase(at(880, '-- test setting and removing default values'), 'set-and-drop-default', [
    table('def_test', "c1 int default 5, c2 text default 'initial_default'"),
    insert('def_test', {}),
    setDefault('def_test', 'c1', undefined),
    insert('def_test', {}),
    setDefault('def_test', 'c2', undefined),
    insert('def_test', {}),
    setDefault('def_test', 'c1', 10),
    setDefault('def_test', 'c2', 'new_default'),
    insert('def_test', {}),
    setDefault('def_test', 'c3', 30),
  ]),
  unsupported(
    at(897, '-- set defaults to an incorrect type: this should fail'),
    'default-of-wrong-type',
    'defaults are typed values in the engine; input parsing of literals (22P02) and implicit casts are not modelled',
  ),
  unsupported(
    at(904, '-- set defaults on views: we need to create a view, add a rule'),
    'default-on-view',
    'views and rules are not modelled',
  ),
  regressCase(at(924, '-- test dropping columns'), 'dropped-column-in-dml', [
    droppedA,
    dropColumn('atacc1', 'a'),
    select('atacc1'),
    select('atacc1', { orderBy: [{ column: 'a', direction: 'asc' }] }),
    select('atacc1', { where: eq(col('a'), 1) }),
    update('atacc1', { a: 3 }),
    update('atacc1', { b: 2 }, eq(col('a'), 3)),
    insert('atacc1', { a: 10 }),
    insert('atacc1', { a: 10, b: 11, c: 12, d: 13 }),
    insert('atacc1', { b: 11, c: 12, d: 13 }),
    remove('atacc1', eq(col('a'), 3)),
    remove('atacc1'),
    dropColumn('atacc1', 'bar'),
  ]),
  regressCase(at(985, '-- test some commands to make sure they fail on the dropped column'), 'dropped-column-in-ddl', [
    droppedA,
    setDefault('atacc1', 'a', 3),
    setDefault('atacc1', 'a', undefined),
    setNotNull('atacc1', 'a'),
    dropNotNull('atacc1', 'a'),
    addConstraint('atacc1', primaryKey(['a'])),
    addConstraint('atacc1', unique(['a'])),
    addConstraint('atacc1', check(gt(col('a'), 3))),
    table('atacc2', 'id int', { constraints: [unique(['id'])] }),
    addConstraint('atacc1', foreignKey(['a'], 'atacc2', ['id'])),
    addConstraint('atacc2', foreignKey(['id'], 'atacc1', ['a'])),
    createIndex({ name: 'testing_idx', table: 'atacc1', columns: ['a'] }),
  ]),
  regressCase(at(1015, '-- try dropping all columns'), 'drop-all-columns', [
    droppedA,
    insert('atacc1', { b: 21, c: 22, d: 23 }),
    dropColumn('atacc1', 'c'),
    dropColumn('atacc1', 'd'),
    dropColumn('atacc1', 'b'),
    select('atacc1'),
  ]),
  regressCase(
    at(1023, '-- test constraint error reporting in presence of dropped columns'),
    'constraint-errors-after-dropped-column',
    [
      table('atacc1', 'id serial, value int', {
        primaryKey: ['id'],
        constraints: [check(lt(col('value'), 10))],
      }),
      insert('atacc1', { value: 100 }),
      dropColumn('atacc1', 'value'),
      // The original adds the column with its CHECK in one command.
      addColumn('atacc1', 'value int'),
      addConstraint('atacc1', check(lt(col('value'), 10))),
      insert('atacc1', { value: 100 }),
      insert('atacc1', { id: null, value: 0 }),
    ],
  ),
  regressCase(at(1108, '-- IF EXISTS test'), 'drop-column-if-exists', [
    { kind: 'createTable', spec: { name: 'dropcolumnexists', columns: [] } },
    dropColumn('dropcolumnexists', 'non_existing'),
    { kind: 'dropColumn', table: 'dropcolumnexists', column: 'non_existing', options: { ifExists: true } },
  ]),
  unsupported(
    at(848, '-- test inheritance'),
    'not-null-inheritance',
    'table inheritance and ALTER TABLE ONLY are not modelled',
  ),
];
