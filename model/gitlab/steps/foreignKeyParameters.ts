import type { ReferentialAction } from '../../../src/index.js';
import { concurrentForeignKeyName } from '../names.js';
import type { ParameterReader } from '../parameters.js';

/**
 * The options of GitLab's FK helpers (§c.1): `on_delete: :cascade` by default, `on_update: nil`,
 * `target_column: :id`, `validate: true`, and a name from `concurrent_foreign_key_name`.
 */
export interface ForeignKeyRequest {
  readonly source: string;
  readonly target: string;
  readonly columns: readonly string[];
  readonly targetColumns: readonly string[];
  readonly name: string;
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
  readonly validate: boolean;
}

export const FOREIGN_KEY_FIELDS = ['source', 'target', 'columns', 'targetColumns', 'name', 'onDelete', 'onUpdate', 'validate'] as const;

/** Rails spells the actions as symbols; `nullify` is SET NULL and `nil` is NO ACTION. */
const ACTIONS: Readonly<Record<string, ReferentialAction>> = { cascade: 'cascade', nullify: 'set null', 'set null': 'set null', restrict: 'restrict', 'no action': 'no action' };

function readAction(reader: ParameterReader, field: string, fallback: ReferentialAction): ReferentialAction {
  const value = reader.optionalJson(field);
  if (value === undefined) return fallback;
  if (value === null) return 'no action';
  const action = typeof value === 'string' ? ACTIONS[value] : undefined;
  if (action === undefined) reader.fail(`field "${field}" must be one of ${Object.keys(ACTIONS).map((name) => `"${name}"`).join(', ')} or null`);
  return action;
}

export function readForeignKeyRequest(reader: ParameterReader): ForeignKeyRequest {
  const source = reader.identifier('source');
  const target = reader.identifier('target');
  const columns = reader.columns('columns');
  const targetColumns = reader.columns('targetColumns', ['id']);
  if (targetColumns.length !== columns.length) reader.fail(`field "targetColumns" must list as many columns as "columns" (${columns.length})`);
  return {
    source,
    target,
    columns,
    targetColumns,
    name: reader.identifier('name', concurrentForeignKeyName(source, columns)),
    onDelete: readAction(reader, 'onDelete', 'cascade'),
    onUpdate: readAction(reader, 'onUpdate', 'no action'),
    validate: reader.boolean('validate', true),
  };
}

export function describeForeignKey(request: ForeignKeyRequest): string {
  return `${request.name} ${request.source}(${request.columns.join(', ')}) → ${request.target}(${request.targetColumns.join(', ')})`;
}
