import { probeSeparatePartitionKeys, recordForeignKeyRemoval } from '../revertedForeignKeys.js';
import { defineStep } from './defineStep.js';

/**
 * `remove_foreign_key` (or `remove_foreign_key_if_exists` with `ifExists`). Dropping a parent's
 * key leaves keys that were added to the partitions separately, as PostgreSQL does (docs/semantics.md §h.5).
 */
export const removeForeignKey = defineStep({
  name: 'remove_foreign_key',
  description:
    'remove_foreign_key (remove_foreign_key_if_exists with "ifExists"): DROP CONSTRAINT. Dropping a partitioned parent\'s key leaves keys that were added to the partitions separately, as PostgreSQL does.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The table holding the key.' },
      name: {
        kind: 'string',
        refers: { kind: 'constraint', ofField: 'table', unlessField: 'ifExists' },
        description: "The key's name.",
      },
      ifExists: { kind: 'boolean', default: false, description: 'Do nothing when the key does not exist.' },
    },
    required: ['table', 'name'],
  },
  parse: (reader) => ({
    table: reader.identifier('table'),
    name: reader.identifier('name'),
    ifExists: reader.boolean('ifExists'),
  }),
  run: (world, { table, name, ifExists }) => {
    probeSeparatePartitionKeys(world, table, name);
    world.db.dropConstraint(table, name, { ifExists });
    recordForeignKeyRemoval(world, table, name);
    return {
      summary: `remove_foreign_key: dropped ${name} on ${table}${ifExists ? ' (if it existed)' : ''}`,
      applied: true,
    };
  },
});
