import { LOOSE_FOREIGN_KEY_ACTIONS, describeDefinition, sameDefinition } from '../looseForeignKeys/definitions.js';
import { defineStep } from './defineStep.js';
import { helperError } from './foreignKeyHelpers.js';

/**
 * A change to `config/gitlab_loose_foreign_keys.yml` deployed with the code: from then on the
 * cleanup worker also clears `childTable.column` when a `parentTable` row is deleted. The
 * parent must already track deletions, as GitLab's spec requires (`has_loose_foreign_key?`).
 */
export const addLooseForeignKey = defineStep({
  name: 'add_loose_foreign_key',
  description:
    'A change to config/gitlab_loose_foreign_keys.yml deployed with the code: from then on the cleanup worker also clears childTable.column when a parentTable row is deleted. The parent must already track deletions.',
  parameters: {
    fields: {
      childTable: { kind: 'string', refers: { kind: 'table' }, description: 'The table whose rows are cleaned up.' },
      column: {
        kind: 'string',
        refers: { kind: 'column', ofField: 'childTable' },
        description: "The child table's column holding the parent's id.",
      },
      parentTable: {
        kind: 'string',
        refers: { kind: 'table' },
        description: 'The parent table, by the name its deletions are recorded under.',
      },
      onDelete: {
        kind: 'enum',
        values: LOOSE_FOREIGN_KEY_ACTIONS,
        default: 'async_delete',
        description: 'Delete the child rows, or set their column to NULL.',
      },
    },
    required: ['childTable', 'column', 'parentTable'],
  },
  parse: (reader) => ({
    childTable: reader.identifier('childTable'),
    column: reader.identifier('column'),
    parentTable: reader.identifier('parentTable'),
    onDelete: reader.oneOf('onDelete', LOOSE_FOREIGN_KEY_ACTIONS),
  }),
  run: (world, definition) => {
    const looseForeignKeys = world.bookkeeping.looseForeignKeys;
    if (
      !looseForeignKeys.trackings.some(
        (tracking) => (tracking.logicalName ?? tracking.table) === definition.parentTable,
      )
    ) {
      throw helperError(`add_loose_foreign_key: ${definition.parentTable} does not track record deletions`);
    }
    const exists = looseForeignKeys.definitions.some((known) => sameDefinition(known, definition));
    if (exists)
      return { summary: `add_loose_foreign_key: ${describeDefinition(definition)} already defined`, applied: false };
    world.changeBookkeeping((draft) => {
      draft.looseForeignKeys.definitions.push(definition);
    });
    return { summary: `add_loose_foreign_key: ${describeDefinition(definition)}`, applied: true };
  },
});
