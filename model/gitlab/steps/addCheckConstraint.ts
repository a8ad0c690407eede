import { renderExpr } from '../../../src/index.js';
import type { Expr, Tx, Work } from '../../../src/index.js';
import type { OperationOutcome } from '../../../src/harness/domain.js';
import { CHECK_EXPRESSION_FIELD, checkExpressionFromJson } from '../checkExpression.js';
import { defineStep } from './defineStep.js';
import { probeNotValidChecks } from '../probes.js';
import type { MigrationWorld } from '../migrationWorld.js';
import { withLockRetries } from '../withLockRetries.js';
import { mutated } from '../mutations.js';

/**
 * `add_check_constraint(table, check, name, validate: true)` (docs/semantics.md §c.2): ADD CONSTRAINT … NOT VALID
 * under `with_lock_retries`, then VALIDATE when asked. An existing constraint of that name is only a
 * warning. Unlike the FK helper, a failed validation leaves the NOT VALID constraint in place. The
 * ADD takes ACCESS EXCLUSIVE on the table, so while it waits (for a long reader's ACCESS SHARE, say)
 * every later statement on the table, reads included, queues behind it; `lockRetries: false` models
 * a plain ALTER TABLE without a lock timeout. With `validate: false` the step can run in the
 * migration session of a concurrent scenario (docs/plans.md, "concurrency").
 */
interface CheckRequest {
  readonly table: string;
  readonly name: string;
  readonly expr: Expr;
  readonly lockRetries: boolean;
}

/** The ADD CONSTRAINT … NOT VALID, under with_lock_retries or plain; returns the attempt that added it. */
function* addCheckWork(tx: Tx, request: CheckRequest): Work<number> {
  const add = () =>
    tx.execute({
      kind: 'addConstraint',
      table: request.table,
      constraint: {
        kind: 'check',
        name: request.name,
        expr: request.expr,
        notValid: !mutated('check-added-without-not-valid'),
      },
    });
  if (!request.lockRetries) {
    yield* add();
    return 1;
  }
  return (yield* withLockRetries(tx, add)).attempt;
}

function* addCheckStep(world: MigrationWorld, tx: Tx, request: CheckRequest): Work<string | null> {
  const exists = tx.catalog
    .constraints()
    .some((constraint) => constraint.table === request.table && constraint.name === request.name);
  if (exists) return null;
  const attempt = yield* addCheckWork(tx, request);
  probeNotValidChecks(world);
  return request.lockRetries ? ` (with_lock_retries attempt ${attempt})` : '';
}

const existsSummary = (request: CheckRequest): string =>
  `add_check_constraint: ${request.name} on ${request.table} already exists, skipping (warning)`;

export const addCheckConstraint = defineStep({
  name: 'add_check_constraint',
  description:
    'GitLab\'s add_check_constraint: ADD CONSTRAINT … CHECK … NOT VALID under with_lock_retries, then VALIDATE CONSTRAINT unless "validate" is false. An existing constraint of that name is a warning; a failed validation leaves the NOT VALID constraint in place and fails the migration.',
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
      lockRetries: {
        kind: 'boolean',
        default: true,
        description:
          "The ADD CONSTRAINT (ACCESS EXCLUSIVE on the table) runs under with_lock_retries, as GitLab's helper does; false models a plain ALTER TABLE without a lock timeout, which waits behind a long reader for as long as it reads while every later statement on the table queues behind it.",
      },
    },
    required: ['table', 'name', 'expr'],
  },
  parse: (reader) => {
    const table = reader.identifier('table');
    const name = reader.identifier('name');
    const expr = checkExpressionFromJson(reader.json('expr'), 'expr');
    if (typeof expr === 'string') return reader.fail(expr);
    return { table, name, expr, validate: reader.boolean('validate'), lockRetries: reader.boolean('lockRetries') };
  },
  // Atomically, nothing waits: the ADD alone, as the step always ran (the serial harness and the oracle's SQL).
  run: (world, { table, name, expr, validate, lockRetries }) => {
    const { db } = world;
    if (db.hasConstraint(table, name))
      return { summary: existsSummary({ table, name, expr, lockRetries }), applied: false };
    db.addConstraint(table, { kind: 'check', name, expr, notValid: !mutated('check-added-without-not-valid') });
    probeNotValidChecks(world);
    if (validate) db.validateConstraint(table, name);
    return {
      summary: `add_check_constraint: added ${name} CHECK ${renderExpr(expr)} on ${table}${validate ? ' and validated it' : ' NOT VALID'}`,
      applied: true,
    };
  },
  start: (world, { table, name, expr, validate, lockRetries }) => {
    // The VALIDATE runs atomically, as add_concurrent_foreign_key's does.
    if (validate) return null;
    const request = { table, name, expr, lockRetries };
    return { work: (tx) => addInSession(tx, world, request) };
  },
});

/** The step in the migration session (a module-level generator: see "Bodies" in src/coroutines/transactionApi.ts). */
function* addInSession(tx: Tx, world: MigrationWorld, request: CheckRequest): Work<OperationOutcome> {
  const added = yield* addCheckStep(world, tx, request);
  if (added === null) return { summary: existsSummary(request), applied: false };
  const { name, expr, table } = request;
  return {
    summary: `add_check_constraint: added ${name} CHECK ${renderExpr(expr)} on ${table} NOT VALID${added}`,
    applied: true,
  };
}
