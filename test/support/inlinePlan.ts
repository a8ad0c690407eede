import type { Plan } from '../../src/harness/domain.js';

/**
 * A plan written in a test rather than read from a file: no steps, no settings, no opt-outs, every
 * traffic kind, named `name` and hashed by its name unless `fields` say otherwise. Suites that need
 * a plan only as a label for a report or a scheduler (reporters, the campaign pool) start from it.
 */
export function inlinePlan(name: string, fields: Partial<Plan> = {}): Plan {
  return {
    name,
    description: name,
    comment: '',
    expect: 'safe',
    settings: {},
    steps: [],
    optOut: [],
    accepts: [],
    probes: [],
    traffic: null,
    source: name,
    hash: name,
    ...fields,
  };
}
