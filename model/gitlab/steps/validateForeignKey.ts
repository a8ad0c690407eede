import { probeNotValidForeignKeys } from '../probes.js';
import { defineStep } from './defineStep.js';

/** `validate_foreign_key(table, column, name:)`: VALIDATE CONSTRAINT; a violation fails the migration as is. */
export const validateForeignKey = defineStep({
  name: 'validate_foreign_key',
  fields: ['table', 'name'],
  parse: (reader) => ({ table: reader.identifier('table'), name: reader.identifier('name') }),
  run: (world, { table, name }) => {
    probeNotValidForeignKeys(world);
    world.db.validateConstraint(table, name);
    return { summary: `validate_foreign_key: validated ${name} on ${table}`, applied: true };
  },
});
