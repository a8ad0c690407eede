import { probeNotValidForeignKeys } from '../probes.js';
import { defineStep } from './defineStep.js';

/** `validate_foreign_key(table, column, name:)`: VALIDATE CONSTRAINT; a violation fails the migration as is. */
export const validateForeignKey = defineStep({
  name: 'validate_foreign_key',
  description:
    'validate_foreign_key: VALIDATE CONSTRAINT; a violating row fails the migration, and the key stays NOT VALID.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The referencing table.' },
      name: {
        kind: 'string',
        refers: { kind: 'constraint', ofField: 'table' },
        description: 'The NOT VALID foreign key to validate.',
      },
    },
    required: ['table', 'name'],
  },
  parse: (reader) => ({ table: reader.identifier('table'), name: reader.identifier('name') }),
  run: (world, { table, name }) => {
    probeNotValidForeignKeys(world);
    world.db.validateConstraint(table, name);
    return { summary: `validate_foreign_key: validated ${name} on ${table}`, applied: true };
  },
});
