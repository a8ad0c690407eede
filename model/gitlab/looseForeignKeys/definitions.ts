/**
 * Loose foreign keys as data (`config/gitlab_loose_foreign_keys.yml`, docs/semantics.md §b.3), keyed like GitLab's
 * file by child table. A world lists the definitions its schema starts with; plans may add
 * definitions (`add_loose_foreign_key`), e.g. on a partitioned copy.
 */
export type LooseForeignKeyAction = 'async_delete' | 'async_nullify';

export interface LooseForeignKeyDefinition {
  readonly childTable: string;
  readonly column: string;
  readonly parentTable: string;
  readonly onDelete: LooseForeignKeyAction;
}

export const LOOSE_FOREIGN_KEY_ACTIONS: readonly LooseForeignKeyAction[] = ['async_delete', 'async_nullify'];

export function describeDefinition(definition: LooseForeignKeyDefinition): string {
  return `${definition.childTable}.${definition.column} → ${definition.parentTable} (${definition.onDelete})`;
}

type DefinitionKey = Pick<LooseForeignKeyDefinition, 'childTable' | 'column' | 'parentTable'>;

/** Whether two definitions name the same child column and parent table (their action aside). */
export function sameDefinition(left: DefinitionKey, right: DefinitionKey): boolean {
  return left.childTable === right.childTable && left.column === right.column && left.parentTable === right.parentTable;
}
