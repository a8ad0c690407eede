import fc from 'fast-check';
import type { JsonObject } from '../../src/harness/json.js';

/**
 * Swarm over sizes: most scenarios keep the world small (the plan's settings and the defaults),
 * and one in eight draws a legacy population and worker limits that are small relative to it, so
 * that a batching or limit mistake (a cursor off by one, a worker that stops after its first
 * batch, a cleanup that handles five taggings of a deleted tag as if they were one) shows within
 * the default budget instead of after minutes of fuzzing. A plan's own settings win over these.
 */
export const runnerSizesArbitrary: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 7, arbitrary: fc.constant<JsonObject>({}) },
  {
    weight: 1,
    arbitrary: fc.record({
      legacyRunners: fc.constantFrom(8, 24, 60),
      legacyTaggings: fc.constantFrom(0, 6, 20),
      ownerServiceBatchSize: fc.integer({ min: 1, max: 3 }),
      looseForeignKeys: fc.record({
        recordBatchSize: fc.integer({ min: 1, max: 3 }),
        deleteQueryLimit: fc.integer({ min: 1, max: 3 }),
        updateQueryLimit: fc.integer({ min: 1, max: 2 }),
        modificationLimit: fc.integer({ min: 2, max: 6 }),
      }),
    }),
  },
);
