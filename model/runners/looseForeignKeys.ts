/**
 * The runners world's loose foreign keys (docs/semantics.md §b.3). Only definitions whose child table the model has
 * are listed; the others of docs/semantics.md §b.3 (p_ci_builds, p_ci_runner_machine_builds, dast_*,
 * ci_running_builds, ci_runners.creator_id → users) have no modelled child, so their parents'
 * records are never consumed here.
 */
import type { LooseForeignKeyDefinition } from '../gitlab/looseForeignKeys/definitions.js';
import type { LooseForeignKeysSetup } from '../gitlab/looseForeignKeys/looseForeignKeysState.js';
import { mutated } from '../gitlab/mutations.js';

export const GITLAB_LOOSE_FOREIGN_KEYS: readonly LooseForeignKeyDefinition[] = [
  { childTable: 'ci_runner_namespaces', column: 'namespace_id', parentTable: 'namespaces', onDelete: 'async_delete' },
  { childTable: 'ci_runner_projects', column: 'project_id', parentTable: 'projects', onDelete: 'async_delete' },
  // Seed 004: "we have a belongs_to relationship … and also an LFK in place" for taggings → tags.
  { childTable: 'ci_runner_taggings', column: 'tag_id', parentTable: 'tags', onDelete: 'async_delete' },
];

/** The definitions in force: GitLab's, or the active mutant's mistaken YAML (mutations.ts). */
function definitions(): readonly LooseForeignKeyDefinition[] {
  if (mutated('lfk-runner-projects-definition-missing'))
    return GITLAB_LOOSE_FOREIGN_KEYS.filter((definition) => definition.childTable !== 'ci_runner_projects');
  if (!mutated('lfk-taggings-definition-wrong-column')) return GITLAB_LOOSE_FOREIGN_KEYS;
  return GITLAB_LOOSE_FOREIGN_KEYS.map((definition) =>
    definition.childTable === 'ci_runner_taggings' ? { ...definition, column: 'runner_id' } : definition,
  );
}

/** Tables GitLab tracks deletions of in the pre-plan schema (docs/semantics.md §b.1, docs/semantics.md §b.3): every LFK parent of the model, plus runners and managers. */
export const TRACKED_LEGACY_TABLES: readonly string[] = [
  'namespaces',
  'projects',
  'tags',
  'ci_runners',
  'ci_runner_machines',
];

export const RUNNERS_LOOSE_FOREIGN_KEYS: LooseForeignKeysSetup = {
  get definitions() {
    return definitions();
  },
  trackedTables: TRACKED_LEGACY_TABLES,
};
