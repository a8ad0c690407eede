import { helperError } from './foreignKeyHelpers.js';
import { defineStep } from './defineStep.js';

/**
 * `AddUniqueIdConstraintOnCiRunnersTablePartitions` (17.9, docs/semantics.md §f): a `UNIQUE (id)` on each partition
 * of a table partitioned by runner_type, so that a single-column FK can reference one partition
 * (the parent's key is `(id, runner_type)`). Named as PostgreSQL names it, `<partition>_id_key`.
 */
export const addUniqueIdConstraintOnPartitions = defineStep({
  name: 'add_unique_id_constraint_on_partitions',
  description:
    'AddUniqueIdConstraintOnCiRunnersTablePartitions (17.9): a UNIQUE (id) on each partition of a table partitioned by runner_type, named <partition>_id_key, so a single-column FK can reference one partition.',
  parameters: {
    fields: { table: { kind: 'string', refers: { kind: 'table' }, description: 'The partitioned table.' } },
    required: ['table'],
  },
  parse: (reader) => ({ table: reader.identifier('table') }),
  run: (world, { table }) => {
    const { db } = world;
    const partitions = db.describe(table).partitions;
    if (partitions.length === 0)
      throw helperError(
        `add_unique_id_constraint_on_partitions needs a partitioned table, and "${table}" has no partitions`,
      );
    const added: string[] = [];
    for (const partition of partitions) {
      const name = `${partition}_id_key`;
      // Asked of the partition alone: each ADD changes the catalog, so a description would not last.
      if (db.hasConstraint(partition, name)) continue;
      db.addConstraint(partition, { kind: 'unique', name, columns: ['id'] });
      added.push(name);
    }
    return {
      summary: `add_unique_id_constraint_on_partitions ${table}: ${added.length === 0 ? 'all present, skipping (warning)' : `added ${added.join(', ')}`}`,
      applied: added.length > 0,
    };
  },
});
