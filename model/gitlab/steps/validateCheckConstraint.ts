import { defineStep } from './defineStep.js';

/** `validate_check_constraint(table, name)`: VALIDATE CONSTRAINT; a violating row fails the migration. */
export const validateCheckConstraint = defineStep({
  name: 'validate_check_constraint',
  description: 'validate_check_constraint: VALIDATE CONSTRAINT; a violating row fails the migration.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The constrained table.' },
      name: {
        kind: 'string',
        refers: { kind: 'constraint', ofField: 'table' },
        description: 'The NOT VALID CHECK to validate.',
      },
    },
    required: ['table', 'name'],
  },
  parse: (reader) => ({ table: reader.identifier('table'), name: reader.identifier('name') }),
  run: (world, { table, name }) => {
    world.db.validateConstraint(table, name);
    return { summary: `validate_check_constraint: validated ${name} on ${table}`, applied: true };
  },
});
