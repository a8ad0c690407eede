import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BUILTIN_PLAN_SOURCE } from '../harness/corpus.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { loadPlanDirectory, loadPlanFile } from '../harness/planFile.js';
import { UserInputError } from '../harness/userInputError.js';
import { shellQuote } from './shellQuote.js';

/**
 * Which plan a command, a counterexample or a shard report means. A built-in plan is named;
 * a plan file is a path. Counterexamples and shard reports record the plan's source and content
 * hash, so a plan file's counterexample replays from that file, a plan file reusing a built-in's
 * name is never taken for the built-in, and a plan changed since is reported as changed.
 */
export interface PlanCatalog<W extends WorldBase> {
  readonly domain: Domain<W>;
  readonly planDirectory: string;
}

export function builtinPlans<W extends WorldBase>(catalog: PlanCatalog<W>): Plan[] {
  return loadPlanDirectory(catalog.domain, catalog.planDirectory);
}

function builtinPlan<W extends WorldBase>(catalog: PlanCatalog<W>, name: string): Plan {
  const plans = builtinPlans(catalog);
  const plan = plans.find((candidate) => candidate.name === name);
  if (plan === undefined)
    throw new UserInputError(`unknown plan "${name}" (known: ${plans.map((candidate) => candidate.name).join(', ')})`);
  return plan;
}

/** A command-line target: a plan file when it looks like one, else a built-in plan's name. */
export function resolvePlan<W extends WorldBase>(catalog: PlanCatalog<W>, target: string): Plan {
  if (target.endsWith('.json') || target.includes('/') || existsSync(target))
    return loadPlanFile(catalog.domain, target);
  return builtinPlan(catalog, target);
}

export function isBuiltin<W extends WorldBase>(catalog: PlanCatalog<W>, plan: Plan): boolean {
  return builtinPlans(catalog).some((candidate) => candidate.name === plan.name && candidate.source === plan.source);
}

/** How printed commands name the plan: a built-in's name, or the plan file's path, shell-quoted. */
export function planReference<W extends WorldBase>(catalog: PlanCatalog<W>, plan: Plan): string {
  return isBuiltin(catalog, plan) ? plan.name : shellQuote(relative(process.cwd(), plan.source) || plan.source);
}

export interface RecordedPlan {
  readonly name: string;
  /** `builtin`, a plan file's path, or undefined in files written before sources were recorded. */
  readonly source: string | undefined;
  readonly hash: string | undefined;
}

/**
 * The plan a counterexample or shard report was made from, as it is now. `what` names the file
 * for messages. For a counterexample, a changed plan is not an error (replaying an old
 * counterexample against a fixed plan is the point of a corpus) and is reported through `warn`;
 * for a shard report (`warn` null) it is, since its chunks were run against other content.
 */
export function recordedPlan<W extends WorldBase>(
  catalog: PlanCatalog<W>,
  recorded: RecordedPlan,
  what: string,
  warn: ((message: string) => void) | null,
): Plan {
  let plan: Plan;
  if (recorded.source === undefined || recorded.source === BUILTIN_PLAN_SOURCE) {
    plan = builtinPlan(catalog, recorded.name);
  } else {
    if (!recorded.source.endsWith('.json'))
      throw new UserInputError(
        `${what}: its plan source must be "${BUILTIN_PLAN_SOURCE}" or a plan file ending in .json`,
      );
    if (!existsSync(recorded.source))
      throw new UserInputError(`${what}: the plan file it was made from, ${recorded.source}, no longer exists`);
    plan = loadPlanFile(catalog.domain, recorded.source);
    if (plan.name !== recorded.name)
      throw new UserInputError(
        `${what}: the plan file ${recorded.source} now holds plan ${plan.name}, not ${recorded.name}`,
      );
  }
  if (recorded.hash !== undefined && recorded.hash !== plan.hash) {
    const changed = `${what}: plan ${plan.name} changed since then (content hash ${recorded.hash}, now ${plan.hash})`;
    if (warn === null) throw new UserInputError(`${changed}; run the shards again`);
    warn(`${changed}; replaying against the plan as it is now`);
  }
  return plan;
}

export function planSourceOf<W extends WorldBase>(catalog: PlanCatalog<W>, plan: Plan): string {
  return isBuiltin(catalog, plan) ? BUILTIN_PLAN_SOURCE : resolve(plan.source);
}
