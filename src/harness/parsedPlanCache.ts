/**
 * Plans already parsed in this process, by domain, source and exact text. Loading a plan checks it
 * statically by running its steps on a fresh world, which is most of the cost of a short command:
 * the 37 built-in plans take about a quarter of a second of CPU. One process that runs many commands
 * (a test suite calling the CLI in-process, `pgdrill/vitest` declaring several plans) would pay it
 * on every command for the same files. The text is the key, so an edited file is parsed again; a
 * plan that failed to parse is never stored, so its errors are reported afresh every time. A stored
 * plan is frozen: nothing may change a plan after loading (a campaign already shares one plan
 * object among all its runs), and a frozen one makes a write that would leak into later commands
 * throw where it happens.
 */
import type { Domain, Plan, WorldBase } from './domain.js';

/** At most this many texts per domain; past it the cache starts afresh (hostile inputs are many small files). */
const MAX_ENTRIES_PER_DOMAIN = 256;

const byDomain = new WeakMap<object, Map<string, Plan>>();

/** Freezes a plan and every object and array it holds (plans are JSON-shaped, so there is no cycle). */
function deepFreeze<T>(value: T, depth = 0): T {
  if (depth > 1_000) throw new Error('pgdrill bug: a parsed plan nests more than 1000 levels deep');
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner, depth + 1);
  return Object.freeze(value);
}

/** The plan `parse` makes of `content`, parsed once per domain, source and text in this process. */
export function cachedPlan<W extends WorldBase>(
  domain: Domain<W>,
  source: string,
  content: string,
  parse: () => Plan,
): Plan {
  let plans = byDomain.get(domain);
  if (plans === undefined) {
    plans = new Map();
    byDomain.set(domain, plans);
  }
  const key = `${source}\u0000${content}`;
  const known = plans.get(key);
  if (known !== undefined) return known;
  const plan = deepFreeze(parse());
  if (plans.size >= MAX_ENTRIES_PER_DOMAIN) plans.clear();
  plans.set(key, plan);
  return plan;
}
