/**
 * Compares builds of pgdrill in one process, so that a host whose speed changes from minute to
 * minute treats every build alike (docs/performance.md, "Measuring on a noisy host").
 *
 *   node dist/bench/compareBuilds.js [--campaign] BUILD_ROOT…   (each a checkout with `dist/` built)
 *
 * Without `--campaign`, bench:engine's single-session workload: every build gets its own database of
 * bench:engine's tables (`BENCH_TABLES`), 1,000 parents and 1,000 children (ON DELETE CASCADE), then
 * cycles of INSERT a parent, INSERT a child of a random live parent (one in seven references a
 * parent that does not exist and fails with 23503), UPDATE a random live child by key, DELETE a
 * random parent by key. Rounds of CYCLES cycles alternate between the builds; the first WARMUP
 * rounds are not counted.
 *
 * With `--campaign`, the campaign's own work: chunks of `npm start`'s campaign (seed 20241031, its
 * first CHUNKS chunks of 250 runs) of every safe plan that each build has under the same name, each
 * chunk run by every build in turn (the order alternating), each build with its own plan files.
 * The first chunk of each build is not counted (module warm-up).
 *
 * Prints each build's figure (µs per cycle, or seconds for the chunks), its speed relative to the
 * first build, and the ratio of every counted pair. Environment: ROUNDS (default 100), CYCLES
 * (default 2000), CHUNKS (default 2).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_TABLES, Mulberry32 } from './workload.js';

interface EngineRow {
  readonly [column: string]: unknown;
}

/** The part of a build's public API the workload uses; stable since the first release. */
interface EngineModule {
  readonly Database: new () => {
    createTable(spec: unknown): void;
    insert(table: string, rows: readonly Record<string, unknown>[]): EngineRow[];
    update(table: string, set: Record<string, unknown>, where: unknown): EngineRow[];
    delete(table: string, where: unknown): EngineRow[];
  };
  readonly PgError: new (...args: never[]) => Error;
  col(name: string): unknown;
  eq(left: unknown, right: unknown): unknown;
}

const WARMUP = 4;
const FK_FAILURE_PERIOD = 7;
const MISSING_PARENT = 1_000_000_000;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`compareBuilds: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

function idOf(row: EngineRow | undefined): number {
  const id = row?.id;
  if (typeof id !== 'number') throw new Error('an INSERT returned no numeric id');
  return id;
}

/** One build's database and workload: `cycles(n)` runs n cycles and returns the nanoseconds they took. */
function workload(engine: EngineModule): (cycles: number) => number {
  const { Database, PgError, col, eq } = engine;
  const db = new Database();
  for (const table of BENCH_TABLES) db.createTable(table);
  const parents: number[] = [];
  const childrenOf = new Map<number, number[]>();
  // Children ever inserted (some since cascaded away) and the live ones' parents.
  let children: number[] = [];
  const parentOf = new Map<number, number>();
  const addChild = (parent: number): void => {
    const child = idOf(db.insert('children', [{ parent_id: parent, note: 'n' }])[0]);
    children.push(child);
    childrenOf.get(parent)!.push(child);
    parentOf.set(child, parent);
  };
  for (let index = 0; index < 1000; index++) {
    const parent = idOf(db.insert('parents', [{ name: 'preloaded' }])[0]);
    parents.push(parent);
    childrenOf.set(parent, []);
  }
  for (let index = 0; index < 1000; index++) addChild(parents[index]!);
  const random = new Mulberry32(0x5eed);
  let cycle = 0;
  return (count) => {
    const started = process.hrtime.bigint();
    for (let done = 0; done < count; done++, cycle++) {
      const parent = idOf(db.insert('parents', [{ name: `p${cycle & 63}` }])[0]);
      parents.push(parent);
      childrenOf.set(parent, []);
      if (cycle % FK_FAILURE_PERIOD === 0) {
        try {
          db.insert('children', [{ parent_id: MISSING_PARENT, note: 'n' }]);
          throw new Error('a child of a missing parent was inserted');
        } catch (error) {
          if (!(error instanceof PgError)) throw error;
        }
      } else addChild(parents[random.below(parents.length)]!);
      if (parentOf.size > 0) {
        let child = children[random.below(children.length)]!;
        for (let tries = 0; !parentOf.has(child); tries++) {
          if (tries > 1_000_000) throw new Error('no live child found');
          child = children[random.below(children.length)]!;
        }
        db.update('children', { note: `m${cycle & 7}` }, eq(col('id'), child));
      }
      const position = random.below(parents.length);
      const victim = parents[position]!;
      parents[position] = parents[parents.length - 1]!;
      parents.pop();
      db.delete('parents', eq(col('id'), victim));
      for (const child of childrenOf.get(victim)!) parentOf.delete(child);
      childrenOf.delete(victim);
      // Keep the list of candidates mostly live, so picking one stays cheap.
      if (children.length > 4 * parentOf.size + 1000) children = children.filter((child) => parentOf.has(child));
    }
    return Number(process.hrtime.bigint() - started);
  };
}

/** The part of a build's campaign API the chunks use (harness/campaign.ts, harness/planFile.ts). */
interface CampaignModules {
  readonly domain: unknown;
  readonly plans: readonly { readonly name: string; readonly expect: unknown }[];
  chunkSpec(plan: unknown, seed: number, index: number, totalRuns: number): unknown;
  runChunk(domain: unknown, plan: unknown, spec: unknown, options: object): unknown;
}

const CAMPAIGN_SEED = 20241031;
const CAMPAIGN_RUNS = 3000;

async function importFrom(root: string, ...paths: string[]): Promise<Record<string, unknown>> {
  // The runners domain moved from properties/ to model/runners/ in 2026-11; older builds have it there.
  for (const path of paths) {
    const file = resolve(root, 'dist', path);
    if (existsSync(file)) return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  console.error(`compareBuilds: ${JSON.stringify(root)} has none of ${paths.map((path) => `dist/${path}`).join(', ')}`);
  process.exit(2);
}

async function campaignModules(root: string): Promise<CampaignModules> {
  const campaign = await importFrom(root, 'src/harness/campaign.js');
  const planFile = await importFrom(root, 'src/harness/planFile.js');
  const domain = (await importFrom(root, 'model/runners/domain.js', 'properties/runnersDomain.js')).runnersDomain;
  const load = planFile.loadPlanDirectory as (domain: unknown, directory: string) => CampaignModules['plans'];
  return {
    domain,
    plans: load(domain, resolve(root, 'model', 'plans')),
    chunkSpec: campaign.chunkSpec as CampaignModules['chunkSpec'],
    runChunk: campaign.runChunk as CampaignModules['runChunk'],
  };
}

/** Milliseconds per chunk, per build, over the safe plans every build has. */
async function compareCampaigns(roots: readonly string[], chunks: number): Promise<number[][]> {
  const builds: CampaignModules[] = [];
  for (const root of roots) builds.push(await campaignModules(root));
  const safe = (modules: CampaignModules): Set<string> =>
    new Set(modules.plans.filter((plan) => plan.expect === 'safe').map((plan) => plan.name));
  const common = [...safe(builds[0]!)].filter((name) => builds.every((modules) => safe(modules).has(name))).sort();
  console.log(`safe plans every build has: ${common.join(', ')}`);
  const times: number[][] = roots.map(() => []);
  let pair = 0;
  for (const name of common) {
    for (let index = 0; index < chunks; index++, pair++) {
      const order = builds.map((_, build) => build);
      if (pair % 2 === 1) order.reverse();
      for (const build of order) {
        const modules = builds[build]!;
        const plan = modules.plans.find((candidate) => candidate.name === name)!;
        const spec = modules.chunkSpec(plan, CAMPAIGN_SEED, index, CAMPAIGN_RUNS);
        const started = performance.now();
        modules.runChunk(modules.domain, plan, spec, {});
        if (pair > 0) times[build]!.push(performance.now() - started);
      }
    }
  }
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[sorted.length >> 1]!;
}

async function main(): Promise<void> {
  const campaign = process.argv.includes('--campaign');
  const roots = process.argv
    .slice(2)
    .filter((argument) => argument !== '--campaign')
    .map((root) => resolve(root));
  if (roots.length === 0) {
    console.error('compareBuilds: name at least one build root (a checkout with dist/ built)');
    process.exit(2);
  }
  if (campaign) {
    const times = await compareCampaigns(roots, positiveInteger('CHUNKS', 2));
    const firstTotal = times[0]!.reduce((sum, time) => sum + time, 0);
    for (let build = 0; build < roots.length; build++) {
      const total = times[build]!.reduce((sum, time) => sum + time, 0);
      const pairs = times[build]!.map((time, index) => (times[0]![index]! / time).toFixed(2));
      console.log(
        `${roots[build]}: ${(total / 1000).toFixed(1)} s for ${times[build]!.length} chunks` +
          (build === 0
            ? ''
            : `, ${(firstTotal / total).toFixed(3)} of the first build's speed (chunk pairs: ${pairs.join(' ')})`),
      );
    }
    return;
  }
  const rounds = positiveInteger('ROUNDS', 100);
  const cycles = positiveInteger('CYCLES', 2000);
  const runs: ((count: number) => number)[] = [];
  for (const root of roots) {
    const entry = resolve(root, 'dist', 'src', 'index.js');
    if (!existsSync(entry)) {
      console.error(`compareBuilds: ${JSON.stringify(root)} has no dist/src/index.js (build it first)`);
      process.exit(2);
    }
    runs.push(workload((await import(pathToFileURL(entry).href)) as EngineModule));
  }
  const times: number[][] = roots.map(() => []);
  for (let round = 0; round < WARMUP + rounds; round++) {
    for (let build = 0; build < runs.length; build++) {
      const nanoseconds = runs[build]!(cycles);
      if (round >= WARMUP) times[build]!.push(nanoseconds / cycles);
    }
  }
  const first = median(times[0]!);
  for (let build = 0; build < roots.length; build++) {
    const cycle = median(times[build]!);
    const pairs = times[build]!.map((time, round) => (times[0]![round]! / time).toFixed(2));
    console.log(
      `${roots[build]}: ${(cycle / 1000).toFixed(2)} µs per cycle` +
        (build === 0
          ? ''
          : `, ${(first / cycle).toFixed(3)} of the first build's speed (round pairs: ${pairs.join(' ')})`),
    );
  }
}

await main();
