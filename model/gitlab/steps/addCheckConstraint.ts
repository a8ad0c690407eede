import { renderExpr } from '../../../src/index.js';
import { checkExpressionFromJson } from '../checkExpression.js';
import { defineStep } from './defineStep.js';
import { probeNotValidChecks } from '../probes.js';

/**
 * `add_check_constraint(table, check, name, validate: true)` (§c.2): ADD CONSTRAINT … NOT VALID,
 * then VALIDATE when asked. An existing constraint of that name is only a warning. Unlike the FK
 * helper, a failed validation leaves the NOT VALID constraint in place.
 */
export const addCheckConstraint = defineStep({
  name: 'add_check_constraint',
  fields: ['table', 'name', 'expr', 'validate'],
  parse: (reader) => {
    const table = reader.identifier('table');
    const name = reader.identifier('name');
    const expr = checkExpressionFromJson(reader.json('expr'), 'expr');
    if (typeof expr === 'string') return reader.fail(expr);
    return { table, name, expr, validate: reader.boolean('validate', true) };
  },
  run: (world, { table, name, expr, validate }) => {
    const { db } = world;
    if (db.describe(table).constraints.some((constraint) => constraint.name === name)) {
      return { summary: `add_check_constraint: ${name} on ${table} already exists, skipping (warning)`, applied: false };
    }
    db.addConstraint(table, { kind: 'check', name, expr, notValid: true });
    probeNotValidChecks(world);
    if (validate) db.validateConstraint(table, name);
    return { summary: `add_check_constraint: added ${name} CHECK ${renderExpr(expr)} on ${table}${validate ? ' and validated it' : ' NOT VALID'}`, applied: true };
  },
});
