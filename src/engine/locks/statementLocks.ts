/**
 * The table locks each statement kind takes, as PostgreSQL 18 takes them (checked against
 * `pg_locks` on the real server by test/engine/locks/statementLocks.server.test.ts):
 *
 * - `statementLocks(statement, catalog)`: the locks taken before the statement does anything
 *   (parse, plan, executor start, ALTER TABLE's preparation), which is where a statement waits
 *   behind a conflicting lock without having touched a row. They come target first, then its
 *   partitions in bound order, then other tables; PostgreSQL's exact order among them is not
 *   checked (pg_locks does not show it).
 * - `deferredLocks(statement, catalog)`: the locks its foreign-key triggers take when they run at
 *   the end of the statement, if they run (an FK check only for rows whose key columns are all
 *   non-null, an action only for referenced rows that have referencing rows or changed keys): the
 *   RowShare of `SELECT … FOR KEY SHARE` on the other table, or the RowExclusive of a cascading
 *   DELETE or UPDATE. The session engine takes them when it runs the check.
 *
 * Statements that trigger functions run take their own locks when they run (the sync trigger's
 * UPDATE of a partitioned copy locks the copy and all its partitions then). Only tables and
 * partitioned tables are modelled: the locks PostgreSQL also takes on indexes (with their table's
 * mode) and sequences (RowExclusive for nextval) conflict only with DDL on those objects. Partition
 * pruning at plan time is not modelled: a statement on a partitioned table locks every partition
 * (PostgreSQL skips partitions a WHERE on the partition key with constants excludes).
 *
 * Every statement kind has a rule here; `test/engine/locks/statementLocks.test.ts` fails when a
 * kind is added to the registry without one.
 */
import { assert } from '../assert.js';
import type { ForeignKeyConstraint, Relation } from '../catalog.js';
import type { Expr } from '../expression.js';
import { isExpr } from '../expression.js';
import type { RowInput } from '../rowBuilding.js';
import type { Statement, StatementKind } from '../statements/registry.js';
import { compareValues } from '../values.js';
import type { TableLockMode } from './modes.js';

export interface RelationLock {
  readonly table: string;
  readonly oid: number;
  readonly mode: TableLockMode;
}

/** What the lock rules read of the catalog: the engine's relations as they are before the statement. */
export interface LockCatalog {
  relation(name: string): Relation | undefined;
  /** The table an index belongs to. */
  indexOwner(index: string): Relation | undefined;
  /** Every relation, for the foreign keys that reference a table. */
  relations(): Iterable<Relation>;
}

/** A `LockCatalog` over the engine's relation map. */
export function lockCatalogOf(relations: ReadonlyMap<string, Relation>): LockCatalog {
  return {
    relation: (name) => relations.get(name),
    indexOwner: (index) => {
      for (const relation of relations.values())
        if (relation.indexes.some((candidate) => candidate.name === index)) return relation;
      return undefined;
    },
    relations: () => relations.values(),
  };
}

/** Collects locks in order, once per (table, mode). */
class Locks {
  readonly list: RelationLock[] = [];
  readonly #seen = new Set<string>();

  add(relation: Relation | undefined, mode: TableLockMode): void {
    if (relation === undefined) return;
    const key = `${relation.oid}:${mode}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ table: relation.name, oid: relation.oid, mode });
  }

  /** The relation and, recursively, its partitions in bound order (PostgreSQL's inheritance expansion). */
  addTree(relation: Relation | undefined, mode: TableLockMode): void {
    if (relation === undefined) return;
    this.add(relation, mode);
    for (const partition of relation.partitions) this.addTree(partition, mode);
  }
}

type Rule<K extends StatementKind> = (
  statement: Extract<Statement, { kind: K }>,
  catalog: LockCatalog,
  locks: Locks,
) => void;

type Rules = { readonly [K in StatementKind]: Rule<K> };

const none = (): void => {};

/** The tables sub-queries in an expression read (AccessShare). */
function readTables(expr: Expr | null | undefined, catalog: LockCatalog, locks: Locks): void {
  if (expr === null || expr === undefined) return;
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case 'exists':
      case 'scalarSubquery':
        locks.addTree(catalog.relation(node.query.table), 'AccessShare');
        if (node.query.where !== null) visit(node.query.where);
        return;
      case 'compare':
      case 'arithmetic':
      case 'distinct':
        visit(node.left);
        visit(node.right);
        return;
      case 'isNull':
      case 'not':
        visit(node.operand);
        return;
      case 'in':
        visit(node.operand);
        for (const value of node.values) visit(value);
        return;
      case 'and':
      case 'or':
        for (const operand of node.operands) visit(operand);
        return;
      case 'function':
        for (const arg of node.args) visit(arg);
        return;
      case 'case':
        for (const branch of node.whens) {
          visit(branch.when);
          visit(branch.then);
        }
        if (node.otherwise !== null) visit(node.otherwise);
        return;
      case 'like':
        visit(node.operand);
        visit(node.pattern);
        return;
      case 'column':
      case 'outer':
      case 'fromColumn':
      case 'excluded':
      case 'literal':
        return;
    }
  };
  visit(expr);
}

/**
 * The partitions an INSERT row is routed through (ExecFindPartition opens each level's chosen
 * partition in RowExclusive), or [] when no partition takes it (the statement then fails).
 */
function routedPath(relation: Relation, row: RowInput): Relation[] {
  const path: Relation[] = [];
  let current = relation;
  for (let depth = 0; current.isPartitioned; depth += 1) {
    assert(depth < 64, `partition tree under ${relation.name} is deeper than 64 levels`);
    const value = row[current.partitionKey!] ?? null;
    let target: Relation | undefined;
    let fallback: Relation | undefined;
    for (const partition of current.partitions) {
      const bound = partition.partitionBound!;
      if (bound.kind === 'default') fallback = partition;
      else if (
        bound.values.some((candidate) =>
          candidate === null ? value === null : value !== null && compareValues(candidate, value) === 0,
        )
      )
        target = partition;
    }
    const chosen = target ?? fallback;
    if (chosen === undefined) return path;
    path.push(chosen);
    current = chosen;
  }
  return path;
}

function defaultPartition(relation: Relation | undefined): Relation | undefined {
  return relation?.partitions.find((partition) => partition.partitionBound?.kind === 'default');
}

/** Every relation in the partition tree under (and including) `relation`. */
function tree(relation: Relation): Relation[] {
  return [relation, ...relation.partitions.flatMap(tree)];
}

/** Foreign keys whose referenced side is `relation` (the constraints cloned onto partitions included). */
function referencingKeys(catalog: LockCatalog, relation: Relation): ForeignKeyConstraint[] {
  const found: ForeignKeyConstraint[] = [];
  for (const candidate of catalog.relations())
    for (const constraint of candidate.foreignKeys())
      if (constraint.referencedRelation === relation) found.push(constraint);
  return found;
}

const RULES: Rules = {
  insert: ({ table, rows }, catalog, locks) => {
    const relation = catalog.relation(table);
    locks.add(relation, 'RowExclusive');
    if (relation === undefined) return;
    for (const row of rows) for (const partition of routedPath(relation, row)) locks.add(partition, 'RowExclusive');
  },
  // The partitions rows are routed to are locked as each row reaches them (insertStatement.ts), so
  // only the target is listed; the SELECT locks its source like a SELECT (RowShare with FOR …).
  insertSelect: ({ table, query }, catalog, locks) => {
    locks.add(catalog.relation(table), 'RowExclusive');
    const source = catalog.relation(query.table);
    const mode = query.locking === undefined ? 'AccessShare' : 'RowShare';
    if (query.only === true) locks.add(source, mode);
    else locks.addTree(source, mode);
    readTables(query.where, catalog, locks);
    for (const expr of query.select) readTables(expr, catalog, locks);
  },
  update: ({ table, set, where, options, from }, catalog, locks) => {
    const relation = catalog.relation(table);
    if (options.only === true) locks.add(relation, 'RowExclusive');
    else locks.addTree(relation, 'RowExclusive');
    if (from !== undefined) locks.addTree(catalog.relation(from.table), 'AccessShare');
    readTables(where, catalog, locks);
    for (const value of Object.values(set)) if (isExpr(value)) readTables(value, catalog, locks);
  },
  delete: ({ table, where, options }, catalog, locks) => {
    const relation = catalog.relation(table);
    if (options.only === true) locks.add(relation, 'RowExclusive');
    else locks.addTree(relation, 'RowExclusive');
    readTables(where, catalog, locks);
  },
  select: ({ table, options }, catalog, locks) => {
    const relation = catalog.relation(table);
    // A locking clause (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE) takes RowShare on what it locks.
    const mode = options.locking === undefined ? 'AccessShare' : 'RowShare';
    if (options.only === true) locks.add(relation, mode);
    else locks.addTree(relation, mode);
    readTables(options.where, catalog, locks);
  },
  nextval: none,
  setval: none,
  createTable: ({ spec }, catalog, locks) => {
    if (spec.partitionOf !== undefined) {
      // A new partition changes the parent's partition bounds, and the default partition's.
      const parent = catalog.relation(spec.partitionOf.parent);
      locks.add(parent, 'AccessExclusive');
      locks.add(defaultPartition(parent), 'AccessExclusive');
      // The parent's foreign keys are cloned onto it, each creating triggers on the referenced table.
      for (const constraint of parent?.foreignKeys() ?? [])
        locks.add(constraint.referencedRelation, 'ShareRowExclusive');
    }
    for (const constraint of spec.constraints ?? [])
      if (constraint.kind === 'foreignKey')
        locks.add(catalog.relation(constraint.references.table), 'ShareRowExclusive');
  },
  dropTable: ({ name }, catalog, locks) => {
    const relation = catalog.relation(name);
    if (relation === undefined) return;
    if (relation.parent !== null) {
      locks.add(relation.parent, 'AccessExclusive');
      locks.add(defaultPartition(relation.parent), 'AccessExclusive');
    }
    locks.addTree(relation, 'AccessExclusive');
    // Dropping a foreign key of its own drops its action triggers on the referenced table; the
    // copies on partitions of a partitioned table's key have none there.
    for (const member of tree(relation))
      for (const constraint of member.foreignKeys())
        if (constraint.parent === null) locks.add(constraint.referencedRelation, 'AccessExclusive');
  },
  renameTable: ({ name }, catalog, locks) => locks.add(catalog.relation(name), 'AccessExclusive'),
  truncate: ({ tables, options }, catalog, locks) => {
    const truncated: Relation[] = [];
    for (const table of tables) {
      const relation = catalog.relation(table);
      if (relation !== undefined) truncated.push(...tree(relation));
    }
    for (const relation of truncated) locks.add(relation, 'AccessExclusive');
    if (options.cascade === true)
      for (let index = 0; index < truncated.length; index += 1)
        for (const constraint of referencingKeys(catalog, truncated[index]!))
          if (!truncated.includes(constraint.relation)) {
            truncated.push(constraint.relation);
            locks.add(constraint.relation, 'AccessExclusive');
          }
  },
  addColumn: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  dropColumn: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  setColumnDefault: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  setColumnNotNull: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  addConstraint: ({ table, constraint }, catalog, locks) => {
    const relation = catalog.relation(table);
    if (constraint.kind !== 'foreignKey') {
      locks.addTree(relation, 'AccessExclusive');
      return;
    }
    locks.addTree(relation, 'ShareRowExclusive');
    locks.addTree(catalog.relation(constraint.references.table), 'ShareRowExclusive');
  },
  validateConstraint: ({ table, name }, catalog, locks) => {
    const relation = catalog.relation(table);
    locks.addTree(relation, 'ShareUpdateExclusive');
    const constraint = relation?.constraints.find((candidate) => candidate.name === name);
    if (constraint?.kind === 'foreignKey') locks.add(constraint.referencedRelation, 'RowShare');
  },
  dropConstraint: ({ table, name }, catalog, locks) => {
    const relation = catalog.relation(table);
    locks.addTree(relation, 'AccessExclusive');
    const constraint = relation?.constraints.find((candidate) => candidate.name === name);
    if (constraint?.kind === 'foreignKey') locks.addTree(constraint.referencedRelation, 'AccessExclusive');
  },
  renameConstraint: ({ table }, catalog, locks) => locks.add(catalog.relation(table), 'AccessExclusive'),
  // renameatt locks the table and every partition (find_all_inheritors) before renaming.
  renameColumn: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  // CONCURRENTLY takes ShareUpdateExclusive, which writers do not conflict with (the engine does not
  // take it under a scheduler: the statement runs its own transactions there, unscheduled).
  // ON ONLY locks the partitioned table alone (ProcessUtilitySlow locks the inheritors only without it).
  createIndex: ({ spec, concurrently }, catalog, locks) => {
    const mode = concurrently === true ? 'ShareUpdateExclusive' : 'Share';
    if (spec.only === true) locks.add(catalog.relation(spec.table), mode);
    else locks.addTree(catalog.relation(spec.table), mode);
  },
  dropIndex: ({ name, options }, catalog, locks) =>
    locks.addTree(catalog.indexOwner(name), options.concurrently === true ? 'ShareUpdateExclusive' : 'AccessExclusive'),
  renameIndex: none,
  // RangeVarCallbackForAttachIndex takes AccessShare on both tables (the indexes' own locks are not modelled).
  attachIndex: ({ parent, partition }, catalog, locks) => {
    locks.add(catalog.indexOwner(parent), 'AccessShare');
    locks.add(catalog.indexOwner(partition), 'AccessShare');
  },
  attachPartition: ({ parent, partition }, catalog, locks) => {
    const parentRelation = catalog.relation(parent);
    locks.add(parentRelation, 'ShareUpdateExclusive');
    locks.addTree(catalog.relation(partition), 'AccessExclusive');
    locks.add(defaultPartition(parentRelation), 'AccessExclusive');
    for (const constraint of parentRelation?.foreignKeys() ?? [])
      locks.add(constraint.referencedRelation, 'ShareRowExclusive');
  },
  detachPartition: ({ parent, partition }, catalog, locks) => {
    const parentRelation = catalog.relation(parent);
    locks.add(parentRelation, 'AccessExclusive');
    const partitionRelation = catalog.relation(partition);
    locks.addTree(partitionRelation, 'AccessExclusive');
    locks.add(defaultPartition(parentRelation), 'AccessExclusive');
    // The partition's copies of the parent's foreign keys become keys of their own, with triggers.
    for (const constraint of partitionRelation?.foreignKeys() ?? [])
      if (constraint.parent !== null) locks.add(constraint.referencedRelation, 'ShareRowExclusive');
  },
  createTrigger: ({ spec }, catalog, locks) => locks.addTree(catalog.relation(spec.table), 'ShareRowExclusive'),
  dropTrigger: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'AccessExclusive'),
  enableTrigger: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'ShareRowExclusive'),
  disableTrigger: ({ table }, catalog, locks) => locks.addTree(catalog.relation(table), 'ShareRowExclusive'),
  createSequence: none,
  dropSequence: none,
  renameSequence: none,
  setSequenceOwner: ({ owner }, catalog, locks) => {
    if (owner !== null) locks.add(catalog.relation(owner.table), 'AccessShare');
  },
  lockTable: ({ tables, mode }, catalog, locks) => {
    for (const table of tables) locks.addTree(catalog.relation(table), mode);
  },
  begin: none,
  commit: none,
  rollback: none,
  savepoint: none,
  rollbackToSavepoint: none,
  releaseSavepoint: none,
  // SET lock_timeout / deadlock_timeout: a session setting, no table.
  set: none,
  // SET CONSTRAINTS takes no table lock; the checks IMMEDIATE fires take their own when they run.
  setConstraints: none,
};

/** The locks a statement takes before it runs (target first), each (table, mode) once. */
export function statementLocks(statement: Statement, catalog: LockCatalog): readonly RelationLock[] {
  const locks = new Locks();
  const rule = RULES[statement.kind] as Rule<StatementKind>;
  rule(statement as never, catalog, locks);
  return locks.list;
}

/** Whether the registry's kind has a lock rule (the registry test checks every kind). */
export function hasLockRule(kind: string): boolean {
  return Object.hasOwn(RULES, kind);
}

/**
 * The locks a statement's foreign-key triggers take at its end when they run: RowShare on the
 * referenced table for each FK check of an inserted or updated referencing row; on the referencing
 * table, RowShare for a NO ACTION / RESTRICT check and RowExclusive for a CASCADE / SET NULL action
 * when referenced rows are deleted or their keys updated.
 */
export function deferredLocks(statement: Statement, catalog: LockCatalog): readonly RelationLock[] {
  const locks = new Locks();
  const actionLocks = (relation: Relation, event: 'delete' | 'update', columns: ReadonlySet<string> | null): void => {
    for (const member of tree(relation))
      for (const constraint of referencingKeys(catalog, member)) {
        if (columns !== null && !constraint.referencedColumns.some((column) => columns.has(column))) continue;
        const action = event === 'delete' ? constraint.onDelete : constraint.onUpdate;
        locks.add(constraint.relation, action === 'no action' || action === 'restrict' ? 'RowShare' : 'RowExclusive');
        // NO ACTION first looks for another referenced row with the old key (ri_Check_Pk_Match).
        if (action === 'no action') locks.add(constraint.referencedRelation, 'RowShare');
      }
  };
  switch (statement.kind) {
    case 'insert': {
      const relation = catalog.relation(statement.table);
      if (relation === undefined) break;
      for (const row of statement.rows) {
        const leaf = routedPath(relation, row).at(-1) ?? relation;
        for (const constraint of leaf.foreignKeys())
          if (constraint.columns.every((column) => (row[column] ?? null) !== null))
            locks.add(constraint.referencedRelation, 'RowShare');
      }
      break;
    }
    case 'insertSelect': {
      // Its rows are not known before it runs: every foreign key a routed row could be checked against.
      const relation = catalog.relation(statement.table);
      if (relation === undefined) break;
      for (const member of tree(relation))
        for (const constraint of member.foreignKeys())
          if (statement.columns.some((column) => constraint.columns.includes(column)))
            locks.add(constraint.referencedRelation, 'RowShare');
      break;
    }
    case 'update': {
      const relation = catalog.relation(statement.table);
      if (relation === undefined) break;
      const columns = new Set(Object.keys(statement.set));
      for (const member of tree(relation))
        for (const constraint of member.foreignKeys())
          if (constraint.columns.some((column) => columns.has(column)))
            locks.add(constraint.referencedRelation, 'RowShare');
      actionLocks(relation, 'update', columns);
      break;
    }
    case 'delete': {
      const relation = catalog.relation(statement.table);
      if (relation !== undefined) actionLocks(relation, 'delete', null);
      break;
    }
    default:
      break;
  }
  return locks.list;
}
