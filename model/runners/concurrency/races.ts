/**
 * Races in GitLab's `ci_runners` designs that only concurrent sessions reach (docs/concurrency.md,
 * "Races reachable only with concurrent sessions"), as multi-session programs with the outcomes
 * PostgreSQL 18.4 was observed to produce. Each program's statements are the ones GitLab's code
 * sends (docs/semantics.md §a.1, docs/semantics.md §c.1, docs/semantics.md §d.1, docs/semantics.md §e); values an application computes from an earlier
 * read are written into the later statement, as the application would.
 *
 * They run on the real server in `npm test` now, and are the fixed schedules the engine's sessions
 * must reproduce.
 */
import { col, eq } from '../../../src/index.js';
import type { RegressionProgram } from '../../../src/oracle/server/expectation.js';
import {
  COPY,
  addRunnerMachinesForeignKey,
  backfillSubBatch,
  partitionedCopy,
  runnerMachinesTable,
  runnerProjectsTables,
  runnersTable,
  shardedMachinesTable,
  shardingKeySubBatch,
  sql,
  syncTrigger,
} from './raceSchema.js';
import {
  addRunnerMachinesForeignKeyStatement,
  backfillSubBatchStatement,
  deleteRunnerStatement,
  assignOwnerStatement,
  assignToReadStatements,
  heartbeatStatement,
  shardedMachinesTableStatement,
  shardingKeySubBatchStatement,
  insertRows,
  partitionedCopyStatements,
  runner,
  runnerMachinesTableStatement,
  runnerProjectsTablesStatements,
  runnersTableStatement,
  syncTriggerStatement,
} from './raceStatements.js';

const instanceCopy = `instance_type_${COPY}`;
const groupCopy = `group_type_${COPY}`;
const projectCopy = `project_type_${COPY}`;

/**
 * The backfill copies a source row while an open transaction updates one row and deletes another.
 * With GitLab's `FOR UPDATE` it waits, then copies the committed state (EvalPlanQual re-reads row 1,
 * skips the deleted row 2); without it, it copies the old versions: a stale copy and a copied row
 * whose source is gone.
 */
export const backfillWithoutForUpdate: RegressionProgram = {
  program: {
    name: 'backfill-for-update-vs-api-writes',
    description:
      'A backfill sub-batch against an uncommitted heartbeat and runner deletion: stale and deleted rows ' +
      'reach the copy unless the backfill locks its rows FOR UPDATE.',
    // Legacy rows exist before the sync trigger, so only the backfill can copy them.
    setup: [
      runnersTable,
      ...partitionedCopy,
      'INSERT INTO ci_runners VALUES (1, 1, NULL, 100), (2, 3, 10, 100)',
      ...syncTrigger,
    ],
    setupStatements: [
      runnersTableStatement,
      ...partitionedCopyStatements,
      insertRows('ci_runners', [runner(1, 1, null, 100), runner(2, 3, 10, 100)]),
      syncTriggerStatement,
    ],
    sessions: [
      {
        name: 'api',
        steps: [
          { name: 'api_begin', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
          {
            name: 'api_heartbeat',
            sql: 'UPDATE ci_runners SET contacted_at = 200 WHERE id = 1',
            statements: [heartbeatStatement(1, 200)],
          },
          { name: 'api_delete', sql: 'DELETE FROM ci_runners WHERE id = 2', statements: [deleteRunnerStatement(2)] },
          { name: 'api_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
        ],
      },
      {
        name: 'backfill',
        steps: [
          {
            name: 'backfill_plain',
            sql: backfillSubBatch(1, 2, false),
            statements: [backfillSubBatchStatement(1, 2, false)],
          },
        ],
      },
      {
        name: 'backfill_locking',
        steps: [
          {
            name: 'backfill_for_update',
            sql: backfillSubBatch(1, 2, true),
            statements: [backfillSubBatchStatement(1, 2, true)],
          },
        ],
      },
    ],
    permutations: [
      ['api_begin', 'api_heartbeat', 'api_delete', 'backfill_plain', 'api_commit'],
      ['api_begin', 'api_heartbeat', 'api_delete', 'backfill_for_update', 'api_commit'],
    ],
  },
  expected: [
    {
      permutation: ['api_begin', 'api_heartbeat', 'api_delete', 'backfill_plain', 'api_commit'],
      blocked: {},
      errors: {},
      rowCounts: { api_heartbeat: 1, api_delete: 1, backfill_plain: 2 },
      completionOrder: ['api_begin', 'api_heartbeat', 'api_delete', 'backfill_plain', 'api_commit'],
      contents: {
        ci_runners: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [groupCopy]: [],
        [instanceCopy]: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 }],
        [projectCopy]: [{ id: 2, runner_type: 3, sharding_key_id: 10, contacted_at: 100 }],
      },
    },
    {
      permutation: ['api_begin', 'api_heartbeat', 'api_delete', 'backfill_for_update', 'api_commit'],
      blocked: { backfill_for_update: ['api'] },
      locks: { backfill_for_update: 'ShareLock on transaction' },
      errors: {},
      rowCounts: { backfill_for_update: 1 },
      completionOrder: ['api_begin', 'api_heartbeat', 'api_delete', 'api_commit', 'backfill_for_update'],
      contents: {
        ci_runners: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [groupCopy]: [],
        [instanceCopy]: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [projectCopy]: [],
      },
    },
  ],
};

/**
 * `POST /runners/verify` ensures the runner's copy row (ON CONFLICT DO NOTHING, from the attributes
 * it loaded) and creates the manager in one transaction. A heartbeat committed meanwhile updates
 * the source; its trigger's UPDATE of the copy cannot see the uncommitted copy row and changes
 * nothing, and nothing waits (the manager's FK check takes KEY SHARE, which a non-key UPDATE does
 * not conflict with). The copy keeps the old `contacted_at` for good.
 */
export const ensureCopyVsHeartbeat: RegressionProgram = {
  program: {
    name: 'ensure-copy-vs-heartbeat',
    description:
      'An ensure-copy inside an open verify transaction and a concurrent heartbeat: the copy ends stale ' +
      'unless the heartbeat comes after the commit.',
    setup: [
      runnersTable,
      ...partitionedCopy,
      runnerMachinesTable,
      addRunnerMachinesForeignKey(false),
      'INSERT INTO ci_runners VALUES (1, 1, NULL, 100)',
      ...syncTrigger,
    ],
    setupStatements: [
      runnersTableStatement,
      ...partitionedCopyStatements,
      runnerMachinesTableStatement,
      addRunnerMachinesForeignKeyStatement(false),
      insertRows('ci_runners', [runner(1, 1, null, 100)]),
      syncTriggerStatement,
    ],
    sessions: [
      {
        name: 'verify',
        steps: [
          { name: 'verify_begin', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
          {
            name: 'verify_ensure_copy',
            sql: sql(
              `INSERT INTO ${COPY} (id, runner_type, sharding_key_id, contacted_at) VALUES (1, 1, NULL, 100)`,
              'ON CONFLICT (id, runner_type) DO NOTHING',
            ),
            statements: [insertRows(COPY, [runner(1, 1, null, 100)], ['id', 'runner_type'])],
          },
          {
            name: 'verify_manager',
            sql: "INSERT INTO ci_runner_machines (id, runner_id, system_xid) VALUES (1, 1, 's0')",
            statements: [insertRows('ci_runner_machines', [{ id: 1, runner_id: 1, system_xid: 's0' }])],
          },
          { name: 'verify_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
        ],
      },
      {
        name: 'heartbeat',
        steps: [
          {
            name: 'heartbeat',
            sql: 'UPDATE ci_runners SET contacted_at = 200 WHERE id = 1',
            statements: [heartbeatStatement(1, 200)],
          },
        ],
      },
    ],
    permutations: [
      ['verify_begin', 'verify_ensure_copy', 'heartbeat', 'verify_manager', 'verify_commit'],
      ['verify_begin', 'verify_ensure_copy', 'verify_manager', 'heartbeat', 'verify_commit'],
      ['verify_begin', 'verify_ensure_copy', 'verify_manager', 'verify_commit', 'heartbeat'],
    ],
  },
  expected: [
    ...[
      ['verify_begin', 'verify_ensure_copy', 'heartbeat', 'verify_manager', 'verify_commit'],
      ['verify_begin', 'verify_ensure_copy', 'verify_manager', 'heartbeat', 'verify_commit'],
    ].map((permutation) => ({
      permutation,
      blocked: {},
      errors: {},
      rowCounts: { verify_ensure_copy: 1, heartbeat: 1 },
      completionOrder: permutation,
      contents: {
        ci_runner_machines: [{ id: 1, runner_id: 1, system_xid: 's0' }],
        ci_runners: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [groupCopy]: [],
        [instanceCopy]: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 }],
        [projectCopy]: [],
      },
    })),
    {
      permutation: ['verify_begin', 'verify_ensure_copy', 'verify_manager', 'verify_commit', 'heartbeat'],
      blocked: {},
      errors: {},
      rowCounts: { verify_ensure_copy: 1, heartbeat: 1 },
      completionOrder: ['verify_begin', 'verify_ensure_copy', 'verify_manager', 'verify_commit', 'heartbeat'],
      contents: {
        ci_runner_machines: [{ id: 1, runner_id: 1, system_xid: 's0' }],
        ci_runners: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [groupCopy]: [],
        [instanceCopy]: [{ id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 200 }],
        [projectCopy]: [],
      },
    },
  ],
};

/**
 * Project runner 3's owner project 10 is gone and no `ci_runner_projects` row is left, so each
 * `assign_to` reads "no owner, no fallback" and makes its own project the owner. Neither locks the
 * runner before reading: the second UPDATE waits for the first transaction, then overwrites its
 * owner (a lost update). The owner ends as project 20 while the lowest-id runner project is 30.
 */
/**
 * What `assign_to` reads first: does the owner project exist, and the fallback owner (lowest-id
 * runner project). Two reads in one step; the step's result is the second's (no row: no fallback).
 */
const assignToRead = sql(
  'SELECT * FROM projects WHERE id = 10;',
  'SELECT * FROM ci_runner_projects WHERE runner_id = 3 ORDER BY id LIMIT 1',
);
const assignStep = (prefix: string, project: number) => [
  { name: `${prefix}_read`, sql: assignToRead, statements: assignToReadStatements(10, 3) },
  {
    name: `${prefix}_update`,
    sql: `BEGIN; UPDATE ci_runners SET sharding_key_id = ${project} WHERE id = 3`,
    statements: [{ kind: 'begin' as const }, assignOwnerStatement(3, project)],
  },
  {
    name: `${prefix}_insert`,
    sql: `INSERT INTO ci_runner_projects (runner_id, project_id) VALUES (3, ${project})`,
    statements: [insertRows('ci_runner_projects', [{ runner_id: 3, project_id: project }])],
  },
  { name: `${prefix}_commit`, sql: 'COMMIT', statements: [{ kind: 'commit' as const }] },
];

export const concurrentAssignTo: RegressionProgram = {
  program: {
    name: 'concurrent-assign-to-after-owner-deleted',
    description:
      'Two concurrent assign_to of a runner whose owner project was deleted: the later UPDATE wins, and ' +
      'the owner is not the lowest-id ci_runner_projects row.',
    setup: [
      runnersTable,
      ...runnerProjectsTables,
      'INSERT INTO projects VALUES (20), (30)',
      'INSERT INTO ci_runners VALUES (3, 3, 10, 100)',
    ],
    setupStatements: [
      runnersTableStatement,
      ...runnerProjectsTablesStatements,
      insertRows('projects', [{ id: 20 }, { id: 30 }]),
      insertRows('ci_runners', [runner(3, 3, 10, 100)]),
    ],
    sessions: [
      { name: 'assign30', steps: assignStep('a30', 30) },
      { name: 'assign20', steps: assignStep('a20', 20) },
    ],
    permutations: [
      ['a30_read', 'a20_read', 'a30_update', 'a20_update', 'a30_insert', 'a30_commit', 'a20_insert', 'a20_commit'],
    ],
  },
  expected: [
    {
      permutation: [
        'a30_read',
        'a20_read',
        'a30_update',
        'a20_update',
        'a30_insert',
        'a30_commit',
        'a20_insert',
        'a20_commit',
      ],
      blocked: { a20_update: ['assign30'] },
      locks: { a20_update: 'ShareLock on transaction' },
      errors: {},
      rowCounts: { a30_read: 0, a20_read: 0, a30_update: 1, a20_update: 1 },
      completionOrder: [
        'a30_read',
        'a20_read',
        'a30_update',
        'a30_insert',
        'a30_commit',
        'a20_update',
        'a20_insert',
        'a20_commit',
      ],
      contents: {
        ci_runner_projects: [
          { id: 1, runner_id: 3, project_id: 30 },
          { id: 2, runner_id: 3, project_id: 20 },
        ],
        ci_runners: [{ id: 3, runner_type: 3, sharding_key_id: 20, contacted_at: 100 }],
        projects: [{ id: 20 }, { id: 30 }],
      },
    },
  ],
};

/**
 * `add_concurrent_foreign_key` behind a long transaction that wrote `ci_runners`: the ALTER holds
 * SHARE ROW EXCLUSIVE on `ci_runner_machines` and queues for it on `ci_runners`, and a later
 * heartbeat, compatible with the long transaction, queues behind the waiting ALTER. On the first
 * `with_lock_retries` attempt (lock_timeout 100 ms) the ALTER fails with 55P03 and the heartbeat
 * proceeds; on the last attempt (no timeout) the heartbeat waits until the migration commits.
 */
export const foreignKeyBehindLongTransaction: RegressionProgram = {
  program: {
    name: 'add-foreign-key-queues-writes',
    description:
      'A waiting ADD FOREIGN KEY makes later API writes queue behind it: until its lock_timeout (55P03), ' +
      'or on the last attempt until it commits.',
    setup: [runnersTable, runnerMachinesTable, 'INSERT INTO ci_runners VALUES (1, 1, NULL, 100), (2, 1, NULL, 100)'],
    setupStatements: [
      runnersTableStatement,
      runnerMachinesTableStatement,
      insertRows('ci_runners', [runner(1, 1, null, 100), runner(2, 1, null, 100)]),
    ],
    sessions: [
      {
        name: 'long',
        steps: [
          {
            name: 'long_heartbeat',
            sql: 'BEGIN; UPDATE ci_runners SET contacted_at = 300 WHERE id = 1',
            statements: [{ kind: 'begin' }, heartbeatStatement(1, 300)],
          },
          { name: 'long_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
        ],
      },
      {
        name: 'migration',
        steps: [
          {
            name: 'mig_begin_timeout',
            sql: "BEGIN; SET LOCAL lock_timeout = '100ms'",
            statements: [{ kind: 'begin' }, { kind: 'set', name: 'lock_timeout', milliseconds: 100, local: true }],
          },
          { name: 'mig_begin_last_attempt', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
          {
            name: 'mig_add_fk',
            sql: addRunnerMachinesForeignKey(true),
            statements: [addRunnerMachinesForeignKeyStatement(true)],
          },
          { name: 'mig_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
        ],
      },
      {
        name: 'api',
        steps: [
          {
            name: 'api_heartbeat',
            sql: 'UPDATE ci_runners SET contacted_at = 400 WHERE id = 2',
            statements: [heartbeatStatement(2, 400)],
          },
          {
            name: 'api_manager',
            sql: "INSERT INTO ci_runner_machines (id, runner_id, system_xid) VALUES (1, 2, 's1')",
            statements: [insertRows('ci_runner_machines', [{ id: 1, runner_id: 2, system_xid: 's1' }])],
          },
        ],
      },
    ],
    permutations: [
      [
        'long_heartbeat',
        'mig_begin_timeout',
        'mig_add_fk',
        'api_heartbeat',
        'mig_commit',
        'api_manager',
        'long_commit',
      ],
      [
        'long_heartbeat',
        'mig_begin_last_attempt',
        'mig_add_fk',
        'api_heartbeat',
        'long_commit',
        'mig_commit',
        'api_manager',
      ],
    ],
  },
  expected: [
    {
      permutation: [
        'long_heartbeat',
        'mig_begin_timeout',
        'mig_add_fk',
        'api_heartbeat',
        'mig_commit',
        'api_manager',
        'long_commit',
      ],
      blocked: { mig_add_fk: ['long'], api_heartbeat: ['migration'] },
      locks: {
        mig_add_fk: 'ShareRowExclusiveLock on relation ci_runners',
        api_heartbeat: 'RowExclusiveLock on relation ci_runners',
      },
      errors: { mig_add_fk: '55P03' },
      completionOrder: [
        'long_heartbeat',
        'mig_begin_timeout',
        'mig_add_fk',
        'api_heartbeat',
        'mig_commit',
        'api_manager',
        'long_commit',
      ],
      contents: {
        ci_runner_machines: [{ id: 1, runner_id: 2, system_xid: 's1' }],
        ci_runners: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 300 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 400 },
        ],
      },
    },
    {
      permutation: [
        'long_heartbeat',
        'mig_begin_last_attempt',
        'mig_add_fk',
        'api_heartbeat',
        'long_commit',
        'mig_commit',
        'api_manager',
      ],
      blocked: { mig_add_fk: ['long'], api_heartbeat: ['migration'] },
      locks: {
        mig_add_fk: 'ShareRowExclusiveLock on relation ci_runners',
        api_heartbeat: 'RowExclusiveLock on relation ci_runners',
      },
      errors: {},
      completionOrder: [
        'long_heartbeat',
        'mig_begin_last_attempt',
        'long_commit',
        'mig_add_fk',
        'mig_commit',
        'api_heartbeat',
        'api_manager',
      ],
      contents: {
        ci_runner_machines: [{ id: 1, runner_id: 2, system_xid: 's1' }],
        ci_runners: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 300 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 400 },
        ],
      },
    },
  ],
};

/**
 * The backfill's ON CONFLICT arbiter meets a copy row that an open verify transaction inserted
 * (its ensure-copy): the sub-batch waits for that transaction (semantics 5). After a commit it does
 * nothing for that runner; after a rollback it copies it.
 */
export const backfillVsEnsureCopy: RegressionProgram = {
  program: {
    name: 'backfill-waits-for-uncommitted-copy',
    description:
      'A backfill sub-batch whose ON CONFLICT arbiter meets an uncommitted ensure-copy row waits for it: ' +
      'DO NOTHING after its commit, the copy after its rollback.',
    setup: [runnersTable, ...partitionedCopy, 'INSERT INTO ci_runners VALUES (1, 1, NULL, 100), (2, 1, NULL, 100)'],
    setupStatements: [
      runnersTableStatement,
      ...partitionedCopyStatements,
      insertRows('ci_runners', [runner(1, 1, null, 100), runner(2, 1, null, 100)]),
    ],
    sessions: [
      {
        name: 'verify',
        steps: [
          { name: 'verify_begin', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
          {
            name: 'verify_ensure_copy',
            sql: sql(
              `INSERT INTO ${COPY} (id, runner_type, sharding_key_id, contacted_at) VALUES (1, 1, NULL, 150)`,
              'ON CONFLICT (id, runner_type) DO NOTHING',
            ),
            statements: [insertRows(COPY, [runner(1, 1, null, 150)], ['id', 'runner_type'])],
          },
          { name: 'verify_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
          { name: 'verify_rollback', sql: 'ROLLBACK', statements: [{ kind: 'rollback' }] },
        ],
      },
      {
        name: 'backfill',
        steps: [
          {
            name: 'backfill',
            sql: backfillSubBatch(1, 2, true),
            statements: [backfillSubBatchStatement(1, 2, true)],
          },
        ],
      },
    ],
    permutations: [
      ['verify_begin', 'verify_ensure_copy', 'backfill', 'verify_commit'],
      ['verify_begin', 'verify_ensure_copy', 'backfill', 'verify_rollback'],
    ],
  },
  expected: [
    {
      permutation: ['verify_begin', 'verify_ensure_copy', 'backfill', 'verify_commit'],
      blocked: { backfill: ['verify'] },
      locks: { backfill: 'ShareLock on transaction' },
      errors: {},
      rowCounts: { verify_ensure_copy: 1, backfill: 1 },
      completionOrder: ['verify_begin', 'verify_ensure_copy', 'verify_commit', 'backfill'],
      contents: {
        ci_runners: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
        ],
        [groupCopy]: [],
        [instanceCopy]: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 150 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
        ],
        [projectCopy]: [],
      },
    },
    {
      permutation: ['verify_begin', 'verify_ensure_copy', 'backfill', 'verify_rollback'],
      blocked: { backfill: ['verify'] },
      locks: { backfill: 'ShareLock on transaction' },
      errors: {},
      rowCounts: { verify_ensure_copy: 1, backfill: 2 },
      completionOrder: ['verify_begin', 'verify_ensure_copy', 'verify_rollback', 'backfill'],
      contents: {
        ci_runners: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
        ],
        [groupCopy]: [],
        [instanceCopy]: [
          { id: 1, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
          { id: 2, runner_type: 1, sharding_key_id: null, contacted_at: 100 },
        ],
        [projectCopy]: [],
      },
    },
  ],
};

/**
 * A sharding-key backfill sub-batch (UPDATE … FROM ci_runners) against open API transactions. It
 * waits for a machine row another transaction updated, then re-checks that row's newest version
 * with the runner row it joined (EvalPlanQual): a machine the API gave a key meanwhile is skipped.
 * It never waits for the runners it reads: a runner whose key changes in an open transaction
 * gives the machine its old key, which stays stale after that transaction commits.
 */
export const shardingKeyBackfillRaces: RegressionProgram = {
  program: {
    name: 'sharding-key-backfill-update-from',
    description:
      'UPDATE … FROM backfilling machine sharding keys: it waits for a locked machine and re-checks it, ' +
      'but copies a runner key that an open transaction is changing.',
    setup: [
      runnersTable,
      shardedMachinesTable,
      'INSERT INTO ci_runners VALUES (1, 2, 10, 100), (2, 3, 20, 100)',
      'INSERT INTO ci_runner_machines VALUES (1, 1, NULL), (2, 2, NULL)',
    ],
    setupStatements: [
      runnersTableStatement,
      shardedMachinesTableStatement,
      insertRows('ci_runners', [runner(1, 2, 10, 100), runner(2, 3, 20, 100)]),
      insertRows('ci_runner_machines', [
        { id: 1, runner_id: 1, sharding_key_id: null },
        { id: 2, runner_id: 2, sharding_key_id: null },
      ]),
    ],
    sessions: [
      {
        name: 'api',
        steps: [
          { name: 'api_begin', sql: 'BEGIN', statements: [{ kind: 'begin' }] },
          {
            name: 'api_machine_key',
            sql: 'UPDATE ci_runner_machines SET sharding_key_id = 11 WHERE id = 1',
            statements: [
              {
                kind: 'update',
                table: 'ci_runner_machines',
                set: { sharding_key_id: 11 },
                where: eq(col('id'), 1),
                options: {},
              },
            ],
          },
          {
            name: 'api_runner_key',
            sql: 'UPDATE ci_runners SET sharding_key_id = 21 WHERE id = 2',
            statements: [
              {
                kind: 'update',
                table: 'ci_runners',
                set: { sharding_key_id: 21 },
                where: eq(col('id'), 2),
                options: {},
              },
            ],
          },
          { name: 'api_commit', sql: 'COMMIT', statements: [{ kind: 'commit' }] },
        ],
      },
      {
        name: 'backfill',
        steps: [{ name: 'backfill', sql: shardingKeySubBatch(1, 2), statements: [shardingKeySubBatchStatement(1, 2)] }],
      },
    ],
    permutations: [
      ['api_begin', 'api_machine_key', 'backfill', 'api_commit'],
      ['api_begin', 'api_runner_key', 'backfill', 'api_commit'],
    ],
  },
  expected: [
    {
      permutation: ['api_begin', 'api_machine_key', 'backfill', 'api_commit'],
      blocked: { backfill: ['api'] },
      locks: { backfill: 'ShareLock on transaction' },
      errors: {},
      rowCounts: { api_machine_key: 1, backfill: 1 },
      completionOrder: ['api_begin', 'api_machine_key', 'api_commit', 'backfill'],
      contents: {
        ci_runner_machines: [
          { id: 1, runner_id: 1, sharding_key_id: 11 },
          { id: 2, runner_id: 2, sharding_key_id: 20 },
        ],
        ci_runners: [
          { id: 1, runner_type: 2, sharding_key_id: 10, contacted_at: 100 },
          { id: 2, runner_type: 3, sharding_key_id: 20, contacted_at: 100 },
        ],
      },
    },
    {
      permutation: ['api_begin', 'api_runner_key', 'backfill', 'api_commit'],
      blocked: {},
      errors: {},
      rowCounts: { api_runner_key: 1, backfill: 2 },
      completionOrder: ['api_begin', 'api_runner_key', 'backfill', 'api_commit'],
      contents: {
        ci_runner_machines: [
          { id: 1, runner_id: 1, sharding_key_id: 10 },
          { id: 2, runner_id: 2, sharding_key_id: 20 },
        ],
        ci_runners: [
          { id: 1, runner_type: 2, sharding_key_id: 10, contacted_at: 100 },
          { id: 2, runner_type: 3, sharding_key_id: 21, contacted_at: 100 },
        ],
      },
    },
  ],
};

export const runnerRaces: readonly RegressionProgram[] = [
  backfillWithoutForUpdate,
  backfillVsEnsureCopy,
  shardingKeyBackfillRaces,
  ensureCopyVsHeartbeat,
  concurrentAssignTo,
  foreignKeyBehindLongTransaction,
];
