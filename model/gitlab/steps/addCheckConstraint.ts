import { renderExpr } from '../../../src/index.js';
import { CHECK_EXPRESSION_FIELD, checkExpressionFromJson } from '../checkExpression.js';
import { defineStep } from './defineStep.js';
import { probeNotValidChecks } from '../probes.js';

/**
 * `add_check_constraint(table, check, name, validate: true)` (docs/semantics.md §c.2): ADD CONSTRAINT … NOT VALID,
 * then VALIDATE when asked. An existing constraint of that name is only a warning. Unlike the FK
 * helper, a failed validation leaves the NOT VALID constraint in place.
 */
export const addCheckConstraint = defineStep({
  name: 'add_check_constraint',
  description:
    'GitLab\'s add_check_constraint: ADD CONSTRAINT … CHECK … NOT VALID, then VALIDATE CONSTRAINT unless "validate" is false. An existing constraint of that name is a warning; a failed validation leaves the NOT VALID constraint in place and fails the migration.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The table to constrain.' },
      name: { kind: 'string', description: "The constraint's name (created by this step)." },
      expr: CHECK_EXPRESSION_FIELD,
      validate: {
        kind: 'boolean',
        default: true,
        description: 'Validate right after adding; false leaves it NOT VALID for a later validate_check_constraint.',
      },
    },
    required: ['table', 'name', 'expr'],
  },
  parse: (reader) => {
    const table = reader.identifier('table');
    const name = reader.identifier('name');
    const expr = checkExpressionFromJson(reader.json('expr'), 'expr');
    if (typeof expr === 'string') return reader.fail(expr);
    return { table, name, expr, validate: reader.boolean('validate') };
  },
  run: (world, { table, name, expr, validate }) => {
    const { db } = world;
    if (db.describe(table).constraints.some((constraint) => constraint.name === name)) {
      return {
        summary: `add_check_constraint: ${name} on ${table} already exists, skipping (warning)`,
        applied: false,
      };
    }
    db.addConstraint(table, { kind: 'check', name, expr, notValid: true });
    probeNotValidChecks(world);
    if (validate) db.validateConstraint(table, name);
    return {
      summary: `add_check_constraint: added ${name} CHECK ${renderExpr(expr)} on ${table}${validate ? ' and validated it' : ' NOT VALID'}`,
      applied: true,
    };
  },
});
