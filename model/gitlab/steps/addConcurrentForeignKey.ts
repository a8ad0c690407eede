import { addConcurrentForeignKey as addKey, helperError } from './foreignKeyHelpers.js';
import { FOREIGN_KEY_FIELDS, readForeignKeyRequest } from './foreignKeyParameters.js';
import { defineStep } from './defineStep.js';

/** `add_concurrent_foreign_key(source, target, column:, …)`; a partitioned source needs `allowPartitioned`. */
export const addConcurrentForeignKey = defineStep({
  name: 'add_concurrent_foreign_key',
  fields: [...FOREIGN_KEY_FIELDS, 'allowPartitioned'],
  parse: (reader) => ({ request: readForeignKeyRequest(reader), allowPartitioned: reader.boolean('allowPartitioned', false) }),
  run: (world, { request, allowPartitioned }) => {
    if (world.db.describe(request.source).partitionKey !== null && !allowPartitioned) {
      throw helperError(`add_concurrent_foreign_key does not support partitioned table "${request.source}"; use add_concurrent_partitioned_foreign_key`);
    }
    return { summary: `add_concurrent_foreign_key: ${addKey(world, request)}`, applied: true };
  },
});
