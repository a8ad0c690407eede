/**
 * Engine throughput benchmark (issue 2, item 10).
 *
 * A mixed OLTP workload on
 *
 *   parents(id bigserial PRIMARY KEY, name text)
 *   children(id bigserial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parents(id) ON DELETE CASCADE, note text)
 *
 * For each size N (1k, 10k, 100k): N parents and N children are pre-loaded (untimed), the
 * workload is warmed up, and then a timed loop cycles through four statements:
 *
 *   1. INSERT a parent;
 *   2. INSERT a child referencing a random live parent, except that one child insert in seven
 *      references a parent that does not exist and fails with 23503 (caught, still counted);
 *   3. UPDATE a random live child's note by primary key;
 *   4. DELETE a random live parent by primary key, cascading to its children.
 *
 * Parents stay at exactly N; children drift from N towards 6N/7 (6/7 successful child inserts
 * per cycle against ~children/parents cascaded per delete). The loop runs until it has done
 * at least MIN_STATEMENTS statements and at least MIN_SECONDS seconds.
 *
 * The "raw Map ceiling" runs the identical driver (same PRNG, same bookkeeping, same choice of
 * rows) against plain JS Maps (rows by id, a Map<parentId, Set<childId>> for the cascade) with
 * no SQL semantics at all: no journal, no constraints beyond the parent lookup, no exceptions.
 * It is the upper bound the engine could approach.
 *
 * Output: a readable table, then, as the last line, one JSON object with the headline figures.
 * Run with `npm run build && npm run bench:engine` (node --expose-gc, so GC can be settled
 * between phases). Environment overrides, for quick experiments only:
 *   BENCH_SIZES=1000,10000     sizes to run (the JSON needs 1000 and 100000 for every field)
 *   BENCH_MIN_STATEMENTS=200000, BENCH_MIN_SECONDS=1, BENCH_WARMUP_STATEMENTS=60000
 *   BENCH_BREAKDOWN=1          also time each statement kind separately (extra, slower pass)
 *   BENCH_SKIP_CEILING=1       skip the Map ceiling (e.g. for a CPU profile of the engine alone)
 */
import { performance } from 'node:perf_hooks';
import { Database, PgError, col, eq } from '../src/index.js';
import type { Row } from '../src/index.js';
import { BENCH_TABLES } from './workload.js';

// --- configuration -------------------------------------------------------------------------

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

const SIZES: readonly number[] = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map((part) => {
  const size = Number(part.trim());
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`bad size in BENCH_SIZES: ${part}`);
  return size;
});
const MIN_STATEMENTS = envNumber('BENCH_MIN_STATEMENTS', 200_000);
const MIN_SECONDS = envNumber('BENCH_MIN_SECONDS', 1);
const WARMUP_STATEMENTS = envNumber('BENCH_WARMUP_STATEMENTS', 60_000);
const BREAKDOWN = process.env.BENCH_BREAKDOWN === '1';
const SKIP_CEILING = process.env.BENCH_SKIP_CEILING === '1';
/** Cycles between clock reads and RSS samples; 4 statements per cycle. */
const BATCH_CYCLES = 500;
const STATEMENTS_PER_CYCLE = 4;
/** One child insert in this many references a missing parent. */
const FK_FAILURE_PERIOD = 7;
const PRELOAD_BATCH = 1000;
const SEED = 0x5eed_2024;

// --- deterministic PRNG ----------------------------------------------------------------------

/** mulberry32: a tiny, well-mixed 32-bit PRNG; `next()` returns an unsigned 32-bit integer. */
class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, bound) for bound < 2^32 (the modulo bias is irrelevant here). */
  below(bound: number): number {
    return this.next() % bound;
  }
}

/** Pre-built strings so the driver allocates nothing of its own per statement. */
const NAMES: readonly string[] = Array.from(
  { length: 64 },
  (_, index) => `parent-${index.toString(36).padStart(4, '0')}`,
);
const NOTES: readonly string[] = Array.from({ length: 64 }, (_, index) => `note ${index} ${'x'.repeat(index % 24)}`);

// --- bookkeeping of live rows (shared by the engine and the ceiling drivers) -----------------

/**
 * Which parents and children are alive, so the driver can pick uniformly random live rows in
 * O(1) and forget a parent's children when a delete cascades. Typed arrays indexed by id with
 * intrusive per-parent child lists: no allocation per statement, so the driver's own cost is a
 * small, identical share of both the engine and the ceiling figures.
 */
class LiveRows {
  parentCount = 0;
  childCount = 0;
  private parentDense = new Int32Array(1024);
  /** parent id → position in parentDense + 1; 0 = not alive. */
  private parentSlot = new Int32Array(1024);
  /** parent id → first child id in its list; 0 = none. */
  private firstChild = new Int32Array(1024);
  private childDense = new Int32Array(1024);
  private childSlot = new Int32Array(1024);
  private childParent = new Int32Array(1024);
  private nextSibling = new Int32Array(1024);
  private prevSibling = new Int32Array(1024);

  private static grow(array: Int32Array<ArrayBuffer>, minLength: number): Int32Array<ArrayBuffer> {
    let length = array.length;
    while (length <= minLength) length *= 2;
    const grown = new Int32Array(length);
    grown.set(array);
    return grown;
  }

  private ensureParentId(id: number): void {
    if (id < this.parentSlot.length) return;
    this.parentSlot = LiveRows.grow(this.parentSlot, id);
    this.firstChild = LiveRows.grow(this.firstChild, id);
  }

  private ensureChildId(id: number): void {
    if (id < this.childSlot.length) return;
    this.childSlot = LiveRows.grow(this.childSlot, id);
    this.childParent = LiveRows.grow(this.childParent, id);
    this.nextSibling = LiveRows.grow(this.nextSibling, id);
    this.prevSibling = LiveRows.grow(this.prevSibling, id);
  }

  addParent(id: number): void {
    this.ensureParentId(id);
    if (this.parentCount >= this.parentDense.length)
      this.parentDense = LiveRows.grow(this.parentDense, this.parentCount);
    this.parentDense[this.parentCount] = id;
    this.parentCount++;
    this.parentSlot[id] = this.parentCount;
    this.firstChild[id] = 0;
  }

  randomParent(rng: Mulberry32): number {
    return this.parentDense[rng.below(this.parentCount)]!;
  }

  isParentAlive(id: number): boolean {
    return id > 0 && id < this.parentSlot.length && this.parentSlot[id]! !== 0;
  }

  addChild(id: number, parentId: number): void {
    this.ensureChildId(id);
    if (this.childCount >= this.childDense.length) this.childDense = LiveRows.grow(this.childDense, this.childCount);
    this.childDense[this.childCount] = id;
    this.childCount++;
    this.childSlot[id] = this.childCount;
    this.childParent[id] = parentId;
    const head = this.firstChild[parentId]!;
    this.nextSibling[id] = head;
    this.prevSibling[id] = 0;
    if (head !== 0) this.prevSibling[head] = id;
    this.firstChild[parentId] = id;
  }

  randomChild(rng: Mulberry32): number {
    return this.childDense[rng.below(this.childCount)]!;
  }

  /** Forgets a parent and every child in its list (the cascade). Returns the children removed. */
  removeParent(id: number): number {
    const slot = this.parentSlot[id]!;
    if (slot === 0) throw new Error(`bookkeeping: parent ${id} is not alive`);
    const last = this.parentDense[this.parentCount - 1]!;
    this.parentDense[slot - 1] = last;
    this.parentSlot[last] = slot;
    this.parentSlot[id] = 0;
    this.parentCount--;
    let removed = 0;
    for (let child = this.firstChild[id]!; child !== 0; child = this.nextSibling[child]!) {
      const childSlot = this.childSlot[child]!;
      const lastChild = this.childDense[this.childCount - 1]!;
      this.childDense[childSlot - 1] = lastChild;
      this.childSlot[lastChild] = childSlot;
      this.childSlot[child] = 0;
      this.childCount--;
      removed++;
    }
    this.firstChild[id] = 0;
    return removed;
  }
}

// --- measurement helpers --------------------------------------------------------------------

let peakRssBytes = 0;

function sampleRss(): number {
  const rss = process.memoryUsage.rss();
  if (rss > peakRssBytes) peakRssBytes = rss;
  return rss;
}

function settleGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

interface LoopResult {
  readonly statements: number;
  readonly seconds: number;
  /**
   * Process CPU seconds (user + system) over the same loop. On a shared, oversubscribed machine the
   * wall-clock rate mostly measures the other processes; the CPU rate stays comparable between runs.
   */
  readonly cpuSeconds: number;
  readonly fkFailures: number;
  readonly cascadedChildren: number;
  readonly peakRssBytes: number;
}

interface RunCounters {
  cycle: number;
  fkFailures: number;
  cascadedChildren: number;
}

/** Runs whole batches of cycles until both floors are reached; `batch` runs BATCH_CYCLES cycles. */
function timedLoop(batch: () => void, counters: RunCounters, minStatements: number, minSeconds: number): LoopResult {
  const startCycle = counters.cycle;
  const startFailures = counters.fkFailures;
  const startCascaded = counters.cascadedChildren;
  let peak = sampleRss();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  let statements = 0;
  do {
    batch();
    statements = (counters.cycle - startCycle) * STATEMENTS_PER_CYCLE;
    elapsed = (performance.now() - start) / 1000;
    const rss = sampleRss();
    if (rss > peak) peak = rss;
  } while (statements < minStatements || elapsed < minSeconds);
  const cpu = process.cpuUsage(cpuStart);
  return {
    statements,
    seconds: elapsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    fkFailures: counters.fkFailures - startFailures,
    cascadedChildren: counters.cascadedChildren - startCascaded,
    peakRssBytes: peak,
  };
}

function cyclesFor(statements: number): number {
  return Math.max(BATCH_CYCLES, Math.ceil(statements / STATEMENTS_PER_CYCLE / BATCH_CYCLES) * BATCH_CYCLES);
}

/** A parent id that never exists: bigserial ids are positive. */
function missingParentId(rng: Mulberry32): number {
  return -1 - rng.below(1_000_000);
}

// --- the engine driver ----------------------------------------------------------------------

function createSchema(db: Database): void {
  for (const table of BENCH_TABLES) db.createTable(table);
}

function idOf(row: Row | undefined): number {
  const id = row?.id;
  if (typeof id !== 'number') throw new Error(`expected a row with a numeric id, got ${JSON.stringify(row)}`);
  return id;
}

function preloadEngine(db: Database, live: LiveRows, size: number, rng: Mulberry32): void {
  for (let done = 0; done < size; done += PRELOAD_BATCH) {
    const count = Math.min(PRELOAD_BATCH, size - done);
    const rows = db.insert(
      'parents',
      Array.from({ length: count }, () => ({ name: NAMES[rng.below(NAMES.length)]! })),
    );
    for (const row of rows) live.addParent(idOf(row));
  }
  for (let done = 0; done < size; done += PRELOAD_BATCH) {
    const count = Math.min(PRELOAD_BATCH, size - done);
    const parentIds = Array.from({ length: count }, () => live.randomParent(rng));
    const rows = db.insert(
      'children',
      parentIds.map((parentId) => ({ parent_id: parentId, note: NOTES[rng.below(NOTES.length)]! })),
    );
    for (const [index, row] of rows.entries()) live.addChild(idOf(row), parentIds[index]!);
  }
}

const whereId = (id: number) => eq(col('id'), id);

function engineBatch(db: Database, live: LiveRows, rng: Mulberry32, counters: RunCounters, cycles: number): void {
  for (let step = 0; step < cycles; step++) {
    const cycle = counters.cycle++;
    // 1. INSERT INTO parents (name) VALUES (...)
    const parent = db.insert('parents', { name: NAMES[cycle & 63]! })[0];
    live.addParent(idOf(parent));
    // 2. INSERT INTO children (parent_id, note) VALUES (...): one in seven references no parent.
    if (cycle % FK_FAILURE_PERIOD === FK_FAILURE_PERIOD - 1) {
      try {
        db.insert('children', { parent_id: missingParentId(rng), note: NOTES[cycle & 63]! });
        throw new Error('a child referencing a missing parent was accepted');
      } catch (error) {
        if (!(error instanceof PgError) || error.code !== '23503') throw error;
        counters.fkFailures++;
      }
    } else {
      const parentId = live.randomParent(rng);
      const child = db.insert('children', { parent_id: parentId, note: NOTES[cycle & 63]! })[0];
      live.addChild(idOf(child), parentId);
    }
    // 3. UPDATE children SET note = ... WHERE id = ...
    const childId = live.randomChild(rng);
    const updated = db.update('children', { note: NOTES[(cycle + 17) & 63]! }, whereId(childId));
    if (updated.length !== 1) throw new Error(`update of child ${childId} touched ${updated.length} rows`);
    // 4. DELETE FROM parents WHERE id = ... (ON DELETE CASCADE removes its children)
    const parentId = live.randomParent(rng);
    const deleted = db.delete('parents', whereId(parentId));
    if (deleted.length !== 1) throw new Error(`delete of parent ${parentId} touched ${deleted.length} rows`);
    counters.cascadedChildren += live.removeParent(parentId);
  }
}

type StatementKind = 'insertParent' | 'insertChild' | 'insertChildFkError' | 'updateChild' | 'deleteParentCascade';
const KINDS: readonly StatementKind[] = [
  'insertParent',
  'insertChild',
  'insertChildFkError',
  'updateChild',
  'deleteParentCascade',
];

/** The same cycle with a clock read around every statement (adds ~0.1 µs each; for the breakdown only). */
function engineBatchTimed(
  db: Database,
  live: LiveRows,
  rng: Mulberry32,
  counters: RunCounters,
  cycles: number,
  time: Record<StatementKind, number>,
  count: Record<StatementKind, number>,
): void {
  for (let step = 0; step < cycles; step++) {
    const cycle = counters.cycle++;
    let t0 = performance.now();
    const parent = db.insert('parents', { name: NAMES[cycle & 63]! })[0];
    let t1 = performance.now();
    time.insertParent += t1 - t0;
    count.insertParent++;
    live.addParent(idOf(parent));
    if (cycle % FK_FAILURE_PERIOD === FK_FAILURE_PERIOD - 1) {
      t0 = performance.now();
      try {
        db.insert('children', { parent_id: missingParentId(rng), note: NOTES[cycle & 63]! });
        throw new Error('a child referencing a missing parent was accepted');
      } catch (error) {
        if (!(error instanceof PgError) || error.code !== '23503') throw error;
        counters.fkFailures++;
      }
      t1 = performance.now();
      time.insertChildFkError += t1 - t0;
      count.insertChildFkError++;
    } else {
      const parentId = live.randomParent(rng);
      t0 = performance.now();
      const child = db.insert('children', { parent_id: parentId, note: NOTES[cycle & 63]! })[0];
      t1 = performance.now();
      time.insertChild += t1 - t0;
      count.insertChild++;
      live.addChild(idOf(child), parentId);
    }
    const childId = live.randomChild(rng);
    t0 = performance.now();
    db.update('children', { note: NOTES[(cycle + 17) & 63]! }, whereId(childId));
    t1 = performance.now();
    time.updateChild += t1 - t0;
    count.updateChild++;
    const parentId = live.randomParent(rng);
    t0 = performance.now();
    db.delete('parents', whereId(parentId));
    t1 = performance.now();
    time.deleteParentCascade += t1 - t0;
    count.deleteParentCascade++;
    counters.cascadedChildren += live.removeParent(parentId);
  }
}

interface SizeResult {
  readonly size: number;
  readonly loop: LoopResult;
  readonly rowsBefore: { parents: number; children: number };
  readonly rowsAfter: { parents: number; children: number };
  readonly breakdown: Record<StatementKind, { micros: number; count: number }> | null;
}

function verifyCounts(db: Database, live: LiveRows, label: string): { parents: number; children: number } {
  const parents = db.rows('parents').length;
  const children = db.rows('children').length;
  if (parents !== live.parentCount || children !== live.childCount) {
    throw new Error(
      `${label}: engine holds ${parents} parents / ${children} children, bookkeeping says ${live.parentCount} / ${live.childCount}`,
    );
  }
  return { parents, children };
}

/**
 * `versioned`: a second session is opened (and left idle) after the preload, so every statement
 * runs as it does among concurrent sessions: a transaction id in the shared table, a snapshot,
 * reads through it, superseded versions kept and pruned at the end of each statement.
 */
function runEngine(size: number, versioned = false): SizeResult {
  const db = new Database();
  createSchema(db);
  const rng = new Mulberry32(SEED ^ size);
  const live = new LiveRows();
  preloadEngine(db, live, size, rng);
  if (versioned) db.openSession();
  const counters: RunCounters = { cycle: 0, fkFailures: 0, cascadedChildren: 0 };
  engineBatch(db, live, rng, counters, cyclesFor(WARMUP_STATEMENTS));
  const rowsBefore = verifyCounts(db, live, `engine ${size} after warm-up`);
  settleGc();
  const loop = timedLoop(
    () => engineBatch(db, live, rng, counters, BATCH_CYCLES),
    counters,
    MIN_STATEMENTS,
    MIN_SECONDS,
  );
  const rowsAfter = verifyCounts(db, live, `engine ${size} after the timed loop`);
  let breakdown: SizeResult['breakdown'] = null;
  if (BREAKDOWN) {
    const time = { insertParent: 0, insertChild: 0, insertChildFkError: 0, updateChild: 0, deleteParentCascade: 0 };
    const count = { ...time };
    engineBatchTimed(db, live, rng, counters, cyclesFor(MIN_STATEMENTS), time, count);
    verifyCounts(db, live, `engine ${size} after the breakdown pass`);
    breakdown = Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        { micros: count[kind] === 0 ? 0 : (time[kind] * 1000) / count[kind], count: count[kind] },
      ]),
    ) as Record<StatementKind, { micros: number; count: number }>;
  }
  return { size, loop, rowsBefore, rowsAfter, breakdown };
}

// --- the raw Map ceiling --------------------------------------------------------------------

interface MapParent {
  readonly id: number;
  name: string;
}

interface MapChild {
  readonly id: number;
  readonly parentId: number;
  note: string;
}

/** The four operations on bare Maps: what the engine does, minus every piece of SQL semantics. */
class MapStore {
  readonly parents = new Map<number, MapParent>();
  readonly children = new Map<number, MapChild>();
  readonly childrenByParent = new Map<number, Set<number>>();
  private nextParentId = 1;
  private nextChildId = 1;

  insertParent(name: string): number {
    const id = this.nextParentId++;
    this.parents.set(id, { id, name });
    return id;
  }

  /** Returns the new child's id, or 0 when the parent does not exist (the FK failure). */
  insertChild(parentId: number, note: string): number {
    const id = this.nextChildId++;
    if (!this.parents.has(parentId)) return 0;
    this.children.set(id, { id, parentId, note });
    let set = this.childrenByParent.get(parentId);
    if (set === undefined) {
      set = new Set();
      this.childrenByParent.set(parentId, set);
    }
    set.add(id);
    return id;
  }

  updateChild(id: number, note: string): boolean {
    const child = this.children.get(id);
    if (child === undefined) return false;
    child.note = note;
    return true;
  }

  deleteParent(id: number): boolean {
    if (!this.parents.delete(id)) return false;
    const set = this.childrenByParent.get(id);
    if (set !== undefined) {
      for (const childId of set) this.children.delete(childId);
      this.childrenByParent.delete(id);
    }
    return true;
  }
}

function preloadMaps(store: MapStore, live: LiveRows, size: number, rng: Mulberry32): void {
  for (let index = 0; index < size; index++) live.addParent(store.insertParent(NAMES[rng.below(NAMES.length)]!));
  for (let index = 0; index < size; index++) {
    const parentId = live.randomParent(rng);
    live.addChild(store.insertChild(parentId, NOTES[rng.below(NOTES.length)]!), parentId);
  }
}

function mapBatch(store: MapStore, live: LiveRows, rng: Mulberry32, counters: RunCounters, cycles: number): void {
  for (let step = 0; step < cycles; step++) {
    const cycle = counters.cycle++;
    live.addParent(store.insertParent(NAMES[cycle & 63]!));
    if (cycle % FK_FAILURE_PERIOD === FK_FAILURE_PERIOD - 1) {
      if (store.insertChild(missingParentId(rng), NOTES[cycle & 63]!) !== 0)
        throw new Error('ceiling accepted a missing parent');
      counters.fkFailures++;
    } else {
      const parentId = live.randomParent(rng);
      live.addChild(store.insertChild(parentId, NOTES[cycle & 63]!), parentId);
    }
    const childId = live.randomChild(rng);
    if (!store.updateChild(childId, NOTES[(cycle + 17) & 63]!)) throw new Error(`ceiling lost child ${childId}`);
    const parentId = live.randomParent(rng);
    if (!store.deleteParent(parentId)) throw new Error(`ceiling lost parent ${parentId}`);
    counters.cascadedChildren += live.removeParent(parentId);
  }
}

function runCeiling(size: number): LoopResult {
  const store = new MapStore();
  const rng = new Mulberry32(SEED ^ size);
  const live = new LiveRows();
  preloadMaps(store, live, size, rng);
  const counters: RunCounters = { cycle: 0, fkFailures: 0, cascadedChildren: 0 };
  mapBatch(store, live, rng, counters, cyclesFor(WARMUP_STATEMENTS));
  settleGc();
  const loop = timedLoop(
    () => mapBatch(store, live, rng, counters, BATCH_CYCLES),
    counters,
    MIN_STATEMENTS,
    MIN_SECONDS,
  );
  if (store.parents.size !== live.parentCount || store.children.size !== live.childCount) {
    throw new Error(
      `ceiling ${size}: maps hold ${store.parents.size} / ${store.children.size}, bookkeeping says ${live.parentCount} / ${live.childCount}`,
    );
  }
  return loop;
}

// --- report ---------------------------------------------------------------------------------

const rate = (loop: LoopResult): number => Math.round(loop.statements / loop.seconds);
const cpuRate = (loop: LoopResult): number => Math.round(loop.statements / loop.cpuSeconds);
const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;
const sizeLabel = (size: number): string => (size % 1000 === 0 ? `${size / 1000}k` : String(size));

function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  if ((globalThis as { gc?: unknown }).gc === undefined)
    console.error('note: run with node --expose-gc for settled heaps between phases');
  console.log(
    `pgdrill engine benchmark — node ${process.version}, ${MIN_STATEMENTS} statements and ${MIN_SECONDS}s minimum per size, ${WARMUP_STATEMENTS} warm-up statements`,
  );
  console.log(
    'cycle: INSERT parent; INSERT child (1 in 7 → 23503); UPDATE child by PK; DELETE parent by PK (ON DELETE CASCADE)\n',
  );
  // Every engine size first, so the ceiling's own heap never shows up in the engine's RSS.
  const engines: SizeResult[] = [];
  for (const size of SIZES) {
    const engine = runEngine(size);
    settleGc();
    engines.push(engine);
    console.log(
      `  engine ${sizeLabel(size).padStart(5)}: ${rate(engine.loop).toLocaleString('en-US')} statements/s (${engine.loop.statements} in ${engine.loop.seconds.toFixed(2)}s); ${cpuRate(engine.loop).toLocaleString('en-US')} per CPU second`,
    );
  }
  const versioned: SizeResult[] = [];
  for (const size of SIZES) {
    const engine = runEngine(size, true);
    settleGc();
    versioned.push(engine);
    console.log(
      `  engine ${sizeLabel(size).padStart(5)}, a second session open: ${rate(engine.loop).toLocaleString('en-US')} statements/s (${engine.loop.statements} in ${engine.loop.seconds.toFixed(2)}s); ${cpuRate(engine.loop).toLocaleString('en-US')} per CPU second`,
    );
  }
  const enginePeakRssBytes = Math.max(peakRssBytes, sampleRss());
  const results: { engine: SizeResult; ceiling: LoopResult | null }[] = [];
  for (const engine of engines) {
    const ceiling = SKIP_CEILING ? null : runCeiling(engine.size);
    settleGc();
    results.push({ engine, ceiling });
    if (ceiling !== null)
      console.log(
        `  ceiling ${sizeLabel(engine.size).padStart(4)}: ${rate(ceiling).toLocaleString('en-US')} statements/s (${ceiling.statements} in ${ceiling.seconds.toFixed(2)}s)`,
      );
  }
  console.log('');
  console.log(
    formatTable(
      [
        'size',
        'rows before (p/c)',
        'rows after (p/c)',
        'statements',
        'seconds',
        'statements/s',
        'µs/statement',
        '23503s',
        'cascaded',
        'ceiling/s',
        'engine/ceiling',
        'peak RSS MB',
      ],
      results.map(({ engine, ceiling }) => [
        sizeLabel(engine.size),
        `${engine.rowsBefore.parents}/${engine.rowsBefore.children}`,
        `${engine.rowsAfter.parents}/${engine.rowsAfter.children}`,
        String(engine.loop.statements),
        engine.loop.seconds.toFixed(2),
        rate(engine.loop).toLocaleString('en-US'),
        ((engine.loop.seconds * 1e6) / engine.loop.statements).toFixed(2),
        String(engine.loop.fkFailures),
        String(engine.loop.cascadedChildren),
        ceiling === null ? 'skipped' : rate(ceiling).toLocaleString('en-US'),
        ceiling === null ? '-' : `${((100 * rate(engine.loop)) / rate(ceiling)).toFixed(1)}%`,
        mb(engine.loop.peakRssBytes).toFixed(1),
      ]),
    ),
  );
  if (BREAKDOWN) {
    console.log('\nper-statement cost (separate pass with a clock read around each statement):');
    console.log(
      formatTable(
        ['size', ...KINDS.map((kind) => `${kind} µs`)],
        results.map(({ engine }) => [
          sizeLabel(engine.size),
          ...KINDS.map((kind) => engine.breakdown![kind].micros.toFixed(2)),
        ]),
      ),
    );
  }
  const bySize = (size: number) => results.find((result) => result.engine.size === size);
  const small = bySize(1000);
  const medium = bySize(10_000);
  const large = bySize(100_000);
  const sps1k = small ? rate(small.engine.loop) : null;
  const sps100k = large ? rate(large.engine.loop) : null;
  const ratio = sps1k !== null && sps100k !== null ? Math.round((sps100k / sps1k) * 10) / 10 : null;
  const peakMb = mb(enginePeakRssBytes);
  console.log('');
  console.log(
    `goals: ≥ 600,000 statements/s at 1k rows: ${sps1k === null ? 'n/a' : sps1k >= 600_000 ? 'met' : 'NOT met'} (${sps1k?.toLocaleString('en-US') ?? 'n/a'});` +
      ` 100k ≥ 0.7 × 1k: ${sps1k === null || sps100k === null ? 'n/a' : sps100k >= 0.7 * sps1k ? 'met' : 'NOT met'} (ratio ${sps1k !== null && sps100k !== null ? (sps100k / sps1k).toFixed(3) : 'n/a'})`,
  );
  console.log(
    `peak RSS sampled during the engine runs: ${peakMb.toFixed(1)} MB; whole process incl. ceiling: ${mb(Math.max(peakRssBytes, sampleRss())).toFixed(1)} MB (kernel high-water mark ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB)`,
  );
  console.log(
    JSON.stringify({
      statementsPerSecond1k: sps1k,
      statementsPerSecond10k: medium ? rate(medium.engine.loop) : null,
      statementsPerSecond100k: sps100k,
      peakRssMb: peakMb,
      ceilingStatementsPerSecond1k: small?.ceiling ? rate(small.ceiling) : null,
      scalingRatio100kOver1k: ratio,
      cpuStatementsPerSecond1k: small ? cpuRate(small.engine.loop) : null,
      cpuStatementsPerSecond10k: medium ? cpuRate(medium.engine.loop) : null,
      cpuStatementsPerSecond100k: large ? cpuRate(large.engine.loop) : null,
      ...Object.fromEntries(
        versioned.map((engine) => [`versionedCpuStatementsPerSecond${sizeLabel(engine.size)}`, cpuRate(engine.loop)]),
      ),
    }),
  );
}

main();
