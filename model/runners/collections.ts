import { liveManagers, liveProjectIds } from './records.js';
import { knownRunnersNewestFirst, runnersNewestFirst } from './recency.js';
import type { RunnersWorld } from './world.js';

/**
 * The collections that operations' index arguments count through, in the order they count
 * (`pickRunner`, `pickByIndex`): shrinking rewrites those arguments to stay on the same entity
 * when an unrelated creation is removed (src/harness/retarget.ts).
 */
export const runnerCollections: Readonly<Record<string, (world: RunnersWorld) => readonly string[]>> = {
  runners: (world) => runnersNewestFirst(world).map((runner) => String(runner.id)),
  knownRunners: (world) => knownRunnersNewestFirst(world).map((runner) => String(runner.id)),
  projects: (world) => liveProjectIds(world.db).map(String),
  managers: (world) => liveManagers(world.db).map((manager) => String(manager.id)),
};

/** The `runner` argument of an operation that picks a runner with `pickRunner`. */
export const RUNNER_REFERENCE: Readonly<Record<string, string>> = { runner: 'runners' };

/** The `runner` argument of an operation that picks a runner process with `pickKnownRunner`. */
export const KNOWN_RUNNER_REFERENCE: Readonly<Record<string, string>> = { runner: 'knownRunners' };
