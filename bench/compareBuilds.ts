/**
 * Compares builds of pgdrill on bench:engine's single-session workload in one process, so that a
 * host whose speed changes from minute to minute treats every build alike (docs/performance.md,
 * "Measuring on a noisy host").
 *
 *   node dist/bench/compareBuilds.js BUILD_ROOT…      (each a checkout with `dist/` built)
 *
 * Every build gets its own database: 1,000 parents and 1,000 children (ON DELETE CASCADE), then
 * cycles of INSERT a parent, INSERT a child of a random live parent (one in seven references a
 * parent that does not exist and fails with 23503), UPDATE a random live child by key, DELETE a
 * random parent by key. Rounds of CYCLES cycles alternate between the builds; the first WARMUP
 * rounds are not counted. Prints each build's median cycle time (µs), its ratio to the first
 * build, and the ratio of every counted round pair. Environment: ROUNDS (default 100), CYCLES
 * (default 2000).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/** mulberry32, as bench:engine: the same row choices for every build. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
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
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'parent_id', type: 'bigint', notNull: true },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        columns: ['parent_id'],
        references: { table: 'parents', columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
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
  const next = random(0x5eed);
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
      } else addChild(parents[next() % parents.length]!);
      if (parentOf.size > 0) {
        let child = children[next() % children.length]!;
        for (let tries = 0; !parentOf.has(child); tries++) {
          if (tries > 1_000_000) throw new Error('no live child found');
          child = children[next() % children.length]!;
        }
        db.update('children', { note: `m${cycle & 7}` }, eq(col('id'), child));
      }
      const position = next() % parents.length;
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[sorted.length >> 1]!;
}

async function main(): Promise<void> {
  const roots = process.argv.slice(2).map((root) => resolve(root));
  if (roots.length === 0) {
    console.error('compareBuilds: name at least one build root (a checkout with dist/ built)');
    process.exit(2);
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
