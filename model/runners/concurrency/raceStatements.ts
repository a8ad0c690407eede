/**
 * The race programs' schema and statements as engine statement values, next to their SQL in
 * `raceSchema.ts`: what the engine's sessions run for the same steps (docs/concurrency.md, "How the
 * engine models it"). The sync trigger is the model's own (`model/gitlab/syncTrigger.ts`), whose
 * PL/pgSQL twin is the function `raceSchema.ts` spells out.
 */
import { and, col, eq, fromCol, ge, isNotNull, isNull, le, or } from '../../../src/index.js';
import type { Row, Statement } from '../../../src/index.js';
import { syncObjectNames, syncTriggerSpec } from '../../gitlab/syncTrigger.js';
import { COPY } from './raceSchema.js';

export const runnersTableStatement: Statement = {
  kind: 'createTable',
  spec: {
    name: 'ci_runners',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'runner_type', type: 'smallint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'contacted_at', type: 'bigint' },
    ],
    primaryKey: ['id'],
  },
};

export const partitionedCopyStatements: readonly Statement[] = [
  {
    kind: 'createTable',
    spec: {
      name: COPY,
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'runner_type', type: 'smallint', notNull: true },
        { name: 'sharding_key_id', type: 'bigint' },
        { name: 'contacted_at', type: 'bigint' },
      ],
      primaryKey: ['id', 'runner_type'],
      partitionBy: { list: 'runner_type' },
    },
  },
  ...(['instance', 'group', 'project'] as const).map(
    (type, index): Statement => ({
      kind: 'createTable',
      spec: { name: `${type}_type_${COPY}`, partitionOf: { parent: COPY, values: [index + 1] } },
    }),
  ),
];

export const syncTriggerStatement: Statement = {
  kind: 'createTrigger',
  spec: syncTriggerSpec({
    source: 'ci_runners',
    copy: COPY,
    columns: ['id', 'runner_type', 'sharding_key_id', 'contacted_at'],
    ...syncObjectNames('ci_runners'),
  }),
};

export const runnerMachinesTableStatement: Statement = {
  kind: 'createTable',
  spec: {
    name: 'ci_runner_machines',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'system_xid', type: 'text', notNull: true },
    ],
    primaryKey: ['id'],
  },
};

export function addRunnerMachinesForeignKeyStatement(notValid: boolean): Statement {
  return {
    kind: 'addConstraint',
    table: 'ci_runner_machines',
    constraint: {
      kind: 'foreignKey',
      name: 'fk_rails_666b61f04f',
      columns: ['runner_id'],
      references: { table: 'ci_runners', columns: ['id'] },
      onDelete: 'cascade',
      notValid,
    },
  };
}

export const insertRows = (table: string, rows: readonly Row[], onConflict?: readonly string[]): Statement => ({
  kind: 'insert',
  table,
  rows,
  options: onConflict === undefined ? {} : { onConflict: { target: onConflict, action: 'nothing' } },
});

export const runner = (id: number, runnerType: number, shardingKeyId: number | null, contactedAt: number): Row => ({
  id,
  runner_type: runnerType,
  sharding_key_id: shardingKeyId,
  contacted_at: contactedAt,
});

export const heartbeatStatement = (id: number, contactedAt: number): Statement => ({
  kind: 'update',
  table: 'ci_runners',
  set: { contacted_at: contactedAt },
  where: eq(col('id'), id),
  options: {},
});

export const deleteRunnerStatement = (id: number): Statement => ({
  kind: 'delete',
  table: 'ci_runners',
  where: eq(col('id'), id),
  options: {},
});

const RUNNER_COLUMNS = ['id', 'runner_type', 'sharding_key_id', 'contacted_at'];

/** `backfillSubBatch` of raceSchema.ts as one engine statement: INSERT … SELECT [FOR UPDATE] ON CONFLICT DO NOTHING. */
export function backfillSubBatchStatement(from: number, to: number, forUpdate: boolean): Statement {
  return {
    kind: 'insertSelect',
    table: COPY,
    columns: RUNNER_COLUMNS,
    query: {
      table: 'ci_runners',
      select: RUNNER_COLUMNS.map((column) => col(column)),
      where: and(
        ge(col('id'), from),
        le(col('id'), to),
        or(eq(col('runner_type'), 1), isNotNull(col('sharding_key_id'))),
      ),
      ...(forUpdate ? { locking: { strength: 'Update' as const } } : {}),
    },
    options: { onConflict: { target: ['id', 'runner_type'], action: 'nothing' } },
  };
}

export const shardedMachinesTableStatement: Statement = {
  kind: 'createTable',
  spec: {
    name: 'ci_runner_machines',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
    ],
    primaryKey: ['id'],
  },
};

/** `shardingKeySubBatch` of raceSchema.ts as one engine statement: UPDATE … FROM ci_runners. */
export function shardingKeySubBatchStatement(from: number, to: number): Statement {
  return {
    kind: 'update',
    table: 'ci_runner_machines',
    set: { sharding_key_id: fromCol('ci_runners', 'sharding_key_id') },
    from: { table: 'ci_runners' },
    where: and(
      eq(fromCol('ci_runners', 'id'), col('runner_id')),
      ge(col('id'), from),
      le(col('id'), to),
      isNull(col('sharding_key_id')),
    ),
    options: {},
  };
}
/** `projects` and `ci_runner_projects` (raceSchema.ts `runnerProjectsTables`) as values. */
export const runnerProjectsTablesStatements: readonly Statement[] = [
  {
    kind: 'createTable',
    spec: { name: 'projects', columns: [{ name: 'id', type: 'bigint' }], primaryKey: ['id'] },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'ci_runner_projects',
      columns: [
        { name: 'id', type: 'bigserial' },
        { name: 'runner_id', type: 'bigint', notNull: true },
        { name: 'project_id', type: 'bigint', notNull: true },
      ],
      primaryKey: ['id'],
      constraints: [
        {
          kind: 'foreignKey',
          name: 'ci_runner_projects_runner_id_fkey',
          columns: ['runner_id'],
          references: { table: 'ci_runners', columns: ['id'] },
          onDelete: 'cascade',
        },
      ],
    },
  },
];

/**
 * What `assign_to` reads before it writes: whether the owner project exists, and the fallback
 * owner (the runner's lowest-id `ci_runner_projects` row), as two plain reads.
 */
export const assignToReadStatements = (ownerProject: number, runnerId: number): readonly Statement[] => [
  { kind: 'select', table: 'projects', options: { where: eq(col('id'), ownerProject) } },
  {
    kind: 'select',
    table: 'ci_runner_projects',
    options: { where: eq(col('runner_id'), runnerId), orderBy: [{ column: 'id', direction: 'asc' }], limit: 1 },
  },
];

export const assignOwnerStatement = (runnerId: number, project: number): Statement => ({
  kind: 'update',
  table: 'ci_runners',
  set: { sharding_key_id: project },
  where: eq(col('id'), runnerId),
  options: {},
});
