import fc from 'fast-check';
import { Database } from '../../src/database.js';
import { col, eq, le } from '../../src/engine/expression.js';
import { ProbeCounter } from '../../src/harness/domain.js';
import type { Domain, JsonObject, WorldBase } from '../../src/harness/domain.js';

/**
 * A deliberately tiny world for testing the generic harness: one counter row, traffic that
 * increments it, a plan step that adds a CHECK, and an invariant that the counter stays below
 * ten. The minimal failing scenario is known in advance, so shrinking can be asserted exactly.
 */
export interface CounterWorld extends WorldBase {
  limitChecks: number;
}

export const counterDomain: Domain<CounterWorld> = {
  name: 'counter',
  createWorld(settings: JsonObject, db = new Database()): CounterWorld {
    db.createTable({
      name: 'counters',
      columns: [
        { name: 'id', type: 'integer', notNull: true },
        { name: 'value', type: 'integer', notNull: true },
      ],
      primaryKey: ['id'],
    });
    db.insert('counters', { id: 1, value: typeof settings.start === 'number' ? settings.start : 0 });
    return {
      db,
      probes: new ProbeCounter(),
      migrationFailures: [],
      currentStep: 0,
      buildingLegacy: false,
      limitChecks: 0,
    };
  },
  legacyOperations: [
    {
      name: 'seedValue',
      description: 'Sets the counter before the plan.',
      args: fc.record({ value: fc.integer({ min: 0, max: 2 }) }),
      run(world, args) {
        world.db.update('counters', { value: args.value as number }, eq(col('id'), 1));
        return { summary: `value = ${String(args.value)}`, applied: true };
      },
    },
  ],
  trafficOperations: [
    {
      name: 'increment',
      description: 'Adds `by` to the counter.',
      args: fc.record({ by: fc.integer({ min: 1, max: 3 }) }),
      run(world, args) {
        const [row] = world.db.select('counters', { where: eq(col('id'), 1) });
        const next = (row!.value as number) + (args.by as number);
        try {
          world.db.update('counters', { value: next }, eq(col('id'), 1));
        } catch {
          world.probes.hit('increment-rejected');
          return { summary: 'rejected by the limit', applied: true };
        }
        if (next >= 5) world.probes.hit('past-five');
        return { summary: `value ${next}`, applied: true };
      },
    },
    {
      name: 'noop',
      description: 'Does nothing.',
      args: fc.record({}),
      run: () => ({ summary: 'nothing', applied: false }),
    },
  ],
  steps: new Map([
    [
      'add_limit',
      {
        name: 'add_limit',
        description: 'Adds CHECK (value <= limit).',
        parameters: {
          fields: {
            limit: { kind: 'integer', minimum: 0, maximum: 1000, description: 'The limit.' },
            notValid: { kind: 'boolean', default: false, description: 'Add it NOT VALID.' },
          },
          required: ['limit'],
        },
        validate: () => null,
        run(world, parameters) {
          world.limitChecks++;
          world.db.addConstraint('counters', {
            kind: 'check',
            name: 'counters_limit',
            expr: le(col('value'), parameters.limit as number),
            notValid: parameters.notValid === true,
          });
          return { summary: `limit ${String(parameters.limit)}`, applied: true };
        },
      },
    ],
  ]),
  invariants: [
    {
      id: 'below-ten',
      sentence: 'The counter stays below ten.',
      scope: 'always',
      check(world) {
        const value = world.db.rows('counters')[0]!.value as number;
        return value < 10 ? null : { invariant: 'below-ten', message: `the counter reached ${value}` };
      },
    },
    {
      id: 'migrations-succeed',
      sentence: 'Every plan step succeeds.',
      scope: 'always',
      check: (world) =>
        world.migrationFailures.length === 0
          ? null
          : { invariant: 'migrations-succeed', message: world.migrationFailures[0]! },
    },
  ],
  drain: () => [],
  settings: {
    fields: {
      start: { kind: 'integer', minimum: 0, maximum: 100, default: 0, description: "The counter's first value." },
    },
  },
  probes: [
    { name: 'past-five', description: 'The counter passed five.' },
    { name: 'increment-rejected', description: 'The limit rejected an increment.' },
    { name: 'never-happens', description: 'Declared but never hit, for the missing-probe test.' },
  ],
};
