import { probeSeparatePartitionKeys, recordForeignKeyRemoval } from '../revertedForeignKeys.js';
import { defineStep } from './defineStep.js';

/**
 * `remove_foreign_key` (or `remove_foreign_key_if_exists` with `ifExists`). Dropping a parent's
 * key leaves keys that were added to the partitions separately, as PostgreSQL does (§h.5).
 */
export const removeForeignKey = defineStep({
  name: 'remove_foreign_key',
  fields: ['table', 'name', 'ifExists'],
  parse: (reader) => ({ table: reader.identifier('table'), name: reader.identifier('name'), ifExists: reader.boolean('ifExists', false) }),
  run: (world, { table, name, ifExists }) => {
    probeSeparatePartitionKeys(world, table, name);
    world.db.dropConstraint(table, name, { ifExists });
    recordForeignKeyRemoval(world, table, name);
    return { summary: `remove_foreign_key: dropped ${name} on ${table}${ifExists ? ' (if it existed)' : ''}`, applied: true };
  },
});
