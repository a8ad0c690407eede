import fc from 'fast-check';
import type { RunnerRecord } from './records.js';
import { liveRunners } from './records.js';
import type { RunnersWorld } from './world.js';

/**
 * Locality for generated arguments: a `runner` index counts from the newest runner backwards.
 * Real traffic concentrates on the same few runners (one is registered, assigned, then
 * verified), and bugs live in such sequences; in plain id order two operations would rarely
 * meet on one runner. Newest-first is stable under shrinking: removing an unrelated request
 * never changes which runner an index designates (only removing a creation does).
 */
export function runnersNewestFirst(world: RunnersWorld): RunnerRecord[] {
  return liveRunners(world.db).sort((left, right) => right.id - left.id);
}

/** The runner an argument index designates, or undefined when there is none. */
export function pickRunner(world: RunnersWorld, index: number): RunnerRecord | undefined {
  const runners = runnersNewestFirst(world);
  return runners.length === 0 ? undefined : runners[index % runners.length]!;
}

/**
 * The generated `runner` argument: half the time 0 (the newest runner), else any
 * of the first eight. Shrinking moves it towards 0, i.e. towards the runner the story is about.
 */
export const runnerIndexArbitrary: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.nat(7), weight: 1 },
);

/** A runner as a runner process knows it: the id it was given and the token it authenticates with. */
export interface KnownRunner {
  readonly id: number;
  readonly token: string;
}

/**
 * The runner process an argument index designates, newest first, among every runner created and
 * not deleted through the API, whether or not its row is still in the table: a runner whose row
 * vanished (lost by a swap, deleted by a job) keeps making requests with its token.
 */
export function pickKnownRunner(world: RunnersWorld, index: number): KnownRunner | undefined {
  const known = knownRunnersNewestFirst(world);
  return known.length === 0 ? undefined : known[index % known.length]!;
}

/** Every runner process, newest first: the order `pickKnownRunner` counts in. */
export function knownRunnersNewestFirst(world: RunnersWorld): KnownRunner[] {
  return [...world.runnerTokens].sort(([left], [right]) => right - left).map(([id, token]) => ({ id, token }));
}
