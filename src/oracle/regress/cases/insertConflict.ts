/**
 * Ported from src/test/regress/sql/insert_conflict.sql: arbiter inference over plain, composite
 * and partial unique indexes, duplicate violations raised by the DO UPDATE itself, rows proposed
 * twice in one statement, ON CONFLICT ON CONSTRAINT, and partitioned targets. Expression indexes
 * (lower(fruit)), views, inheritance, RETURNING and WITH OIDS are not modelled.
 */
import { col, excluded, isNotNull, ne } from '../../../engine/expression.js';
import type { OnConflict } from '../../../engine/insertStatement.js';
import type { RowInput } from '../../../engine/rowBuilding.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import { begin, commit, createIndex, dropIndex, insert, partition, table, unique } from '../sql.js';

const at = sourceIn('insert_conflict.sql');
const fruitTable = table('insertconflicttest', 'key int, fruit text');
const upsert = (
  row: RowInput,
  target: readonly string[] | { readonly constraint: string } | undefined,
  options: Partial<OnConflict> = {},
) =>
  insert('insertconflicttest', row, {
    onConflict: { ...(target ? { target } : {}), action: { update: { fruit: excluded('fruit') } }, ...options },
  });
const nothing = (row: RowInput, target?: readonly string[]) =>
  insert('insertconflicttest', row, { onConflict: { ...(target ? { target } : {}), action: 'nothing' } });
const berry = {
  kind: 'compare',
  op: '=',
  left: col('fruit'),
  right: { kind: 'literal', value: 'Blackberry' },
} as const;

export const insertConflictCases: readonly RegressEntry[] = [
  regressCase(at(5, 'create table insertconflicttest(key int4, fruit text);'), 'inference-needs-index', [
    fruitTable,
    upsert({ key: 0, fruit: 'Crowberry' }, ['key']),
    nothing({ key: 0, fruit: 'Crowberry' }, ['key']),
    nothing({ key: 0, fruit: 'Crowberry' }),
  ]),
  regressCase(at(12, 'create unique index key_index on insertconflicttest(key);'), 'plain-unique-index', [
    fruitTable,
    createIndex({ name: 'key_index', table: 'insertconflicttest', columns: ['key'], unique: true }),
    upsert({ key: 1, fruit: 'Apple' }, ['key']),
    upsert({ key: 1, fruit: 'Apple' }, ['key']),
    upsert({ key: 2, fruit: 'Orange' }, ['fruit']),
    nothing({ key: 1, fruit: 'Banana' }, ['key']),
    nothing({ key: 3, fruit: 'Pear' }),
    upsert({ key: 1, fruit: 'Melon' }, ['key'], {
      action: { update: { key: excluded('key'), fruit: excluded('fruit') } },
    }),
  ]),
  regressCase(
    at(40, 'create unique index comp_key_index on insertconflicttest(key, fruit);'),
    'composite-unique-index',
    [
      fruitTable,
      createIndex({ name: 'comp_key_index', table: 'insertconflicttest', columns: ['key', 'fruit'], unique: true }),
      upsert({ key: 13, fruit: 'Grape' }, ['key', 'fruit']),
      upsert({ key: 14, fruit: 'Raisin' }, ['fruit', 'key']),
      upsert({ key: 13, fruit: 'Grape' }, ['key', 'fruit']),
      upsert({ key: 17, fruit: 'Mulberry' }, ['key']),
      upsert({ key: 18, fruit: 'Pineapple' }, ['fruit']),
    ],
  ),
  unsupported(
    at(210, '-- Expression index tests'),
    'expression-indexes',
    'expression indexes (lower(fruit)) are not modelled',
  ),
  regressCase(at(240, '-- Non-spurious duplicate violation tests'), 'update-raises-duplicate', [
    fruitTable,
    insert('insertconflicttest', [
      { key: 25, fruit: 'Peach' },
      { key: 26, fruit: 'Fig' },
    ]),
    createIndex({ name: 'key_index', table: 'insertconflicttest', columns: ['key'], unique: true }),
    createIndex({ name: 'fruit_index', table: 'insertconflicttest', columns: ['fruit'], unique: true }),
    upsert({ key: 26, fruit: 'Fig' }, ['key']),
    upsert({ key: 26, fruit: 'Peach' }, ['key']),
    upsert({ key: 25, fruit: 'Fig' }, ['fruit']),
    dropIndex('key_index'),
    dropIndex('fruit_index'),
  ]),
  regressCase(at(256, '-- Test partial unique index inference'), 'partial-index-inference', [
    fruitTable,
    insert('insertconflicttest', { key: 23, fruit: 'Blackberry' }),
    createIndex({
      name: 'partial_key_index',
      table: 'insertconflicttest',
      columns: ['key'],
      unique: true,
      where: berry,
    }),
    upsert({ key: 23, fruit: 'Blackberry' }, ['key'], { targetWhere: berry }),
    upsert({ key: 23, fruit: 'Blackberry' }, ['key']),
    upsert({ key: 23, fruit: 'Blackberry' }, ['fruit'], { targetWhere: berry }),
    insert('insertconflicttest', { key: 23, fruit: 'Blackberry' }),
    insert('insertconflicttest', { key: 23, fruit: 'Raspberry' }),
  ]),
  regressCase(at(272, "-- Test that wholerow references to ON CONFLICT's EXCLUDED work"), 'do-update-where', [
    fruitTable,
    createIndex({ name: 'plain', table: 'insertconflicttest', columns: ['key'], unique: true }),
    insert('insertconflicttest', { key: 23, fruit: 'Blackberry' }),
    upsert({ key: 23, fruit: 'Jackfruit' }, ['key']),
    nothing({ key: 23, fruit: 'Jackfruit' }, ['key']),
    upsert({ key: 23, fruit: 'Avocado' }, ['key'], {
      action: { update: { fruit: excluded('fruit') } },
      targetWhere: isNotNull(col('key')),
    }),
  ]),
  unsupported(
    at(300, '-- Verify that EXCLUDED does not allow system column references. These'),
    'excluded-system-columns',
    'system columns and WITH OIDS are not modelled',
  ),
  unsupported(
    at(310, '-- Previous tests all managed to not test any expressions requiring'),
    'coalesce-index',
    'expression indexes are not modelled',
  ),
  unsupported(at(330, '-- test insertion through view'), 'through-view', 'views are not modelled'),
  unsupported(
    at(345, '-- * Test inheritance (example taken from tutorial)                 *'),
    'inheritance',
    'table inheritance is not modelled',
  ),
  regressCase(at(395, '-- Make sure a table named excluded is handled properly'), 'table-named-excluded', [
    table('excluded', 'key int, data text', { primaryKey: ['key'] }),
    insert('excluded', { key: 1, data: '1' }),
    insert('excluded', { key: 1, data: '2' }, { onConflict: { target: ['key'], action: { update: { data: '3' } } } }),
  ]),
  regressCase(at(410, '-- Check tables w/o oids are handled correctly'), 'upsert-repeatedly', [
    table('testoids', 'key int, data text', { primaryKey: ['key'] }),
    ...[
      [1, '1'],
      [1, '2'],
      [1, '3'],
      [2, '1'],
      [2, '2'],
      [1, '4'],
      [3, '1'],
      [3, '2'],
    ].map(([key, data]) =>
      insert(
        'testoids',
        { key: key!, data: data! },
        { onConflict: { target: ['key'], action: { update: { data: excluded('data') } } } },
      ),
    ),
  ]),
  regressCase(
    at(440, '-- check that references to columns after dropped columns are handled correctly'),
    'update-from-existing-row',
    [
      table('dropcol', 'key int, keep1 text, keep2 int', { primaryKey: ['key'] }),
      insert('dropcol', { key: 1, keep1: '1', keep2: 1 }),
      insert(
        'dropcol',
        { key: 1, keep1: '2', keep2: 2 },
        { onConflict: { target: ['key'], action: { update: { keep1: excluded('keep1'), keep2: excluded('keep2') } } } },
      ),
      insert(
        'dropcol',
        { key: 1, keep1: '3', keep2: 3 },
        { onConflict: { target: ['key'], action: { update: { keep1: col('keep1'), keep2: col('keep2') } } } },
      ),
    ],
  ),
  regressCase(at(470, '-- check handling of regular btree constraint along with gist constraint'), 'on-constraint', [
    table('twoconstraints', 'f1 int, f2 int', { constraints: [unique(['f1']), unique(['f2'])] }),
    insert('twoconstraints', { f1: 1, f2: 1 }),
    insert('twoconstraints', { f1: 1, f2: 2 }),
    insert('twoconstraints', { f1: 2, f2: 1 }),
    insert(
      'twoconstraints',
      { f1: 2, f2: 1 },
      { onConflict: { target: { constraint: 'twoconstraints_f1_key' }, action: 'nothing' } },
    ),
    insert(
      'twoconstraints',
      { f1: 2, f2: 1 },
      { onConflict: { target: { constraint: 'twoconstraints_f2_key' }, action: 'nothing' } },
    ),
    insert(
      'twoconstraints',
      { f1: 1, f2: 5 },
      { onConflict: { target: { constraint: 'twoconstraints_f1_key' }, action: { update: { f2: excluded('f2') } } } },
    ),
    insert(
      'twoconstraints',
      { f1: 1, f2: 5 },
      { onConflict: { target: { constraint: 'no_such_constraint' }, action: 'nothing' } },
    ),
  ]),
  regressCase(at(482, '-- check handling of self-conflicts at various isolation levels'), 'self-conflicts', [
    table('selfconflict', 'f1 int, f2 int', { primaryKey: ['f1'] }),
    begin,
    insert(
      'selfconflict',
      [
        { f1: 1, f2: 1 },
        { f1: 1, f2: 2 },
      ],
      { onConflict: { action: 'nothing' } },
    ),
    commit,
    begin,
    insert(
      'selfconflict',
      [
        { f1: 4, f2: 1 },
        { f1: 4, f2: 2 },
      ],
      { onConflict: { target: ['f1'], action: { update: { f2: 0 } } } },
    ),
    commit,
    insert(
      'selfconflict',
      [
        { f1: 5, f2: 1 },
        { f1: 5, f2: 2 },
      ],
      { onConflict: { target: ['f1'], action: { update: { f2: 0 } } } },
    ),
  ]),
  regressCase(at(510, '-- insert into partitioned_table on conflict do nothing'), 'partitioned-target', [
    table('parted_conflict_test', 'a int, b text', { partitionBy: 'a' }),
    partition('parted_conflict_test_1', 'parted_conflict_test', [1], { constraints: [unique(['b'])] }),
    insert('parted_conflict_test', { a: 1, b: 'a' }, { onConflict: { action: 'nothing' } }),
    insert('parted_conflict_test', { a: 1, b: 'a' }, { onConflict: { action: 'nothing' } }),
    insert(
      'parted_conflict_test',
      { a: 1, b: 'a' },
      { onConflict: { target: ['b'], action: { update: { a: excluded('a') } } } },
    ),
    insert(
      'parted_conflict_test_1',
      { a: 1, b: 'a' },
      { onConflict: { target: ['b'], action: { update: { a: excluded('a') } } } },
    ),
  ]),
  regressCase(
    at(520, 'create table parted_conflict_test (a int, b char) partition by list (a);'),
    'partitioned-primary-key-upsert',
    [
      table('parted_conflict_test', 'a int, b text', { primaryKey: ['a'], partitionBy: 'a' }),
      partition('parted_conflict_test_1', 'parted_conflict_test', [1, 2]),
      partition('parted_conflict_test_2', 'parted_conflict_test', [3]),
      insert('parted_conflict_test', { a: 1, b: 'a' }),
      insert(
        'parted_conflict_test',
        { a: 1, b: 'b' },
        { onConflict: { target: ['a'], action: { update: { b: excluded('b') } } } },
      ),
      insert('parted_conflict_test', { a: 1, b: 'c' }, { onConflict: { target: ['a'], action: { update: { a: 3 } } } }),
      insert(
        'parted_conflict_test',
        { a: 2, b: 'x' },
        { onConflict: { target: ['a'], action: { update: { b: excluded('b') } }, targetWhere: ne(col('b'), 'x') } },
      ),
      insert(
        'parted_conflict_test',
        [
          { a: 2, b: 'y' },
          { a: 3, b: 'z' },
        ],
        { onConflict: { target: ['a'], action: 'nothing' } },
      ),
    ],
  ),
];
