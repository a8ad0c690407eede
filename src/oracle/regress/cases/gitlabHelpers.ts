/**
 * The CHECK shapes GitLab's migration helpers emit (gitlab-org/gitlab
 * lib/gitlab/database/migrations/constraints_helpers.rb), run as a PostgreSQL user would run
 * them: `add_text_limit` is `CHECK (char_length(col) <= N) NOT VALID` followed by VALIDATE, and
 * `add_check_constraint` takes any expression; the cases cover the expressions the engine
 * evaluates (arithmetic, char_length, lower, coalesce, CASE, IS [NOT] DISTINCT FROM, LIKE).
 */
import {
  and,
  arithmetic,
  caseWhen,
  charLength,
  coalesce,
  col,
  eq,
  fn,
  ge,
  gt,
  isDistinctFrom,
  isNotDistinctFrom,
  isNotNull,
  le,
  like,
  lower,
  lt,
  notLike,
  or,
} from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn } from '../regressCase.js';
import {
  addConstraint,
  check,
  dropConstraint,
  foreignKey,
  insert,
  partition,
  remove,
  setNotNull,
  table,
  update,
  validate,
} from '../sql.js';

const at = sourceIn('gitlab:lib/gitlab/database/migrations/constraints_helpers.rb');
const textLimit = at(1260, 'def add_text_limit(table, column, limit, constraint_name: nil, validate: true)');
const anyCheck = at(1135, 'def add_check_constraint(table, check, constraint_name, validate: true)');
const nameLimit = at(1130, 'validate_check_constraint_name!(constraint_name)');
const notNull = at(1290, 'def add_not_null_constraint(table, column, constraint_name: nil, validate: true)');
const long = (prefix: string, tail: string): string => `${prefix}${'x'.repeat(63 - prefix.length)}${tail}`;
const runners = table(
  'ci_runners',
  'id int, name text, description text, token text, runner_type int, sharding_key_id int',
  { primaryKey: ['id'] },
);

export const gitlabHelperCases: readonly RegressEntry[] = [
  regressCase(textLimit, 'text-limit-not-valid-then-validate', [
    runners,
    insert('ci_runners', [
      { id: 1, name: 'short' },
      { id: 2, name: 'a name that is too long' },
      { id: 3, name: null },
    ]),
    addConstraint('ci_runners', check(le(charLength(col('name')), 10), 'check_1a2b3c4d5e', { notValid: true })),
    insert('ci_runners', { id: 4, name: 'also far too long' }),
    insert('ci_runners', { id: 4, name: 'ok' }),
    update('ci_runners', { description: 'touched' }, eq(col('id'), 2)),
    validate('ci_runners', 'check_1a2b3c4d5e'),
    update('ci_runners', { name: 'shortened' }, eq(col('id'), 2)),
    validate('ci_runners', 'check_1a2b3c4d5e'),
  ]),
  regressCase(textLimit, 'text-limit-counts-characters', [
    runners,
    addConstraint('ci_runners', check(le(charLength(col('name')), 3), 'check_len')),
    insert('ci_runners', { id: 1, name: 'äöü' }),
    insert('ci_runners', { id: 2, name: '日本語' }),
    insert('ci_runners', { id: 3, name: 'äöüß' }),
    insert('ci_runners', { id: 4, name: '' }),
    addConstraint('ci_runners', check(gt(fn('length', col('name')), 0), 'check_not_empty')),
    remove('ci_runners', eq(col('id'), 4)),
    addConstraint('ci_runners', check(gt(fn('length', col('name')), 0), 'check_not_empty')),
  ]),
  regressCase(anyCheck, 'arithmetic', [
    table('t', 'a int, b int, c int'),
    addConstraint('t', check(eq(arithmetic('+', col('a'), col('b')), col('c')), 'sum')),
    insert('t', [
      { a: 1, b: 2, c: 3 },
      { a: null, b: 2, c: 0 },
    ]),
    insert('t', { a: 1, b: 2, c: 4 }),
    addConstraint('t', check(lt(arithmetic('*', col('b'), 2), 10), 'double')),
    insert('t', { a: 5, b: 5, c: 10 }),
    addConstraint('t', check(ge(arithmetic('/', col('c'), col('b')), 0), 'ratio', { notValid: true })),
    insert('t', { a: -1, b: 0, c: -1 }),
    insert('t', { a: 7, b: 2, c: 9 }),
    insert('t', { a: -7, b: 2, c: -5 }),
    update('t', { c: arithmetic('-', col('a'), 0) }, eq(col('a'), 1)),
  ]),
  regressCase(anyCheck, 'lower-and-like', [
    table('users', 'id int, username text, email text', { primaryKey: ['id'] }),
    addConstraint('users', check(eq(lower(col('username')), col('username')), 'check_lowercase')),
    addConstraint('users', check(like(col('email'), '%@%'), 'check_email')),
    insert('users', { id: 1, username: 'root', email: 'root@example.com' }),
    insert('users', { id: 2, username: 'Root', email: 'r@x' }),
    insert('users', { id: 3, username: 'admin', email: 'no-at-sign' }),
    insert('users', { id: 4, username: 'a_b', email: null }),
    addConstraint('users', check(notLike(col('username'), 'a\\_%'), 'check_prefix')),
    remove('users', eq(col('id'), 4)),
    addConstraint('users', check(notLike(col('username'), 'a\\_%'), 'check_prefix')),
    insert('users', { id: 5, username: 'ab', email: '@' }),
    insert('users', { id: 6, username: 'a_', email: '%@_' }),
  ]),
  regressCase(anyCheck, 'coalesce-and-case', [
    runners,
    addConstraint(
      'ci_runners',
      check(
        or(eq(col('runner_type'), 1), isNotNull(coalesce(col('sharding_key_id'), col('id')))),
        'check_sharding_key_or_description',
      ),
    ),
    addConstraint(
      'ci_runners',
      check(
        eq(
          caseWhen(
            [
              [eq(col('runner_type'), 1), 'instance'],
              [eq(col('runner_type'), 2), 'group'],
            ],
            'project',
          ),
          coalesce(col('token'), 'project'),
        ),
        'check_token_matches_type',
        { notValid: true },
      ),
    ),
    insert('ci_runners', { id: 1, runner_type: 1, token: 'instance' }),
    insert('ci_runners', { id: 2, runner_type: 2, token: 'group', sharding_key_id: 5 }),
    insert('ci_runners', { id: 3, runner_type: 3 }),
    insert('ci_runners', { id: 4, runner_type: 3, description: 'd' }),
    insert('ci_runners', { id: 5, runner_type: 2, token: 'project', sharding_key_id: 1 }),
    insert('ci_runners', { id: 6, runner_type: null, description: 'x', token: 'project' }),
    validate('ci_runners', 'check_token_matches_type'),
  ]),
  regressCase(anyCheck, 'is-distinct-from', [
    table('t', 'id int, a int, b int', { primaryKey: ['id'] }),
    addConstraint('t', check(isDistinctFrom(col('a'), col('b')), 'check_differ')),
    insert('t', [
      { id: 1, a: 1, b: 2 },
      { id: 2, a: null, b: 2 },
    ]),
    insert('t', { id: 3, a: null, b: null }),
    insert('t', { id: 4, a: 3, b: 3 }),
    addConstraint('t', check(or(isNotDistinctFrom(col('a'), 1), and(ge(col('id'), 2))), 'check_first')),
    update('t', { a: null }, eq(col('id'), 1)),
    update('t', { b: null }, eq(col('id'), 2)),
    remove('t', { kind: 'distinct', left: col('a'), right: { kind: 'literal', value: null }, negated: true }),
  ]),
  regressCase(nameLimit, 'long-table-names-truncated', [
    table(long('ci_runners_', '_first'), 'id int', { primaryKey: ['id'] }),
    table(long('ci_runners_', '_second'), 'id int'),
    insert(long('ci_runners_', '_other_suffix'), { id: 1 }),
    insert(long('ci_runners_', ''), { id: 1 }),
    table('ci_runner_machines', 'runner_id int', {
      constraints: [foreignKey(['runner_id'], long('ci_runners_', '_yet_another'), ['id'])],
    }),
    insert('ci_runner_machines', [{ runner_id: 1 }]),
    insert('ci_runner_machines', { runner_id: 2 }),
  ]),
  regressCase(nameLimit, 'long-constraint-names-collide', [
    runners,
    addConstraint('ci_runners', check(gt(col('id'), 0), long('check_', '_a'))),
    addConstraint('ci_runners', check(gt(col('id'), 1), long('check_', '_b'))),
    insert('ci_runners', { id: 0 }),
    validate('ci_runners', long('check_', '_c')),
    dropConstraint('ci_runners', long('check_', '_d')),
    insert('ci_runners', { id: 0 }),
    addConstraint('ci_runners', check(gt(col('id'), 1), long('check_', '_b'), { notValid: true })),
  ]),
  regressCase(nameLimit, 'truncation-keeps-whole-characters', [
    table(`${'é'.repeat(31)}ab`, 'a int'),
    table(`${'é'.repeat(31)}a`, 'a int'),
    table(`${'é'.repeat(32)}`, 'a int'),
    insert(`${'é'.repeat(31)}az`, { a: 1 }),
    insert(`${'é'.repeat(32)}zz`, { a: 2 }),
  ]),
  // add_not_null_constraint(validate: false), the backfill, validate_not_null_constraint, then
  // change_column_null: SET NOT NULL is proved by the validated CHECK instead of a scan.
  regressCase(notNull, 'add-not-null-constraint-then-set-not-null', [
    table('projects', 'id int, namespace_id int, name text', { primaryKey: ['id'] }),
    insert('projects', [
      { id: 1, namespace_id: null, name: 'a' },
      { id: 2, namespace_id: 7, name: 'b' },
    ]),
    addConstraint('projects', check(isNotNull(col('namespace_id')), 'check_4ff4f8d1a2', { notValid: true })),
    insert('projects', { id: 3, namespace_id: null, name: 'c' }),
    update('projects', { name: 'renamed' }, eq(col('id'), 1)),
    validate('projects', 'check_4ff4f8d1a2'),
    setNotNull('projects', 'namespace_id'),
    update('projects', { namespace_id: 7 }, eq(col('id'), 1)),
    validate('projects', 'check_4ff4f8d1a2'),
    setNotNull('projects', 'namespace_id'),
    dropConstraint('projects', 'check_4ff4f8d1a2'),
    insert('projects', { id: 4, namespace_id: null, name: 'd' }),
    insert('projects', { id: 4, namespace_id: 8, name: 'd' }),
  ]),
  regressCase(notNull, 'add-not-null-constraint-on-partitioned-table', [
    table('p_ci_builds', 'id int, partition_id int, project_id int', {
      primaryKey: ['id', 'partition_id'],
      partitionBy: 'partition_id',
    }),
    partition('ci_builds_100', 'p_ci_builds', [100]),
    partition('ci_builds_101', 'p_ci_builds', [101]),
    insert('p_ci_builds', [
      { id: 1, partition_id: 100, project_id: null },
      { id: 2, partition_id: 101, project_id: 5 },
    ]),
    addConstraint('p_ci_builds', check(isNotNull(col('project_id')), 'check_e1a2b3c4d5', { notValid: true })),
    validate('p_ci_builds', 'check_e1a2b3c4d5'),
    update('p_ci_builds', { project_id: 5 }, eq(col('id'), 1)),
    validate('p_ci_builds', 'check_e1a2b3c4d5'),
    setNotNull('p_ci_builds', 'project_id'),
    dropConstraint('p_ci_builds', 'check_e1a2b3c4d5'),
    insert('p_ci_builds', { id: 3, partition_id: 101, project_id: null }),
  ]),
];
