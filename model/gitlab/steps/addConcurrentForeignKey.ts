import { addConcurrentForeignKey as addKey, helperError } from './foreignKeyHelpers.js';
import { FOREIGN_KEY_FIELDS, FOREIGN_KEY_REQUIRED, readForeignKeyRequest } from './foreignKeyParameters.js';
import { defineStep } from './defineStep.js';

/** `add_concurrent_foreign_key(source, target, column:, …)`; a partitioned source needs `allowPartitioned`. */
export const addConcurrentForeignKey = defineStep({
  name: 'add_concurrent_foreign_key',
  description:
    'GitLab\'s add_concurrent_foreign_key: ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT unless "validate" is false; a violation drops the key and fails the migration ("Migration failed intentionally due to ForeignKeyViolation"). An existing key of that name is a warning.',
  parameters: {
    fields: {
      ...FOREIGN_KEY_FIELDS,
      allowPartitioned: {
        kind: 'boolean',
        default: false,
        description:
          "Allow a partitioned source table (GitLab's `allow_partitioned: true`); otherwise the helper refuses one.",
      },
    },
    required: FOREIGN_KEY_REQUIRED,
  },
  parse: (reader) => ({ request: readForeignKeyRequest(reader), allowPartitioned: reader.boolean('allowPartitioned') }),
  run: (world, { request, allowPartitioned }) => {
    if (world.db.describe(request.source).partitionKey !== null && !allowPartitioned) {
      throw helperError(
        `add_concurrent_foreign_key does not support partitioned table "${request.source}"; use add_concurrent_partitioned_foreign_key`,
      );
    }
    return { summary: `add_concurrent_foreign_key: ${addKey(world, request)}`, applied: true };
  },
});
