import { addConcurrentForeignKey, hasForeignKey, helperError, foreignKeySpec } from './foreignKeyHelpers.js';
import {
  FOREIGN_KEY_FIELDS,
  FOREIGN_KEY_REQUIRED,
  describeForeignKey,
  readForeignKeyRequest,
} from './foreignKeyParameters.js';
import { probeNotValidForeignKeys } from '../probes.js';
import { defineStep } from './defineStep.js';
import { mutated } from '../mutations.js';

/**
 * `add_concurrent_partitioned_foreign_key` (docs/semantics.md §c.1): the key is added to every partition first
 * (each through `add_concurrent_foreign_key`), then to the partitioned parent, which adopts the
 * partitions' equivalent keys instead of scanning again.
 */
export const addConcurrentPartitionedForeignKey = defineStep({
  name: 'add_concurrent_partitioned_foreign_key',
  description:
    "GitLab's add_concurrent_partitioned_foreign_key: the key is added to every partition first (each as add_concurrent_foreign_key does), then to the partitioned parent, which adopts the partitions' keys instead of scanning again.",
  parameters: { fields: FOREIGN_KEY_FIELDS, required: FOREIGN_KEY_REQUIRED },
  parse: (reader) => ({ request: readForeignKeyRequest(reader) }),
  run: (world, { request }) => {
    const { db } = world;
    const source = db.describe(request.source);
    if (source.partitionKey === null)
      throw helperError(
        `add_concurrent_partitioned_foreign_key needs a partitioned table, and "${request.source}" is not one`,
      );
    const notes = source.partitions.map((partition) =>
      addConcurrentForeignKey(world, { ...request, source: partition }),
    );
    if (hasForeignKey(db, request.source, request.name)) {
      notes.push(`foreign key ${request.name} on ${request.source} already exists, skipping (warning)`);
    } else {
      db.addConstraint(
        request.source,
        foreignKeySpec(request, !request.validate && !mutated('fk-added-without-not-valid')),
      );
      notes.push(`added ${describeForeignKey(request)}${request.validate ? '' : ' NOT VALID'}`);
    }
    probeNotValidForeignKeys(world);
    return { summary: `add_concurrent_partitioned_foreign_key: ${notes.join('; ')}`, applied: true };
  },
});
