import type { Database } from '../../src/index.js';

/**
 * The pre-plan schema (GitLab 17.5, before the partitioned copies existed), relevant columns
 * only (docs/semantics.md §g). Everything the plan later adds (copies, sync triggers, FKs on the copies) is
 * created by migration steps, never here.
 */
export const NAMESPACES = 'namespaces';
export const PROJECTS = 'projects';
export const RUNNERS = 'ci_runners';
export const MANAGERS = 'ci_runner_machines';
export const RUNNER_PROJECTS = 'ci_runner_projects';
export const RUNNER_NAMESPACES = 'ci_runner_namespaces';

/** The legacy FK from managers to runners, named by Rails' hashing of `ci_runner_machines_runner_id_fk`. */
export const LEGACY_MANAGER_RUNNER_FK = 'fk_rails_666b61f04f';

export function createLegacySchema(db: Database): void {
  db.createTable({ name: NAMESPACES, columns: [{ name: 'id', type: 'bigserial' }], primaryKey: ['id'] });
  db.createTable({
    name: PROJECTS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'namespace_id', type: 'bigint', notNull: true },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: RUNNERS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_type', type: 'smallint', notNull: true },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'token', type: 'text' },
      { name: 'contacted_at', type: 'timestamptz' },
      { name: 'created_at', type: 'timestamptz', default: { now: true } },
    ],
    primaryKey: ['id'],
  });
  db.createIndex({ name: 'index_ci_runners_on_token', table: RUNNERS, columns: ['token'], unique: true });
  db.createTable({
    name: MANAGERS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      // Nullable in the legacy table: BackfillRunnerTypeAndShardingKeyIdOnCiRunnerManagers filled it in later.
      { name: 'runner_type', type: 'smallint' },
      { name: 'sharding_key_id', type: 'bigint' },
      { name: 'system_xid', type: 'text', notNull: true },
      { name: 'contacted_at', type: 'timestamptz' },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        name: LEGACY_MANAGER_RUNNER_FK,
        columns: ['runner_id'],
        references: { table: RUNNERS, columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
  db.createIndex({
    name: 'index_ci_runner_machines_on_runner_id_and_system_xid',
    table: MANAGERS,
    columns: ['runner_id', 'system_xid'],
    unique: true,
  });
  db.createTable({
    name: RUNNER_PROJECTS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'project_id', type: 'bigint', notNull: true },
    ],
    primaryKey: ['id'],
    // GitLab relied on Rails' `dependent: :destroy` here rather than a database FK; the model
    // uses a cascading FK so that deleting a runner (in one statement) removes its join rows.
    constraints: [
      {
        kind: 'foreignKey',
        name: 'fk_rails_ci_runner_projects_runner_id',
        columns: ['runner_id'],
        references: { table: RUNNERS, columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
  db.createTable({
    name: RUNNER_NAMESPACES,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'namespace_id', type: 'bigint', notNull: true },
    ],
    primaryKey: ['id'],
    // As for ci_runner_projects: Rails' `dependent: :destroy` in GitLab, a cascading FK here.
    constraints: [
      {
        kind: 'foreignKey',
        name: 'fk_rails_ci_runner_namespaces_runner_id',
        columns: ['runner_id'],
        references: { table: RUNNERS, columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
}

/** Tokens carry the `t<runner_type in hex>_` prefix that keeps them unique across partitions (docs/semantics.md §g). */
export function runnerToken(runnerType: number, serial: number): string {
  return `t${runnerType.toString(16)}_${serial}`;
}
