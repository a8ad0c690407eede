/**
 * What kind of wait a blocked step of a random multi-session program reached, for the campaign's
 * statistics (`pgdrill diff --sessions --json`: `waits`), so a reviewer sees which waits the
 * generator reaches and how often. The kind follows from the step's statement, the lock it waited
 * for (`pg_locks` on the server: a table lock names its table, a row wait the table whose tuple lock
 * it holds) and the program's foreign keys:
 *
 * - `fk check at COMMIT`: a COMMIT that waited (the only statements that run at COMMIT in these
 *   programs are the checks of deferred foreign keys);
 * - `fk check`: an INSERT or UPDATE waiting for a table, or a row, of a table its table references
 *   (the RI check's RowShare lock, or its `FOR KEY SHARE` on the referenced row);
 * - `fk action`: an UPDATE or DELETE waiting for a table or row of a table referencing its table
 *   (NO ACTION and RESTRICT queries, CASCADE and SET NULL actions);
 * - `row lock`, `table lock`: any other row or table wait;
 * - `key`: a wait for the transaction of an uncommitted conflicting key (unique index, ON CONFLICT
 *   arbiter), which holds no tuple lock.
 */
import type { ProgramOp } from '../randomProgram.js';
import type { SessionProgram } from '../server/program.js';
import type { SessionOp } from './sessionOps.js';

export const WAIT_KINDS = ['fk check', 'fk check at COMMIT', 'fk action', 'row lock', 'table lock', 'key'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** The program's tables: each partition's root, and the roots each root references. */
export interface KeyGraph {
  readonly rootOf: ReadonlyMap<string, string>;
  readonly references: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The graph of the program's foreign keys between tables (partitions mapped to their roots). */
export function keyGraphOf(program: SessionProgram): KeyGraph {
  const parentOf = new Map<string, string>();
  const edges: [string, string][] = [];
  const ops: ProgramOp[] = [...(program.setupOps ?? [])];
  for (const session of program.sessions)
    for (const step of session.steps) if (step.op?.kind === 'statement') ops.push(step.op.op);
  for (const op of ops) {
    if (op.kind === 'createTable') {
      if (op.spec.partitionOf !== undefined) parentOf.set(op.spec.name, op.spec.partitionOf.parent);
      for (const constraint of op.spec.constraints ?? [])
        if (constraint.kind === 'foreignKey') edges.push([op.spec.name, constraint.references.table]);
    }
    if (op.kind === 'addConstraint' && op.constraint.kind === 'foreignKey')
      edges.push([op.table, op.constraint.references.table]);
    if (op.kind === 'attachPartition') parentOf.set(op.partition, op.parent);
  }
  const rootOf = new Map<string, string>();
  const root = (table: string): string => {
    let current = table;
    for (let depth = 0; depth < 16 && parentOf.has(current); depth++) current = parentOf.get(current)!;
    return current;
  };
  for (const table of parentOf.keys()) rootOf.set(table, root(table));
  const references = new Map<string, Set<string>>();
  for (const [child, parent] of edges) {
    const from = root(child);
    if (!references.has(from)) references.set(from, new Set());
    references.get(from)!.add(root(parent));
  }
  return { rootOf, references };
}

/** The table a DML step writes, or null for any other step. */
function writtenTable(op: SessionOp | undefined): { table: string; kind: 'insert' | 'update' | 'delete' } | null {
  if (op?.kind !== 'statement') return null;
  const statement = op.op;
  if (statement.kind === 'insert' || statement.kind === 'update' || statement.kind === 'delete')
    return { table: statement.table, kind: statement.kind };
  return null;
}

const RELATION_LOCK = / on relation (.+)$/;

/** The kind of a wait of `op` for `lock` (with `row`, the table of the row it waited to lock). */
export function waitKind(
  graph: KeyGraph,
  op: SessionOp | undefined,
  blocked: { readonly lock: string; readonly row?: string | null },
): WaitKind {
  if (op?.kind === 'statement' && op.op.kind === 'commit') return 'fk check at COMMIT';
  const relation = RELATION_LOCK.exec(blocked.lock)?.[1] ?? null;
  const other = relation ?? blocked.row ?? null;
  const written = writtenTable(op);
  if (other !== null && written !== null) {
    const rootOf = (table: string): string => graph.rootOf.get(table) ?? table;
    const [mine, theirs] = [rootOf(written.table), rootOf(other)];
    if (mine !== theirs) {
      if (written.kind !== 'delete' && graph.references.get(mine)?.has(theirs)) return 'fk check';
      if (written.kind !== 'insert' && graph.references.get(theirs)?.has(mine)) return 'fk action';
    }
  }
  if (relation !== null) return 'table lock';
  return other !== null ? 'row lock' : 'key';
}
