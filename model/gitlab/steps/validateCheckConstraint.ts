import { defineStep } from './defineStep.js';

/** `validate_check_constraint(table, name)`: VALIDATE CONSTRAINT; a violating row fails the migration. */
export const validateCheckConstraint = defineStep({
  name: 'validate_check_constraint',
  fields: ['table', 'name'],
  parse: (reader) => ({ table: reader.identifier('table'), name: reader.identifier('name') }),
  run: (world, { table, name }) => {
    world.db.validateConstraint(table, name);
    return { summary: `validate_check_constraint: validated ${name} on ${table}`, applied: true };
  },
});
