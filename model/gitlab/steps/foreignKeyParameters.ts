import type { FieldMap } from '../../../src/harness/fieldSpec.js';
import type { ReferentialAction } from '../../../src/index.js';
import { concurrentForeignKeyName } from '../names.js';
import type { ParameterReader } from '../parameters.js';

/**
 * The options of GitLab's FK helpers (docs/semantics.md §c.1): `on_delete: :cascade` by default, `on_update: nil`,
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

/** Rails spells the actions as symbols; `nullify` is SET NULL and `nil` is NO ACTION. */
const ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  cascade: 'cascade',
  nullify: 'set null',
  'set null': 'set null',
  restrict: 'restrict',
  'no action': 'no action',
};
const ACTION_NAMES = Object.keys(ACTIONS);

export const FOREIGN_KEY_FIELDS: FieldMap = {
  source: { kind: 'string', refers: { kind: 'table' }, description: "The referencing table (Rails' first argument)." },
  target: { kind: 'string', refers: { kind: 'table' }, description: 'The referenced table.' },
  columns: {
    kind: 'names',
    refers: { kind: 'column', ofField: 'source' },
    description: 'The referencing column or columns (`column:`).',
  },
  targetColumns: {
    kind: 'names',
    default: ['id'],
    refers: { kind: 'column', ofField: 'target' },
    description: 'The referenced column or columns (`target_column:`), as many as "columns".',
  },
  name: {
    kind: 'string',
    defaultText: "GitLab's concurrent_foreign_key_name: fk_ and a hash of the source table and columns",
    description: "The constraint's name (created by this step).",
  },
  onDelete: {
    kind: 'enum',
    values: ACTION_NAMES,
    nullable: true,
    default: 'cascade',
    description: "ON DELETE action (`on_delete:`); null means NO ACTION, as Rails' nil.",
  },
  onUpdate: {
    kind: 'enum',
    values: ACTION_NAMES,
    nullable: true,
    default: 'no action',
    description: 'ON UPDATE action (`on_update:`); null means NO ACTION.',
  },
  validate: {
    kind: 'boolean',
    default: true,
    description: 'Validate right after adding (`validate:`); false leaves the key NOT VALID.',
  },
};

export const FOREIGN_KEY_REQUIRED = ['source', 'target', 'columns'];

function readAction(reader: ParameterReader, field: string, fallback: string): ReferentialAction {
  // An explicit null is Rails' `on_delete: nil` (NO ACTION); only a missing field takes the default.
  const given = reader.optionalJson(field);
  const value = given === undefined ? fallback : given;
  if (value === null) return 'no action';
  const action = typeof value === 'string' ? ACTIONS[value] : undefined;
  if (action === undefined)
    reader.fail(
      `field "${field}" must be one of ${Object.keys(ACTIONS)
        .map((name) => `"${name}"`)
        .join(', ')} or null`,
    );
  return action;
}

export function readForeignKeyRequest(reader: ParameterReader): ForeignKeyRequest {
  const source = reader.identifier('source');
  const target = reader.identifier('target');
  const columns = reader.columns('columns');
  const targetColumns = reader.columns('targetColumns');
  if (targetColumns.length !== columns.length)
    reader.fail(`field "targetColumns" must list as many columns as "columns" (${columns.length})`);
  return {
    source,
    target,
    columns,
    targetColumns,
    name: reader.identifier('name', concurrentForeignKeyName(source, columns)),
    onDelete: readAction(reader, 'onDelete', 'cascade'),
    onUpdate: readAction(reader, 'onUpdate', 'no action'),
    validate: reader.boolean('validate'),
  };
}

export function describeForeignKey(request: ForeignKeyRequest): string {
  return `${request.name} ${request.source}(${request.columns.join(', ')}) → ${request.target}(${request.targetColumns.join(', ')})`;
}
