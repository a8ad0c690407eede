/**
 * INSERT … SELECT [FOR UPDATE] [ON CONFLICT] and UPDATE … FROM, the statements of GitLab's
 * backfills (a partitioning backfill's sub-batch in `bulk_copy.rb`, a sharding-key backfill in
 * `backfill_desired_sharding_key_job.rb`), with the cases of insert.sql, update.sql and
 * insert_conflict.sql that use these shapes. Where PostgreSQL's test reads a VALUES list or
 * generate_series, the case reads a table holding the same rows (the engine's FROM item and SELECT
 * source are tables); the name of such a case says so.
 */
import {
  and,
  arithmetic,
  col,
  eq,
  excluded,
  fromCol,
  ge,
  isNotNull,
  isNull,
  le,
  lit,
  or,
} from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import {
  addConstraint,
  check,
  insert,
  insertSelect,
  partition,
  select,
  table,
  truncate,
  unique,
  updateFrom,
} from '../sql.js';
import { logRowTrigger, logStatementTrigger, setColumnTrigger, skipRowTrigger, triggerLog } from '../triggers.js';
import { rangeParted } from './update.js';

const inInsert = sourceIn('insert.sql');
const inUpdate = sourceIn('update.sql');
const inConflict = sourceIn('insert_conflict.sql');
const inBulkCopy = sourceIn('gitlab:lib/gitlab/database/partitioning_migration_helpers/bulk_copy.rb');
const inShardingKey = sourceIn('gitlab:lib/gitlab/background_migration/backfill_desired_sharding_key_job.rb');

const between = (column: string, from: number, to: number) => and(ge(col(column), from), le(col(column), to));

/** The ci_runners source and its copy partitioned by runner_type, as `partition_table_by_list` leaves them. */
const runnersAndCopy = [
  table('ci_runners', 'id bigint, runner_type smallint not null, sharding_key_id bigint, contacted_at bigint', {
    primaryKey: ['id'],
  }),
  table(
    'ci_runners_copy',
    'id bigint not null, runner_type smallint not null, sharding_key_id bigint, contacted_at bigint',
    {
      primaryKey: ['id', 'runner_type'],
      partitionBy: 'runner_type',
    },
  ),
  partition('instance_type_copy', 'ci_runners_copy', [1]),
  partition('group_type_copy', 'ci_runners_copy', [2]),
  partition('project_type_copy', 'ci_runners_copy', [3]),
  insert('ci_runners', [
    { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
    { id: 2, runner_type: 2, sharding_key_id: 20, contacted_at: 100 },
    { id: 3, runner_type: 3, sharding_key_id: null, contacted_at: 100 },
    { id: 4, runner_type: 3, sharding_key_id: 40, contacted_at: 100 },
  ]),
];
const RUNNER_COLUMNS = ['id', 'runner_type', 'sharding_key_id', 'contacted_at'];
/** One sub-batch of the copy: `… WHERE id BETWEEN a AND b AND (filter) [FOR UPDATE] ON CONFLICT (id, runner_type) DO NOTHING`. */
const copySubBatch = (from: number, to: number, forUpdate: boolean) =>
  insertSelect(
    'ci_runners_copy',
    RUNNER_COLUMNS,
    'ci_runners',
    RUNNER_COLUMNS,
    and(between('id', from, to), or(eq(col('runner_type'), 1), isNotNull(col('sharding_key_id')))),
    {
      onConflict: { target: ['id', 'runner_type'], action: 'nothing' },
      ...(forUpdate ? { locking: { strength: 'Update' as const } } : {}),
    },
  );

const updateTest = [
  table('update_test', 'a int default 10, b int, c text'),
  insert('update_test', [
    { a: 5, b: 10, c: 'foo' },
    { b: 15, a: 10 },
  ]),
];

export const backfillStatementCases: readonly RegressEntry[] = [
  regressCase(
    inInsert(14, '-- insert with similar expression / target_list values (all fail)'),
    'select-target-list-mismatch',
    [
      table('inserttest', "col1 int, col2 int not null, col3 text default 'testing'"),
      table('insertsrc', 'a int, b int'),
      insert('insertsrc', [
        { a: 1, b: 2 },
        { a: 3, b: null },
      ]),
      insertSelect('inserttest', ['col1', 'col2', 'col3'], 'insertsrc', ['a', 'b']),
      insertSelect('inserttest', ['col1'], 'insertsrc', ['a', 'b']),
      insertSelect('inserttest', ['col1', 'nope'], 'insertsrc', ['a', 'b']),
      insertSelect('inserttest', ['col1', 'col2'], 'insertsrc', ['a', 'zz']),
      insertSelect('inserttest', ['col1', 'col2'], 'insertsrc', ['a', 'b'], eq(col('zz'), 1)),
      insertSelect('inserttest', ['col1', 'col2'], 'no_such_table', ['a', 'b']),
      // The second row's NULL fails NOT NULL: the statement is atomic, the first row goes too.
      insertSelect('inserttest', ['col1', 'col2'], 'insertsrc', ['a', 'b']),
      insertSelect('inserttest', ['col1', 'col2'], 'insertsrc', ['a', 'b'], isNotNull(col('b'))),
      insertSelect('inserttest', ['col2', 'col1'], 'insertsrc', [arithmetic('*', col('a'), 10), lit(7)]),
      select('inserttest'),
    ],
  ),
  regressCase(
    inInsert(290, "insert into list_parted select 'Ff', s.a from generate_series(1, 29) s(a);"),
    'select-tuple-routing-from-series-table',
    [
      table('list_parted', 'a text, b int', { partitionBy: 'a' }),
      partition('part_aa_bb', 'list_parted', ['aa', 'bb']),
      partition('part_ff', 'list_parted', ['Ff'], { partitionBy: 'b' }),
      partition('part_ff1', 'part_ff', [1, 2, 3]),
      partition('part_ff2', 'part_ff', [4, 5]),
      table('series', 'a int'),
      insert('series', [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }]),
      insertSelect('list_parted', ['a', 'b'], 'series', [lit('Ff'), 'a']),
      // No partition for 'gg', and none of part_ff for 6: 23514, and nothing of the statement stays.
      insertSelect('list_parted', ['a', 'b'], 'series', [lit('gg'), 'a']),
      insert('series', { a: 6 }),
      insertSelect('list_parted', ['a', 'b'], 'series', [lit('Ff'), 'a']),
      insertSelect('part_ff', ['a', 'b'], 'series', [lit('Ff'), 'a'], le(col('a'), 5)),
      insertSelect('part_ff1', ['a', 'b'], 'series', [lit('Ff'), 'a'], ge(col('a'), 3)),
      select('list_parted'),
    ],
  ),
  regressCase(inUpdate(35, '-- Test VALUES in FROM'), 'from-values-table', [
    updateTest,
    table('v', 'i int, j int'),
    insert('v', { i: 100, j: 15 }),
    updateFrom('update_test', { a: fromCol('v', 'i') }, { table: 'v' }, eq(col('b'), fromCol('v', 'j'))),
    updateFrom(
      'update_test',
      { a: fromCol('v', 'i') },
      { table: 'v' },
      eq(col('b'), arithmetic('+', fromCol('v', 'j'), 99)),
    ),
    select('update_test'),
  ]),
  regressCase(inUpdate(51, 'INSERT INTO update_test SELECT a,b+1,c FROM update_test;'), 'insert-select-same-table', [
    updateTest,
    insertSelect('update_test', ['a', 'b', 'c'], 'update_test', ['a', arithmetic('+', col('b'), 1), 'c']),
    insertSelect('update_test', ['a', 'b', 'c'], 'update_test', ['a', arithmetic('+', col('b'), 1), 'c']),
    select('update_test'),
  ]),
  regressCase(
    inUpdate(84, "-- if an alias for the target table is specified, don't allow references"),
    'from-item-references',
    [
      updateTest,
      table('v', 'i int, j int'),
      insert('v', { i: 100, j: 15 }),
      updateFrom('update_test', { b: 1 }, { table: 'update_test' }, null),
      updateFrom('update_test', { b: 1 }, { table: 'v', alias: 'update_test' }, null),
      updateFrom('update_test', { b: fromCol('w', 'j') }, { table: 'v' }, null),
      updateFrom('update_test', { b: fromCol('v', 'k') }, { table: 'v' }, null),
      updateFrom('update_test', { b: 1 }, { table: 'no_such_table' }, null),
      updateFrom('update_test', { b: 1 }, { table: 'v' }, eq(col('zz'), fromCol('v', 'i'))),
      updateFrom('update_test', { zz: 1 }, { table: 'v' }, null),
      // A self-join through an alias; the join is on a unique value, so each row meets one partner.
      updateFrom(
        'update_test',
        { c: lit('self') },
        { table: 'update_test', alias: 's' },
        and(eq(col('a'), fromCol('s', 'a')), eq(fromCol('s', 'b'), 15)),
      ),
      // No WHERE: every target row joins the single row of v.
      updateFrom('update_test', { b: fromCol('v', 'j') }, { table: 'v', alias: 'vv' }, null),
      select('update_test'),
    ],
  ),
  regressCase(
    inUpdate(
      167,
      "UPDATE range_parted r set a = 'c' FROM (VALUES ('a', 1), ('a', 10), ('b', 12)) s(x, y) WHERE s.x = r.a AND s.y = r.b RETURNING tableoid::regclass, *;",
    ),
    'from-moves-rows-through-destination-trigger',
    [
      rangeParted,
      triggerLog,
      partition('part_c', 'range_parted', ['c'], { partitionBy: 'b' }),
      partition('part_c_1_c_20', 'part_c', [1, 10, 12]),
      setColumnTrigger({ name: 'trig', table: 'part_c_1_c_20', events: ['insert'] }, 'd', { value: 1000 }),
      logStatementTrigger({ name: 'upd', table: 'range_parted', timing: 'after', events: ['update'] }),
      table('s', 'x text, y bigint'),
      insert('s', [
        { x: 'a', y: 1 },
        { x: 'a', y: 10 },
        { x: 'b', y: 12 },
      ]),
      updateFrom(
        'range_parted',
        { a: 'c' },
        { table: 's' },
        and(eq(fromCol('s', 'x'), col('a')), eq(fromCol('s', 'y'), col('b'))),
      ),
      select('range_parted', { where: eq(col('a'), 'c') }),
    ],
  ),
  regressCase(
    inUpdate(174, 'CREATE FUNCTION trigfunc () RETURNS TRIGGER LANGUAGE plpgsql as $$ BEGIN RETURN NULL; END; $$;'),
    'from-move-skipped-by-destination-trigger',
    [
      rangeParted,
      partition('part_c', 'range_parted', ['c'], { partitionBy: 'b' }),
      partition('part_c_1_c_20', 'part_c', [1, 10, 12]),
      skipRowTrigger({ name: 'trig', table: 'part_c_1_c_20', events: ['insert'] }),
      table('s', 'x text, y bigint'),
      insert('s', [
        { x: 'a', y: 1 },
        { x: 'a', y: 10 },
        { x: 'b', y: 12 },
      ]),
      updateFrom(
        'range_parted',
        { a: 'c' },
        { table: 's', alias: 'src' },
        and(eq(fromCol('src', 'x'), col('a')), eq(fromCol('src', 'y'), col('b'))),
      ),
      select('range_parted'),
    ],
  ),
  regressCase(
    inConflict(482, '-- check handling of self-conflicts at various isolation levels'),
    'select-self-conflicts',
    [
      table('selfconflict', 'f1 int, f2 int', { primaryKey: ['f1'] }),
      table('selfsrc', 'f1 int, f2 int'),
      insert('selfsrc', [
        { f1: 1, f2: 1 },
        { f1: 1, f2: 2 },
        { f1: 2, f2: 1 },
      ]),
      insertSelect('selfconflict', ['f1', 'f2'], 'selfsrc', ['f1', 'f2'], null, { onConflict: { action: 'nothing' } }),
      insertSelect('selfconflict', ['f1', 'f2'], 'selfsrc', ['f1', 'f2'], null, {
        onConflict: { target: ['f1'], action: { update: { f2: 0 } } },
      }),
      truncate(['selfconflict']),
      insertSelect('selfconflict', ['f1', 'f2'], 'selfsrc', ['f1', 'f2'], null, {
        onConflict: { target: ['f1'], action: { update: { f2: 0 } } },
      }),
      insertSelect('selfconflict', ['f1', 'f2'], 'selfsrc', ['f1', 'f2'], eq(col('f2'), 1), {
        onConflict: { target: ['f1'], action: { update: { f2: excluded('f1') } } },
      }),
      select('selfconflict'),
    ],
  ),
  regressCase(
    inConflict(505, '-- insert into partitioned_table on conflict do nothing'),
    'select-into-partitioned-on-conflict',
    [
      table('parted_conflict_test', 'a int, b text', { partitionBy: 'a' }),
      partition('parted_conflict_test_1', 'parted_conflict_test', [1], { constraints: [unique(['b'])] }),
      table('pcsrc', 'a int, b text'),
      insert('pcsrc', [
        { a: 1, b: 'a' },
        { a: 1, b: 'a' },
        { a: 1, b: 'b' },
      ]),
      insertSelect('parted_conflict_test', ['a', 'b'], 'pcsrc', ['a', 'b'], null, {
        onConflict: { action: 'nothing' },
      }),
      insertSelect('parted_conflict_test', ['a', 'b'], 'pcsrc', ['a', 'b'], null, {
        onConflict: { action: 'nothing' },
      }),
      insertSelect('parted_conflict_test_1', ['a', 'b'], 'pcsrc', ['a', 'b'], null, {
        onConflict: { target: ['b'], action: { update: { a: excluded('a') } } },
      }),
      insertSelect('parted_conflict_test', ['a', 'b'], 'pcsrc', ['a', 'b']),
      select('parted_conflict_test'),
    ],
  ),
  regressCase(inBulkCopy(20, 'def copy_between(start_id, stop_id)'), 'bulk-copy-sub-batches', [
    runnersAndCopy,
    triggerLog,
    logRowTrigger({ name: 'copy_row', table: 'ci_runners_copy', timing: 'after', events: ['insert'] }, 'id'),
    logStatementTrigger({ name: 'copy_stmt', table: 'ci_runners_copy', timing: 'after', events: ['insert'] }),
    copySubBatch(1, 2, true),
    // Overlapping and repeated sub-batches copy nothing twice (ON CONFLICT DO NOTHING).
    copySubBatch(2, 3, true),
    copySubBatch(1, 4, false),
    copySubBatch(10, 20, true),
    // A runner type the copy has no partition for: 23514, the whole sub-batch rolls back.
    insert('ci_runners', [
      { id: 5, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
      { id: 6, runner_type: 4, sharding_key_id: 60, contacted_at: 100 },
    ]),
    copySubBatch(5, 6, true),
    select('ci_runners_copy'),
  ]),
  regressCase(inBulkCopy(30, 'def copy_relation(relation)'), 'bulk-copy-checks-and-keys', [
    runnersAndCopy,
    addConstraint('ci_runners_copy', check(le(col('contacted_at'), 150), 'check_contacted_at')),
    insert('ci_runners', { id: 7, runner_type: 3, sharding_key_id: 40, contacted_at: 90 }),
    // The copy's key is (id, runner_type): rows 4 and 7 share a sharding key, which no key of the copy covers.
    copySubBatch(1, 10, true),
    insert('ci_runners', { id: 8, runner_type: 1, sharding_key_id: null, contacted_at: 999 }),
    copySubBatch(8, 8, true),
    copySubBatch(1, 8, false),
    select('ci_runners_copy'),
  ]),
  regressCase(inShardingKey(24, 'UPDATE #{batch_table}'), 'sharding-key-update-from', [
    table('ci_runners', 'id bigint, runner_type smallint not null, sharding_key_id bigint', { primaryKey: ['id'] }),
    table('ci_runner_machines', 'id bigint, runner_id bigint not null, sharding_key_id bigint', { primaryKey: ['id'] }),
    insert('ci_runners', [
      { id: 1, runner_type: 1, sharding_key_id: null },
      { id: 2, runner_type: 2, sharding_key_id: 20 },
      { id: 3, runner_type: 3, sharding_key_id: 30 },
    ]),
    insert('ci_runner_machines', [
      { id: 1, runner_id: 2, sharding_key_id: null },
      { id: 2, runner_id: 3, sharding_key_id: null },
      { id: 3, runner_id: 1, sharding_key_id: null },
      { id: 4, runner_id: 9, sharding_key_id: null },
      { id: 5, runner_id: 3, sharding_key_id: 31 },
    ]),
    triggerLog,
    logRowTrigger({ name: 'machine_row', table: 'ci_runner_machines', timing: 'before', events: ['update'] }, 'id'),
    logStatementTrigger({ name: 'machine_stmt', table: 'ci_runner_machines', timing: 'after', events: ['update'] }),
    updateFrom(
      'ci_runner_machines',
      { sharding_key_id: fromCol('ci_runners', 'sharding_key_id') },
      { table: 'ci_runners' },
      and(eq(fromCol('ci_runners', 'id'), col('runner_id')), between('id', 1, 4), isNull(col('sharding_key_id'))),
    ),
    // A CHECK the joined value breaks: 23514, and the sub-batch's other rows keep their old value.
    addConstraint('ci_runner_machines', check(le(col('sharding_key_id'), 30), 'check_sharding_key')),
    updateFrom(
      'ci_runner_machines',
      { sharding_key_id: arithmetic('+', fromCol('r', 'sharding_key_id'), 5) },
      { table: 'ci_runners', alias: 'r' },
      and(eq(fromCol('r', 'id'), col('runner_id')), between('id', 1, 5)),
    ),
    select('ci_runner_machines'),
  ]),
];
