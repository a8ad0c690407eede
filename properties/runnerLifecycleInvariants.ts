import type { Invariant, Violation } from '../src/harness/domain.js';
import type { Row } from '../src/engine/values.js';
import { PROJECTS, RUNNERS, RUNNER_NAMESPACES, RUNNER_PROJECTS } from '../model/runners/schema.js';
import type { RunnersWorld } from '../model/runners/world.js';
import { idsOf } from './rowsById.js';
import { incrementalChecks, sameInput } from './unchangedInputs.js';

/**
 * What must survive every migration and every background job: background work itself, and the
 * runners users registered. The runners are followed by token, the identity a runner process
 * holds, read from full scans of ci_runners at every check (whatever table bears that name at
 * the time), so a row lost by a swap or renumbered by `ensure_unique_id` is judged by what the
 * runner process would see.
 */
export const BACKGROUND_WORK_SUCCEEDS = 'background-work-succeeds';
export const RUNNER_WITH_LIVE_PROJECTS_KEPT = 'runner-with-live-projects-kept';
export const RUNNERS_KEEP_AUTHENTICATING = 'runners-keep-authenticating';

/** A runner as the last check saw it. */
interface SeenRunner {
  readonly id: number;
  readonly runnerType: number;
  /** Projects of its ci_runner_projects rows that existed then. */
  readonly liveProjects: readonly number[];
  /** True when it had an owner link GitLab's clean-ups must respect (see `hasOwner`). */
  readonly owned: boolean;
}

/**
 * What the runner invariants read at a check: the four tables' rows as `db.rows` returned them
 * (the same arrays while the tables are unchanged).
 */
interface Observation {
  readonly projects: readonly Row[];
  readonly links: readonly Row[];
  readonly namespaces: readonly Row[];
  readonly runners: readonly Row[];
}

/**
 * Per world: the tables as the last check read them. A runner is judged by what it was at the last
 * check, so only those of its rows that vanished since are ever described (`seenRunner`): keeping
 * the arrays is enough, and a check where no runner vanished builds nothing. A WeakMap keeps the
 * world free of invariant state.
 */
const lastObservation = new WeakMap<RunnersWorld, Observation>();

/** Runner id → its projects in ci_runner_projects, per rows array (the same array while the table is unchanged). */
const linksOf = new WeakMap<readonly Row[], ReadonlyMap<number, readonly number[]>>();

function projectLinks(rows: readonly Row[]): ReadonlyMap<number, readonly number[]> {
  let links = linksOf.get(rows);
  if (links === undefined) {
    const built = new Map<number, number[]>();
    for (const row of rows) {
      const runnerId = row['runner_id'] as number;
      const projects = built.get(runnerId);
      if (projects === undefined) built.set(runnerId, [row['project_id'] as number]);
      else projects.push(row['project_id'] as number);
    }
    links = built;
    linksOf.set(rows, links);
  }
  return links;
}

/** Runner ids with a ci_runner_namespaces row, per rows array. */
const groupLinksOf = new WeakMap<readonly Row[], ReadonlySet<number>>();

function groupLinkedRunners(rows: readonly Row[]): ReadonlySet<number> {
  let linked = groupLinksOf.get(rows);
  if (linked === undefined) {
    linked = new Set(rows.map((row) => row['runner_id'] as number));
    groupLinksOf.set(rows, linked);
  }
  return linked;
}

/** The string tokens of a ci_runners rows array, per array. */
const tokensOf = new WeakMap<readonly Row[], ReadonlySet<string>>();

function runnerTokens(rows: readonly Row[]): ReadonlySet<string> {
  let tokens = tokensOf.get(rows);
  if (tokens === undefined) {
    const built = new Set<string>();
    for (const row of rows) {
      const token = row['token'];
      if (typeof token === 'string') built.add(token);
    }
    tokens = built;
    tokensOf.set(rows, tokens);
  }
  return tokens;
}

/** Whether two reads of ci_runners hold the same tokens row by row (an UPDATE keeps a row's place). */
function sameTokens(left: readonly Row[], right: readonly Row[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    const before = left[index]!;
    const after = right[index]!;
    if (before !== after && before['token'] !== after['token']) return false;
  }
  return true;
}

/**
 * A runner is owned when it is an instance runner, a group runner with a namespace link, or a
 * project runner with a link to a live project. GitLab deletes runners without an owner on
 * purpose (the owner service, the orphan clean-up, docs/semantics.md §e and §h.3), never the others.
 */
function hasOwner(row: Row, liveProjects: readonly number[], groupLinked: boolean): boolean {
  const type = row['runner_type'];
  if (type === 1) return true;
  if (type === 2) return groupLinked;
  return liveProjects.length > 0;
}

/** A runner row as an observation of the tables saw it. */
function seenRunner(observation: Observation, row: Row): SeenRunner {
  const projects = idsOf(observation.projects);
  const id = row['id'] as number;
  const liveProjects = (projectLinks(observation.links).get(id) ?? []).filter((project) => projects.has(project));
  return {
    id,
    runnerType: row['runner_type'] as number,
    liveProjects,
    owned: hasOwner(row, liveProjects, groupLinkedRunners(observation.namespaces).has(id)),
  };
}

/** Runner ids that a DELETE /runners/:id removed (status 200). */
function deletedThroughApi(world: RunnersWorld): Set<number> {
  return new Set(
    world.responses
      .filter(
        (response) =>
          response.endpoint === 'DELETE /runners/:id' && response.status === 200 && response.runnerId !== null,
      )
      .map((response) => response.runnerId!),
  );
}

/**
 * The runners of the last check whose token no row of ci_runners has now, with what they were
 * then, in the order of their first row then (for a token on several rows, the last one describes
 * it, as a map by token would); advances the memory.
 */
function vanishedRunners(world: RunnersWorld): { readonly token: string; readonly runner: SeenRunner }[] {
  const { db } = world;
  const now: Observation = {
    projects: db.rows(PROJECTS),
    links: db.rows(RUNNER_PROJECTS),
    namespaces: db.rows(RUNNER_NAMESPACES),
    runners: db.rows(RUNNERS),
  };
  const before = lastObservation.get(world);
  lastObservation.set(world, now);
  if (before === undefined) return [];
  // The same tokens in the same rows (most writes update other columns): none vanished. Reference
  // runs (unchangedInputs.ts) compare the token sets in full.
  if (incrementalChecks() && sameTokens(before.runners, now.runners)) return [];
  const tokens = runnerTokens(now.runners);
  let gone: Map<string, Row> | null = null;
  for (const row of before.runners) {
    const token = row['token'];
    if (typeof token !== 'string' || tokens.has(token)) continue;
    gone ??= new Map();
    gone.set(token, row);
  }
  if (gone === null) return [];
  const apiDeleted = deletedThroughApi(world);
  const vanished: { readonly token: string; readonly runner: SeenRunner }[] = [];
  for (const [token, row] of gone)
    if (!apiDeleted.has(row['id'] as number)) vanished.push({ token, runner: seenRunner(before, row) });
  return vanished;
}

/**
 * Both runner invariants read the same comparison; it is computed once per check and step, since
 * computing it advances the memory of the runners seen (a second computation in the same check
 * would find nothing vanished). The key is the step and the runners' rows, compared by content
 * (`sameInput`): a read may hand back a new array of the same rows.
 */
const vanishedCache = new WeakMap<
  RunnersWorld,
  { readonly step: number; readonly rows: readonly Row[]; readonly vanished: ReturnType<typeof vanishedRunners> }
>();

function vanishedSinceLastCheck(world: RunnersWorld): ReturnType<typeof vanishedRunners> {
  const rows = world.db.rows(RUNNERS);
  const cached = vanishedCache.get(world);
  if (cached !== undefined && cached.step === world.currentStep && sameInput(cached.rows, rows)) return cached.vanished;
  const vanished = vanishedRunners(world);
  vanishedCache.set(world, { step: world.currentStep, rows, vanished });
  return vanished;
}

function checkLiveProjectRunnersKept(world: RunnersWorld): Violation | null {
  const vanished = vanishedSinceLastCheck(world);
  if (vanished.length === 0) return null;
  const projects = idsOf(world.db.rows(PROJECTS));
  for (const { token, runner } of vanished) {
    const live = runner.liveProjects.filter((project) => projects.has(project));
    if (live.length === 0) continue;
    return {
      invariant: RUNNER_WITH_LIVE_PROJECTS_KEPT,
      message: `runner ${runner.id} (token ${token}) was deleted at step ${world.currentStep} although it still had ci_runner_projects rows for live project${live.length === 1 ? '' : 's'} ${live.join(', ')}, and no DELETE /runners/:id asked for it`,
    };
  }
  return null;
}

function checkKeepAuthenticating(world: RunnersWorld): Violation | null {
  const vanished = vanishedSinceLastCheck(world);
  if (vanished.length === 0) return null;
  const projects = idsOf(world.db.rows(PROJECTS));
  for (const { token, runner } of vanished) {
    // A project runner whose last live project is gone now was ownerless by the time it went.
    const stillOwned =
      runner.owned && (runner.runnerType !== 3 || runner.liveProjects.some((project) => projects.has(project)));
    if (!stillOwned) continue;
    return {
      invariant: RUNNERS_KEEP_AUTHENTICATING,
      message: `runner ${runner.id} (runner_type ${runner.runnerType}, token ${token}) can no longer authenticate: no row of ci_runners has its token since step ${world.currentStep}, although it had an owner and no DELETE /runners/:id removed it`,
    };
  }
  return null;
}

function checkBackgroundWork(world: RunnersWorld): Violation | null {
  const failure = world.backgroundFailures[0];
  if (failure === undefined) return null;
  return {
    invariant: BACKGROUND_WORK_SUCCEEDS,
    message: `${failure.job} failed at step ${failure.step}: ${failure.error.code} ${failure.error.message}${failure.error.detail === undefined ? '' : ` — ${failure.error.detail}`}`,
  };
}

export const BACKGROUND_WORK_BOUNDED = 'background-work-bounded';

/** The first background statement that went over its batch size or limit. */
function checkBackgroundWorkBounded(world: RunnersWorld): Violation | null {
  const oversized = world.oversizedWork[0];
  if (oversized === undefined) return null;
  return {
    invariant: BACKGROUND_WORK_BOUNDED,
    message:
      oversized.scope === 'run'
        ? `${oversized.job} at step ${oversized.step}: one ${oversized.what} modified ${oversized.rows} rows, over the ${oversized.limit} a run that stops at its modification limit can reach`
        : `${oversized.job} at step ${oversized.step}: one ${oversized.what} touched ${oversized.rows} rows, over its limit of ${oversized.limit}`,
  };
}

export const runnerLifecycleInvariants: readonly Invariant<RunnersWorld>[] = [
  {
    id: BACKGROUND_WORK_SUCCEEDS,
    sentence:
      'No batch of a background migration, owner-recalculation job or loose-foreign-key cleanup run ends in a database error, even one that a retry would hide.',
    scope: 'always',
    check: checkBackgroundWork,
  },
  {
    id: BACKGROUND_WORK_BOUNDED,
    sentence:
      'No background statement touches more rows than its bound: a backfill or owner-service batch at most its batch size, a loose-foreign-key cleanup query at most its deletion or nullification limit; and a loose-foreign-key cleanup run stops at the query that brings its modifications to the modification limit.',
    scope: 'always',
    check: checkBackgroundWorkBounded,
  },
  {
    id: RUNNER_WITH_LIVE_PROJECTS_KEPT,
    sentence:
      'A runner that still has ci_runner_projects rows for live projects is never deleted, except by DELETE /runners/:id (docs/semantics.md §e.2).',
    scope: 'always',
    check: checkLiveProjectRunnersKept,
  },
  {
    id: RUNNERS_KEEP_AUTHENTICATING,
    sentence:
      'Every runner created with an owner and not deleted through the API can still authenticate: some row of ci_runners has its token.',
    scope: 'always',
    check: checkKeepAuthenticating,
  },
];
