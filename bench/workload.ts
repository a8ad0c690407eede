import type { TableSpec } from '../src/index.js';

/**
 * One deterministic statement sequence for every target of the benchmark: the engine, PGlite and
 * the raw-Map ceiling execute exactly these statements, with the same ids, in the same order.
 * The mix is the engine benchmark's: insert a parent; insert a child referencing a live parent,
 * one in seven referencing a missing one (a foreign-key error); update a child; delete a parent
 * with its children cascading.
 */
export type BenchStatement =
  | { readonly kind: 'insertParent'; readonly id: number; readonly name: string }
  | {
      readonly kind: 'insertChild';
      readonly id: number;
      readonly parentId: number;
      readonly note: string;
      readonly fails: boolean;
    }
  | { readonly kind: 'updateChild'; readonly id: number; readonly note: string }
  | { readonly kind: 'deleteParent'; readonly id: number };

/**
 * bench:engine's tables (and compareBuilds.ts's, which creates them in other builds of the engine):
 * parents, and children referencing them ON DELETE CASCADE, both keyed by a bigserial.
 */
export const BENCH_TABLES: readonly TableSpec[] = [
  {
    name: 'parents',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'name', type: 'text' },
    ],
    primaryKey: ['id'],
  },
  {
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
  },
];

/** mulberry32: a small deterministic PRNG (no Math.random in benchmarks either). */
export class Mulberry32 {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  below(limit: number): number {
    return Math.floor(this.next() * limit);
  }
}

/** Live ids with O(1) random pick and removal (swap-remove), mirroring what the targets hold. */
class LiveIds {
  private readonly ids: number[] = [];
  private readonly positions = new Map<number, number>();

  add(id: number): void {
    this.positions.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: number): void {
    const position = this.positions.get(id);
    if (position === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[position] = last;
      this.positions.set(last, position);
    }
    this.positions.delete(id);
  }

  pick(rng: Mulberry32): number {
    return this.ids[rng.below(this.ids.length)]!;
  }

  get size(): number {
    return this.ids.length;
  }
}

export interface Workload {
  /** Rows present before the timed statements: parents 1..size, child i references parent i. */
  readonly size: number;
  readonly statements: readonly BenchStatement[];
}

const FK_FAILURE_PERIOD = 7;

export function buildWorkload(size: number, count: number, seed: number): Workload {
  const rng = new Mulberry32(seed);
  const parents = new LiveIds();
  const children = new LiveIds();
  const childrenOf = new Map<number, number[]>();
  for (let id = 1; id <= size; id++) {
    parents.add(id);
    children.add(id);
    childrenOf.set(id, [id]);
  }
  let nextParent = size + 1;
  let nextChild = size + 1;
  const statements: BenchStatement[] = [];
  for (let cycle = 0; statements.length < count; cycle++) {
    const parentId = nextParent++;
    statements.push({ kind: 'insertParent', id: parentId, name: `parent-${parentId % 64}` });
    parents.add(parentId);
    childrenOf.set(parentId, []);
    const fails = cycle % FK_FAILURE_PERIOD === FK_FAILURE_PERIOD - 1;
    const target = fails ? -1 - rng.below(1000) : parents.pick(rng);
    const childId = nextChild++;
    statements.push({ kind: 'insertChild', id: childId, parentId: target, note: `note ${cycle % 64}`, fails });
    if (!fails) {
      children.add(childId);
      childrenOf.get(target)!.push(childId);
    }
    if (children.size > 0)
      statements.push({ kind: 'updateChild', id: children.pick(rng), note: `updated ${cycle % 64}` });
    const doomed = parents.pick(rng);
    statements.push({ kind: 'deleteParent', id: doomed });
    parents.remove(doomed);
    for (const child of childrenOf.get(doomed) ?? []) children.remove(child);
    childrenOf.delete(doomed);
  }
  return { size, statements: statements.slice(0, count) };
}
