/**
 * Table-lock programs with PostgreSQL 18's observed outcomes, one behaviour of the lock manager
 * each: a queue behind a waiting DDL (and NOWAIT failing on the queue alone), queue jumping by a
 * holder (granted at once, or queued just in front of the waiter it would block), the wake-up scan
 * granting past a still-blocked waiter, a lock-upgrade deadlock found on joining the queue, a deadlock over two tables whose
 * victim is the waiter whose deadlock_timeout fires first, a soft deadlock PostgreSQL resolves by
 * reordering a queue, lock_timeout letting the queue through, and ROLLBACK TO SAVEPOINT releasing
 * the locks taken after the savepoint. The real server and the lock manager must both produce them.
 */
import type { ExpectedOutcome, RegressionProgram } from '../../../src/oracle/server/expectation.js';
import type { ProgramSession } from '../../../src/oracle/server/program.js';

const setup = ['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)'];
const contents = { a: [], b: [] };

function expected(
  permutation: readonly string[],
  outcome: Omit<ExpectedOutcome, 'permutation' | 'contents'>,
): ExpectedOutcome {
  return { permutation, contents, ...outcome };
}

/**
 * A session that locks one table in one mode in a transaction of its own, then ends it: the shape of
 * most sessions below. Its steps are named `<name>_lock` and `<name>_commit` (or `_rollback`).
 */
function lockThenEnd(
  name: string,
  table: string,
  mode: string,
  end: 'COMMIT' | 'ROLLBACK' = 'COMMIT',
  setup?: readonly string[],
): ProgramSession {
  return {
    name,
    ...(setup === undefined ? {} : { setup }),
    steps: [
      { name: `${name}_lock`, sql: `BEGIN; LOCK TABLE ${table} IN ${mode} MODE` },
      { name: `${name}_${end.toLowerCase()}`, sql: end },
    ],
  };
}

const queueBehindWaiter: RegressionProgram = {
  program: {
    name: 'table-lock-queue-behind-waiter',
    description:
      'A SHARE ROW EXCLUSIVE request waits behind an open writer; a later writer, compatible with the ' +
      'writer but not with the waiting request, queues behind it, and NOWAIT fails on the queue alone.',
    setup,
    sessions: [
      {
        name: 'writer',
        steps: [
          { name: 'wr_lock', sql: 'BEGIN; LOCK TABLE a IN ROW EXCLUSIVE MODE' },
          { name: 'wr_commit', sql: 'COMMIT' },
        ],
      },
      lockThenEnd('ddl', 'a', 'SHARE ROW EXCLUSIVE'),
      lockThenEnd('later', 'a', 'ROW EXCLUSIVE'),
      {
        name: 'nowaiter',
        steps: [
          { name: 'nowait_lock', sql: 'BEGIN; LOCK TABLE a IN ROW EXCLUSIVE MODE NOWAIT' },
          { name: 'nowait_rollback', sql: 'ROLLBACK' },
        ],
      },
    ],
    permutations: [
      ['wr_lock', 'ddl_lock', 'later_lock', 'wr_commit', 'ddl_commit', 'later_commit'],
      ['wr_lock', 'ddl_lock', 'nowait_lock', 'nowait_rollback', 'wr_commit', 'ddl_commit'],
    ],
  },
  expected: [
    expected(['wr_lock', 'ddl_lock', 'later_lock', 'wr_commit', 'ddl_commit', 'later_commit'], {
      blocked: { ddl_lock: ['writer'], later_lock: ['ddl'] },
      locks: { ddl_lock: 'ShareRowExclusiveLock on relation a', later_lock: 'RowExclusiveLock on relation a' },
      errors: {},
      completionOrder: ['wr_lock', 'wr_commit', 'ddl_lock', 'ddl_commit', 'later_lock', 'later_commit'],
    }),
    expected(['wr_lock', 'ddl_lock', 'nowait_lock', 'nowait_rollback', 'wr_commit', 'ddl_commit'], {
      blocked: { ddl_lock: ['writer'] },
      errors: { nowait_lock: '55P03' },
      completionOrder: ['wr_lock', 'nowait_lock', 'nowait_rollback', 'wr_commit', 'ddl_lock', 'ddl_commit'],
    }),
  ],
};

const queueJumping: RegressionProgram = {
  program: {
    name: 'table-lock-queue-jumping',
    description:
      'A transaction holding ACCESS SHARE asks for ROW EXCLUSIVE while an ACCESS EXCLUSIVE request waits ' +
      'for it: it goes in front of that waiter and is granted at once; a newcomer asking the same queues.',
    setup,
    sessions: [
      {
        name: 'holder',
        steps: [
          { name: 'h_share', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'h_upgrade', sql: 'LOCK TABLE a IN ROW EXCLUSIVE MODE' },
          { name: 'h_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'exclusive',
        steps: [
          { name: 'x_lock', sql: 'BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
          { name: 'x_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'newcomer',
        steps: [
          { name: 'n_lock', sql: 'BEGIN; LOCK TABLE a IN ROW EXCLUSIVE MODE' },
          { name: 'n_commit', sql: 'COMMIT' },
        ],
      },
    ],
    permutations: [['h_share', 'x_lock', 'n_lock', 'h_upgrade', 'h_commit', 'x_commit', 'n_commit']],
  },
  expected: [
    expected(['h_share', 'x_lock', 'n_lock', 'h_upgrade', 'h_commit', 'x_commit', 'n_commit'], {
      blocked: { x_lock: ['holder'], n_lock: ['exclusive'] },
      errors: {},
      completionOrder: ['h_share', 'h_upgrade', 'h_commit', 'x_lock', 'x_commit', 'n_lock', 'n_commit'],
    }),
  ],
};

const holderQueuesAhead: RegressionProgram = {
  program: {
    name: 'table-lock-holder-queues-ahead',
    description:
      'A reader holding ACCESS SHARE asks for SHARE while EXCLUSIVE is granted to another and ACCESS EXCLUSIVE ' +
      'waits: it cannot be granted, but it queues in front of that waiter, so it waits for the holder only ' +
      'and is granted first when the holder commits.',
    setup,
    sessions: [
      {
        name: 'reader',
        steps: [
          { name: 'r_share', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'r_more', sql: 'LOCK TABLE a IN SHARE MODE' },
          { name: 'r_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'excl',
        steps: [
          { name: 'e_lock', sql: 'BEGIN; LOCK TABLE a IN EXCLUSIVE MODE' },
          { name: 'e_commit', sql: 'COMMIT' },
        ],
      },
      lockThenEnd('ae', 'a', 'ACCESS EXCLUSIVE'),
    ],
    permutations: [['r_share', 'e_lock', 'ae_lock', 'r_more', 'e_commit', 'r_commit', 'ae_commit']],
  },
  expected: [
    expected(['r_share', 'e_lock', 'ae_lock', 'r_more', 'e_commit', 'r_commit', 'ae_commit'], {
      blocked: { ae_lock: ['reader', 'excl'], r_more: ['excl'] },
      errors: {},
      completionOrder: ['r_share', 'e_lock', 'e_commit', 'r_more', 'r_commit', 'ae_lock', 'ae_commit'],
    }),
  ],
};

const wakeupScansQueue: RegressionProgram = {
  program: {
    name: 'table-lock-wakeup-scans-whole-queue',
    description:
      'When a waiting EXCLUSIVE request times out, the queue is scanned to its end: a ROW SHARE request ' +
      'behind a still-blocked SHARE UPDATE EXCLUSIVE one is granted past it.',
    setup,
    sessions: [
      lockThenEnd('sue', 'a', 'SHARE UPDATE EXCLUSIVE'),
      lockThenEnd('rs', 'a', 'ROW SHARE'),
      lockThenEnd('ex', 'a', 'EXCLUSIVE', 'ROLLBACK', ["SET lock_timeout = '150ms'"]),
      lockThenEnd('w4', 'a', 'SHARE UPDATE EXCLUSIVE'),
      lockThenEnd('w5', 'a', 'ROW SHARE'),
    ],
    permutations: [
      [
        'sue_lock',
        'rs_lock',
        'ex_lock',
        'w4_lock',
        'w5_lock',
        'ex_rollback',
        'sue_commit',
        'rs_commit',
        'w4_commit',
        'w5_commit',
      ],
    ],
  },
  expected: [
    expected(
      [
        'sue_lock',
        'rs_lock',
        'ex_lock',
        'w4_lock',
        'w5_lock',
        'ex_rollback',
        'sue_commit',
        'rs_commit',
        'w4_commit',
        'w5_commit',
      ],
      {
        blocked: { ex_lock: ['sue', 'rs'], w4_lock: ['sue', 'ex'], w5_lock: ['ex'] },
        errors: { ex_lock: '55P03' },
        completionOrder: [
          'sue_lock',
          'rs_lock',
          'ex_lock',
          'w5_lock',
          'ex_rollback',
          'sue_commit',
          'w4_lock',
          'rs_commit',
          'w4_commit',
          'w5_commit',
        ],
      },
    ),
  ],
};

const upgradeDeadlock: RegressionProgram = {
  program: {
    name: 'table-lock-upgrade-deadlock',
    description:
      'Two transactions hold ACCESS SHARE and both ask for ACCESS EXCLUSIVE: the second sees on joining ' +
      'the queue that the waiter ahead waits for it, and fails with 40P01 at once, without waiting.',
    setup,
    sessions: [
      {
        name: 'first',
        steps: [
          { name: 'u1_share', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'u1_exclusive', sql: 'LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
          { name: 'u1_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'second',
        steps: [
          { name: 'u2_share', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'u2_exclusive', sql: 'LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
          { name: 'u2_rollback', sql: 'ROLLBACK' },
        ],
      },
    ],
    permutations: [['u1_share', 'u2_share', 'u1_exclusive', 'u2_exclusive', 'u1_commit', 'u2_rollback']],
  },
  expected: [
    expected(['u1_share', 'u2_share', 'u1_exclusive', 'u2_exclusive', 'u1_commit', 'u2_rollback'], {
      blocked: { u1_exclusive: ['second'] },
      errors: { u2_exclusive: '40P01' },
      completionOrder: ['u1_share', 'u2_share', 'u2_exclusive', 'u1_exclusive', 'u1_commit', 'u2_rollback'],
    }),
  ],
};

const twoTableSessions = (firstSetup: readonly string[], secondSetup: readonly string[]) => [
  {
    name: 's1',
    setup: firstSetup,
    steps: [
      { name: 's1_a', sql: 'BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
      { name: 's1_b', sql: 'LOCK TABLE b IN ACCESS SHARE MODE' },
      { name: 's1_end', sql: 'COMMIT' },
    ],
  },
  {
    name: 's2',
    setup: secondSetup,
    steps: [
      { name: 's2_b', sql: 'BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE' },
      { name: 's2_a', sql: 'LOCK TABLE a IN ROW EXCLUSIVE MODE' },
      { name: 's2_end', sql: 'COMMIT' },
    ],
  },
];
const twoTablePermutation = ['s1_a', 's2_b', 's1_b', 's2_a', 's1_end', 's2_end'];

const earliestWaiterVictim: RegressionProgram = {
  program: {
    name: 'table-lock-deadlock-earliest-waiter',
    description:
      'Two transactions lock two tables in opposite orders; with equal deadlock_timeouts the first to ' +
      'wait runs the first deadlock check, finds the cycle and is the victim (40P01).',
    setup,
    sessions: twoTableSessions([], []),
    permutations: [twoTablePermutation],
  },
  expected: [
    expected(twoTablePermutation, {
      blocked: { s1_b: ['s2'], s2_a: ['s1'] },
      errors: { s1_b: '40P01' },
      completionOrder: ['s1_a', 's2_b', 's2_a', 's1_b', 's1_end', 's2_end'],
    }),
  ],
};

const firstTimerVictim: RegressionProgram = {
  program: {
    name: 'table-lock-deadlock-first-timer',
    description:
      'The same deadlock, but the later waiter has the shorter deadlock_timeout: its check runs first, so ' +
      'it is the victim, not the earliest waiter.',
    setup,
    sessions: twoTableSessions(["SET deadlock_timeout = '400ms'"], ["SET deadlock_timeout = '50ms'"]),
    permutations: [twoTablePermutation],
  },
  expected: [
    expected(twoTablePermutation, {
      blocked: { s1_b: ['s2'], s2_a: ['s1'] },
      errors: { s2_a: '40P01' },
      completionOrder: ['s1_a', 's2_b', 's2_a', 's1_b', 's1_end', 's2_end'],
    }),
  ],
};

const softDeadlock: RegressionProgram = {
  program: {
    name: 'table-lock-soft-deadlock',
    description:
      'An ACCESS SHARE request queued behind a waiting ACCESS EXCLUSIVE closes a cycle through the queue ' +
      'order only; the deadlock check moves it in front, it is granted, and nobody fails.',
    setup,
    sessions: [
      {
        name: 'reader',
        steps: [
          { name: 'r_a', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'r_b', sql: 'LOCK TABLE b IN ACCESS SHARE MODE' },
          { name: 'r_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'exclusive',
        steps: [
          { name: 'x_a', sql: 'BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
          { name: 'x_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'other',
        steps: [
          { name: 'o_b', sql: 'BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE' },
          { name: 'o_a', sql: 'LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'o_commit', sql: 'COMMIT' },
        ],
      },
    ],
    permutations: [['r_a', 'o_b', 'x_a', 'o_a', 'r_b', 'o_commit', 'r_commit', 'x_commit']],
  },
  expected: [
    expected(['r_a', 'o_b', 'x_a', 'o_a', 'r_b', 'o_commit', 'r_commit', 'x_commit'], {
      blocked: { x_a: ['reader'], o_a: ['exclusive'], r_b: ['other'] },
      errors: {},
      completionOrder: ['r_a', 'o_b', 'o_a', 'o_commit', 'r_b', 'r_commit', 'x_a', 'x_commit'],
    }),
  ],
};

const lockTimeoutQueue: RegressionProgram = {
  program: {
    name: 'table-lock-timeout-releases-queue',
    description:
      'An ACCESS EXCLUSIVE request under lock_timeout waits for a reader and holds up a writer queued ' +
      'behind it; when it times out (55P03) the writer is granted.',
    setup,
    sessions: [
      {
        name: 'reader',
        steps: [
          { name: 'r_lock', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'r_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'migration',
        setup: ["SET lock_timeout = '150ms'"],
        steps: [
          { name: 'm_lock', sql: 'BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE' },
          { name: 'm_rollback', sql: 'ROLLBACK' },
        ],
      },
      {
        name: 'writer',
        steps: [
          { name: 'w_lock', sql: 'BEGIN; LOCK TABLE a IN ROW EXCLUSIVE MODE' },
          { name: 'w_commit', sql: 'COMMIT' },
        ],
      },
    ],
    permutations: [['r_lock', 'm_lock', 'w_lock', 'm_rollback', 'r_commit', 'w_commit']],
  },
  expected: [
    expected(['r_lock', 'm_lock', 'w_lock', 'm_rollback', 'r_commit', 'w_commit'], {
      blocked: { m_lock: ['reader'], w_lock: ['migration'] },
      errors: { m_lock: '55P03' },
      completionOrder: ['r_lock', 'm_lock', 'w_lock', 'm_rollback', 'r_commit', 'w_commit'],
    }),
  ],
};

const savepointRelease: RegressionProgram = {
  program: {
    name: 'table-lock-rollback-to-savepoint',
    description:
      'ROLLBACK TO SAVEPOINT releases the lock taken after the savepoint (its waiter proceeds) and keeps ' +
      'the one taken before it until the transaction ends.',
    setup,
    sessions: [
      {
        name: 'owner',
        steps: [
          {
            name: 'o_locks',
            sql: 'BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE; SAVEPOINT sp; LOCK TABLE a IN ACCESS EXCLUSIVE MODE',
          },
          { name: 'o_rollback_to', sql: 'ROLLBACK TO SAVEPOINT sp' },
          { name: 'o_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'on_a',
        steps: [
          { name: 'a_lock', sql: 'BEGIN; LOCK TABLE a IN ACCESS SHARE MODE' },
          { name: 'a_commit', sql: 'COMMIT' },
        ],
      },
      {
        name: 'on_b',
        steps: [
          { name: 'b_lock', sql: 'BEGIN; LOCK TABLE b IN ACCESS SHARE MODE' },
          { name: 'b_commit', sql: 'COMMIT' },
        ],
      },
    ],
    permutations: [['o_locks', 'a_lock', 'b_lock', 'o_rollback_to', 'a_commit', 'o_commit', 'b_commit']],
  },
  expected: [
    expected(['o_locks', 'a_lock', 'b_lock', 'o_rollback_to', 'a_commit', 'o_commit', 'b_commit'], {
      blocked: { a_lock: ['owner'], b_lock: ['owner'] },
      errors: {},
      completionOrder: ['o_locks', 'o_rollback_to', 'a_lock', 'a_commit', 'o_commit', 'b_lock', 'b_commit'],
    }),
  ],
};

export const tableLockPrograms: readonly RegressionProgram[] = [
  queueBehindWaiter,
  queueJumping,
  holderQueuesAhead,
  wakeupScansQueue,
  upgradeDeadlock,
  earliestWaiterVictim,
  firstTimerVictim,
  softDeadlock,
  lockTimeoutQueue,
  savepointRelease,
];
