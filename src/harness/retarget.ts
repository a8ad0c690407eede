/**
 * Removing an operation whose effects no later step reads. Operation arguments are indexes into
 * live collections (the newest runner, the second project), so deleting an unrelated earlier
 * operation that created an entity shifts what every later index designates, and the plain
 * deletion in normalize.ts loses the failure: a counterexample keeps creations nobody uses. This
 * pass deletes one call and rewrites the index arguments of every later call so that each still
 * designates the entity it designated in the original run. When a later call designated an
 * entity the deleted call made, that entity no longer exists, its argument is left as it was, and
 * the candidate usually stops failing: a step whose effects are read stays.
 *
 * Entities are identified by their origin, not their key: the scenario position after which they
 * first appeared and their rank among the entities that appeared then. Keys (ids from sequences)
 * shift when an earlier creation is deleted; origins, counted in the original scenario's
 * positions, do not.
 */
import type { Domain, Plan, WorldBase } from './domain.js';
import type { JsonObject } from './json.js';
import { runScenario } from './runScenario.js';
import type { RunOptions } from './runScenario.js';
import type { OperationCall, Scenario } from './scenario.js';
import { PLAN_MARKER } from './scenario.js';

const INITIAL = -1;

interface OriginTracker {
  /** Collection name → entity key → origin (`position:rank`). */
  readonly origins: Map<string, Map<string, string>>;
  /** The last original position observed; entities new at the next observation came from it. */
  last: number;
}

function observe<W extends WorldBase>(
  collections: Readonly<Record<string, (world: W) => readonly string[]>>,
  tracker: OriginTracker,
  world: W,
): void {
  for (const [name, list] of Object.entries(collections)) {
    let known = tracker.origins.get(name);
    if (known === undefined) {
      known = new Map();
      tracker.origins.set(name, known);
    }
    let rank = 0;
    for (const key of list(world)) if (!known.has(key)) known.set(key, `${tracker.last}:${rank++}`);
  }
}

function positionOf(scenario: Scenario, position: number): OperationCall {
  return position < scenario.legacy.length
    ? scenario.legacy[position]!
    : scenario.steps[position - scenario.legacy.length]!;
}

function withoutPosition(scenario: Scenario, removed: number): Scenario {
  if (removed < scenario.legacy.length) {
    return { ...scenario, legacy: scenario.legacy.filter((_, index) => index !== removed) };
  }
  const stepIndex = removed - scenario.legacy.length;
  return { ...scenario, steps: scenario.steps.filter((_, index) => index !== stepIndex) };
}

type Designations = Map<number, Map<string, string>>;

/** Designations depend only on the scenario; normalization tries many deletions from the same one. */
const designationCache = new WeakMap<Scenario, Designations>();

function referencesOf<W extends WorldBase>(
  domain: Domain<W>,
  op: string,
): Readonly<Record<string, string>> | undefined {
  return [...domain.legacyOperations, ...domain.trafficOperations].find((kind) => kind.name === op)?.references;
}

/** Runs the scenario once and records, per position and reference argument, the origin it designated. */
function designationsOf<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  options: RunOptions<W>,
): Designations {
  const cached = designationCache.get(scenario);
  if (cached !== undefined) return cached;
  const collections = domain.collections!;
  const tracker: OriginTracker = { origins: new Map(), last: INITIAL };
  const designations: Designations = new Map();
  runScenario(domain, plan, scenario, {
    ...options,
    beforeCall: (world, call, position) => {
      observe(collections, tracker, world);
      tracker.last = position;
      const references = referencesOf(domain, call.op);
      if (call.op === PLAN_MARKER || references === undefined) return call;
      const designated = new Map<string, string>();
      for (const [argument, collection] of Object.entries(references)) {
        const index = call.args[argument];
        const keys = collections[collection]?.(world) ?? [];
        if (typeof index !== 'number' || keys.length === 0) continue;
        const origin = tracker.origins.get(collection)?.get(keys[index % keys.length]!);
        if (origin !== undefined) designated.set(argument, origin);
      }
      designations.set(position, designated);
      return call;
    },
  });
  designationCache.set(scenario, designations);
  return designations;
}

/**
 * The scenario without the call at `removed` (legacy calls count first, then steps), with later
 * index arguments rewritten to designate the same entities; null when the domain declares no
 * collections, the position is a plan marker, or nothing needed rewriting (plain deletion covers it).
 */
export function removeRetargeted<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  removed: number,
  options: RunOptions<W>,
): Scenario | null {
  const collections = domain.collections;
  if (collections === undefined || positionOf(scenario, removed).op === PLAN_MARKER) return null;
  const designations = designationsOf(domain, plan, scenario, options);
  const candidate = withoutPosition(scenario, removed);
  const tracker: OriginTracker = { origins: new Map(), last: INITIAL };
  const rewritten = new Map<number, OperationCall>();
  runScenario(domain, plan, candidate, {
    ...options,
    beforeCall: (world, call, position) => {
      const original = position >= removed ? position + 1 : position;
      observe(collections, tracker, world);
      tracker.last = original;
      const wanted = designations.get(original);
      if (wanted === undefined || wanted.size === 0) return call;
      const args: Record<string, JsonObject[string]> = { ...call.args };
      let changed = false;
      for (const [argument, origin] of wanted) {
        const collection = referencesOf(domain, call.op)?.[argument];
        const keys = collection === undefined ? [] : (collections[collection]?.(world) ?? []);
        const known = collection === undefined ? undefined : tracker.origins.get(collection);
        const index = keys.findIndex((key) => known?.get(key) === origin);
        if (index === -1 || args[argument] === index) continue;
        const current = args[argument];
        if (typeof current === 'number' && keys.length > 0 && current % keys.length === index) continue;
        args[argument] = index;
        changed = true;
      }
      if (!changed) return call;
      const next = { op: call.op, args };
      rewritten.set(position, next);
      return next;
    },
  });
  if (rewritten.size === 0) return null;
  const legacyLength = candidate.legacy.length;
  return {
    ...candidate,
    legacy: candidate.legacy.map((call, index) => rewritten.get(index) ?? call),
    steps: candidate.steps.map((call, index) => rewritten.get(legacyLength + index) ?? call),
  };
}
