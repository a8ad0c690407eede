/**
 * Loose foreign keys as data (`config/gitlab_loose_foreign_keys.yml`, §b.3), keyed like GitLab's
 * file by child table. Only definitions whose child table the model has are listed; the others
 * of §b.3 (p_ci_builds, p_ci_runner_machine_builds, dast_*, ci_running_builds,
 * ci_runners.creator_id → users) have no modelled child, so their parents' records are never
 * consumed here. Plans may add definitions (`add_loose_foreign_key`), e.g. on a partitioned copy.
 */
export type LooseForeignKeyAction = 'async_delete' | 'async_nullify';

export interface LooseForeignKeyDefinition {
  readonly childTable: string;
  readonly column: string;
  readonly parentTable: string;
  readonly onDelete: LooseForeignKeyAction;
}

export const LOOSE_FOREIGN_KEY_ACTIONS: readonly LooseForeignKeyAction[] = ['async_delete', 'async_nullify'];

export const GITLAB_LOOSE_FOREIGN_KEYS: readonly LooseForeignKeyDefinition[] = [
  { childTable: 'ci_runner_namespaces', column: 'namespace_id', parentTable: 'namespaces', onDelete: 'async_delete' },
  { childTable: 'ci_runner_projects', column: 'project_id', parentTable: 'projects', onDelete: 'async_delete' },
  // Seed 004: "we have a belongs_to relationship … and also an LFK in place" for taggings → tags.
  { childTable: 'ci_runner_taggings', column: 'tag_id', parentTable: 'tags', onDelete: 'async_delete' },
];

/** Tables GitLab tracks deletions of in the pre-plan schema (§b.1, §b.3): every LFK parent of the model, plus runners and managers. */
export const TRACKED_LEGACY_TABLES: readonly string[] = ['namespaces', 'projects', 'tags', 'ci_runners', 'ci_runner_machines'];

export function describeDefinition(definition: LooseForeignKeyDefinition): string {
  return `${definition.childTable}.${definition.column} → ${definition.parentTable} (${definition.onDelete})`;
}
