/**
 * `Database.fork()`: a copy of a quiet database that behaves exactly as the original would from
 * there on (same rows, catalog, sequences, tuple and transaction counters, triggers), and that no
 * later change to either side reaches.
 */
import { describe, expect, it } from 'vitest';
import { Database, PgError, col, eq } from '../../src/index.js';
import type { Row, Statement } from '../../src/index.js';

/** A schema with the kinds of objects that point at each other: keys, FKs, partitions, triggers, sequences. */
function buildWorld(): Database {
  const db = new Database();
  db.createTable({
    name: 'parents',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'kind', type: 'integer', notNull: true },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: 'children',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'parent_id', type: 'bigint' },
      { name: 'kind', type: 'integer', notNull: true },
    ],
    primaryKey: ['id', 'kind'],
    partitionBy: { list: 'kind' },
    constraints: [
      {
        kind: 'foreignKey',
        name: 'fk_parent',
        columns: ['parent_id'],
        references: { table: 'parents' },
        onDelete: 'cascade',
      },
    ],
  });
  db.createTable({ name: 'children_1', partitionOf: { parent: 'children', values: [1] } });
  db.createTable({ name: 'children_2', partitionOf: { parent: 'children', values: 'default' } });
  db.createTable({
    name: 'audit',
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'note', type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTrigger({
    name: 'audit_children',
    table: 'children',
    timing: 'after',
    events: ['insert', 'delete'],
    level: 'row',
    fn: ({ operation, newRow, oldRow, db: handle }) => {
      handle.insert('audit', { note: `${operation} ${String((newRow ?? oldRow)?.id)}` });
    },
  });
  db.insert('parents', [{ kind: 1 }, { kind: 2 }, { kind: 1 }]);
  db.insert('children', [
    { parent_id: 1, kind: 1 },
    { parent_id: 2, kind: 2 },
    { parent_id: 3, kind: 1 },
  ]);
  return db;
}

/** A workload touching every object of the world; its results and the final rows are compared. */
const workload: readonly Statement[] = [
  { kind: 'insert', table: 'parents', rows: [{ kind: 2 }], options: {} },
  { kind: 'insert', table: 'children', rows: [{ parent_id: 4, kind: 2 }], options: {} },
  { kind: 'update', table: 'children', set: { kind: 2 }, where: eq(col('parent_id'), 1), options: {} },
  { kind: 'delete', table: 'parents', where: eq(col('id'), 3), options: {} },
  { kind: 'insert', table: 'children', rows: [{ parent_id: 99, kind: 1 }], options: {} },
  { kind: 'select', table: 'children', options: { orderBy: [{ column: 'id', direction: 'asc' }] } },
];

function runWorkload(db: Database): unknown[] {
  return workload.map((statement) => {
    try {
      return db.execute(statement);
    } catch (error) {
      if (error instanceof PgError) return { code: error.code, constraint: error.constraint };
      throw error;
    }
  });
}

const rowsOf = (db: Database): Record<string, readonly Row[]> => Object.fromEntries(db.snapshot());

describe('Database.fork', () => {
  it('behaves as the original would: same results, ids, trigger effects and final rows', () => {
    const original = buildWorld();
    const fork = original.fork();
    expect(rowsOf(fork)).toEqual(rowsOf(original));
    const onFork = runWorkload(fork);
    const onOriginal = runWorkload(original);
    expect(onFork).toEqual(onOriginal);
    expect(onFork[4]).toEqual({ code: '23503', constraint: 'fk_parent' });
    expect(rowsOf(fork)).toEqual(rowsOf(original));
    expect(fork.describe('children')).toEqual(original.describe('children'));
  });

  it('is independent of the original both ways, catalog included', () => {
    const original = buildWorld();
    const before = rowsOf(original);
    const fork = original.fork();
    runWorkload(fork);
    fork.addColumn('parents', { name: 'extra', type: 'text' });
    expect(rowsOf(original)).toEqual(before);
    expect(original.describe('parents').columns.map((column: { name: string }) => column.name)).toEqual(['id', 'kind']);
    expect(original.rows('audit').length).toBe(3);
    const forkAudit = fork.rows('audit');
    expect(forkAudit.length).toBeGreaterThan(3);
    original.delete('parents');
    expect(fork.rows('parents').length).toBe(3);
    expect(fork.rows('audit')).toEqual(forkAudit);
  });

  it('shares the columns DDL only ever replaces, those whose default draws from a sequence too', () => {
    const original = buildWorld();
    const fork = original.fork();
    const column = (db: Database, table: string, name: string): object => {
      const state = (db as unknown as { state: { relations: Map<string, { column(name: string): object }> } }).state;
      return state.relations.get(table)!.column(name);
    };
    expect(Object.isFrozen(column(original, 'parents', 'kind'))).toBe(true);
    expect(column(fork, 'parents', 'kind')).toBe(column(original, 'parents', 'kind'));
    expect(column(fork, 'parents', 'id')).toBe(column(original, 'parents', 'id'));
    // The shared serial column names its sequence by id: each side draws from its own.
    fork.insert('parents', [{ kind: 5 }, { kind: 5 }]);
    original.insert('parents', { kind: 6 });
    expect(original.rows('parents').at(-1)).toEqual({ id: 4, kind: 6 });
    // A change to a shared column on one side replaces it there alone.
    fork.setColumnNotNull('parents', 'kind', false);
    fork.setColumnDefault('parents', 'kind', 7);
    fork.insert('parents', [{}]);
    expect(fork.rows('parents').at(-1)).toEqual({ id: 6, kind: 7 });
    expect(() => original.insert('parents', [{}])).toThrow(/null value in column "kind"/);
    expect(original.columnDefault('parents', 'kind')).toBeNull();
  });

  it('shares the column lists of keys, foreign keys and indexes and the partition bounds; a rename replaces them on its side', () => {
    const original = buildWorld();
    original.createTable({
      name: 'tags',
      columns: [
        { name: 'id', type: 'bigint', notNull: true },
        { name: 'label', type: 'text' },
      ],
      primaryKey: ['id'],
      constraints: [{ kind: 'unique', name: 'tags_label_key', columns: ['label'] }],
    });
    original.insert('tags', [
      { id: 1, label: 'a' },
      { id: 2, label: 'b' },
    ]);
    const fork = original.fork();
    type Shape = {
      constraints: { kind: string; name: string; columns: readonly string[] }[];
      indexes: { columns: object }[];
    };
    type Catalog = { columns: object; partitionBound: object | null } & Shape;
    const relation = (db: Database, table: string): Catalog =>
      (db as unknown as { state: { relations: Map<string, Catalog> } }).state.relations.get(table)!;
    for (const table of ['tags', 'children', 'children_1']) {
      const [mine, theirs] = [relation(original, table), relation(fork, table)];
      mine.constraints.forEach((constraint, position) => {
        expect(Object.isFrozen(constraint.columns)).toBe(true);
        expect(theirs.constraints[position]!.columns).toBe(constraint.columns);
        // A not-null constraint is a value both sides share; the others name their relation, so
        // each side has its own.
        if (constraint.kind === 'notNull') expect(theirs.constraints[position]).toBe(constraint);
        else expect(theirs.constraints[position]).not.toBe(constraint);
      });
      mine.indexes.forEach((index, position) => {
        expect(theirs.indexes[position]!.columns).toBe(index.columns);
      });
    }
    expect(relation(fork, 'tags').columns).toBe(relation(original, 'tags').columns);
    expect(relation(fork, 'children_1').partitionBound).toBe(relation(original, 'children_1').partitionBound);
    // A rename on one side replaces the lists there alone: the other keeps its names and its keys.
    fork.execute({ kind: 'renameColumn', table: 'tags', column: 'label', newName: 'title' });
    expect(relation(fork, 'tags').constraints.find((c) => c.name === 'tags_label_key')!.columns).toEqual(['title']);
    expect(relation(original, 'tags').constraints.find((c) => c.name === 'tags_label_key')!.columns).toEqual(['label']);
    expect(() => original.insert('tags', { id: 3, label: 'a' })).toThrow(/tags_label_key/);
    expect(() => fork.insert('tags', { id: 3, title: 'b' })).toThrow(/tags_label_key/);
    fork.insert('tags', { id: 3, title: 'c' });
    expect(original.rows('tags')).toEqual([
      { id: 1, label: 'a' },
      { id: 2, label: 'b' },
    ]);
  });

  it('shares the not-null constraints; renaming, validating, dropping or detaching one side replaces them there alone', () => {
    const original = buildWorld();
    original.addConstraint('audit', { kind: 'notNull', name: 'audit_note_nn', column: 'note', notValid: true });
    const fork = original.fork();
    const names = (db: Database, table: string): string[] =>
      db
        .describe(table)
        .constraints.filter((constraint) => constraint.kind === 'notNull')
        .map(
          (constraint) => `${constraint.name}${constraint.valid ? '' : ' NOT VALID'} from ${constraint.inheritedFrom}`,
        );
    const before = { children_1: names(original, 'children_1'), audit: names(original, 'audit') };
    expect(before.children_1).toContain('children_kind_not_null from children');
    fork.execute({ kind: 'renameConstraint', table: 'children', name: 'children_kind_not_null', newName: 'kind_nn' });
    fork.execute({ kind: 'validateConstraint', table: 'audit', name: 'audit_note_nn' });
    fork.execute({ kind: 'detachPartition', parent: 'children', partition: 'children_2' });
    expect(names(fork, 'children_1')).toContain('kind_nn from children');
    expect(names(fork, 'children_2')).toContain('kind_nn from null');
    expect(names(fork, 'audit')).toContain('audit_note_nn from null');
    expect(names(original, 'children_1')).toEqual(before.children_1);
    expect(names(original, 'children_2')).toContain('children_kind_not_null from children');
    expect(names(original, 'audit')).toEqual(before.audit);
    expect(names(original, 'audit')).toContain('audit_note_nn NOT VALID from null');
    // The original can still drop its own; the fork keeps its copy.
    original.execute({ kind: 'dropConstraint', table: 'audit', name: 'audit_note_nn', options: {} });
    original.insert('audit', { note: null });
    expect(() => fork.insert('audit', { note: null })).toThrow(/null value in column "note"/);
  });

  it('shares the empty trigger and partition lists; a trigger or partition added on one side replaces them there alone', () => {
    const original = buildWorld();
    const fork = original.fork();
    type Lists = { triggers: readonly object[]; partitions: readonly object[] };
    const lists = (db: Database, table: string): Lists =>
      (db as unknown as { state: { relations: Map<string, Lists> } }).state.relations.get(table)!;
    expect(lists(fork, 'audit').triggers).toBe(lists(original, 'audit').triggers);
    expect(lists(fork, 'audit').partitions).toBe(lists(original, 'audit').partitions);
    expect(lists(fork, 'children').partitions).not.toBe(lists(original, 'children').partitions);
    fork.createTrigger({
      name: 'audit_noop',
      table: 'audit',
      timing: 'before',
      events: ['insert'],
      level: 'row',
      fn: () => {},
    });
    fork.createTable({ name: 'children_3', partitionOf: { parent: 'children', values: [3] } });
    expect(lists(original, 'audit').triggers).toEqual([]);
    expect(original.describe('children').partitions).toEqual(['children_1', 'children_2']);
    expect(fork.describe('children').partitions).toEqual(['children_1', 'children_3', 'children_2']);
    expect(fork.describe('audit').triggers.map((trigger) => trigger.name)).toEqual(['audit_noop']);
    // Dropping it again leaves the shared empty list; the original never saw it.
    fork.execute({ kind: 'dropTrigger', table: 'audit', name: 'audit_noop', options: {} });
    expect(lists(fork, 'audit').triggers).toBe(lists(original, 'audit').triggers);
  });

  it('runs trigger functions with the fork as their database', () => {
    const fork = buildWorld().fork();
    fork.insert('children', { parent_id: 2, kind: 1 });
    expect(fork.rows('audit').at(-1)).toEqual({ id: 4, note: 'INSERT 4' });
  });

  it('forks of forks, and several sessions on a fork, work as on a database built from scratch', () => {
    const fork = buildWorld().fork().fork();
    const session = fork.openSession();
    session.begin();
    session.update('parents', { kind: 5 }, eq(col('id'), 1));
    const kindOfFirst = (): unknown => fork.select('parents', { where: eq(col('id'), 1) })[0]?.kind;
    expect(kindOfFirst()).toBe(1);
    session.commit();
    expect(kindOfFirst()).toBe(5);
  });

  it("keeps each side's relation plans its own: a trigger or foreign key added on one side never acts on the other", () => {
    // `audit` has no trigger, check or key of its own: its plan is made of the shared empty lists
    // (relationPlan.ts), which each side must replace, not fill, when its own catalog changes.
    const original = buildWorld();
    const fork = original.fork();
    fork.createTrigger({
      name: 'audit_stamp',
      table: 'audit',
      timing: 'before',
      events: ['insert'],
      level: 'row',
      fn: ({ newRow }) => ({ ...newRow!, note: `stamped ${String(newRow!.note)}` }),
    });
    // Audit rows 1 to 3 (the children's inserts) name parents 1 to 3, which exist.
    fork.addConstraint('audit', {
      kind: 'foreignKey',
      name: 'fk_audit_parent',
      columns: ['id'],
      references: { table: 'parents' },
    });
    const lastNote = (database: Database): unknown => database.rows('audit').at(-1)?.note;
    // No parent 4 on the original, whose audit has no such key; and no trigger stamps its row.
    original.insert('audit', { note: 'original' });
    expect(original.rows('audit').at(-1)).toEqual({ id: 4, note: 'original' });
    expect(() => fork.insert('audit', { note: 'orphan' })).toThrow(/fk_audit_parent/);
    fork.insert('parents', { kind: 1 });
    // The failed insert took id 4 from the sequence: this row names parent 4 itself.
    fork.insert('audit', { id: 4, note: 'fork' });
    expect(lastNote(fork)).toBe('stamped fork');
    // The fork's key protects parents from deletes there, and nowhere else.
    expect(() => fork.delete('parents', eq(col('id'), 2))).toThrow(/fk_audit_parent/);
    original.delete('parents', eq(col('id'), 2));
    expect(original.rows('parents').map((row) => row.id)).toEqual([1, 3]);
    // And the other way round: a trigger added on the original after the fork stays there.
    original.createTrigger({
      name: 'audit_upper',
      table: 'audit',
      timing: 'before',
      events: ['insert'],
      level: 'row',
      fn: ({ newRow }) => ({ ...newRow!, note: String(newRow!.note).toUpperCase() }),
    });
    original.insert('audit', { note: 'again' });
    expect(lastNote(original)).toBe('AGAIN');
    fork.insert('parents', { kind: 1 });
    fork.insert('audit', { id: 5, note: 'again' });
    expect(lastNote(fork)).toBe('stamped again');
  });

  it('is refused inside a transaction or with other sessions open', () => {
    const db = buildWorld();
    db.begin();
    expect(() => db.fork()).toThrow(/between transactions/);
    db.rollback();
    db.openSession();
    expect(() => db.fork()).toThrow(/one session/);
  });
});

describe('Database.forkWithSessions', () => {
  it('describes the copy from its own catalog: no description or cache is shared with the original', () => {
    const db = buildWorld();
    const session = db.openSession();
    session.begin();
    session.update('parents', { kind: 7 }, eq(col('id'), 2));
    // Descriptions and rows cached on the original before the copy, which the copy must not reuse wrongly.
    const described = db.describe('parents');
    const constraints = db.constraints();
    const keys = db.constraintsOfKind('foreignKey');
    const copy = db.forkWithSessions([session]);
    expect(copy).not.toBeNull();
    const { database, sessions } = copy!;
    expect(database.describe('parents')).toEqual(described);
    expect(database.constraints()).toEqual(constraints);
    // The copy lists its own descriptions, those its `constraints()` hands out.
    const copiedKeys = database.constraintsOfKind('foreignKey');
    expect(copiedKeys).toEqual(keys);
    expect(copiedKeys.map((key) => database.constraints().includes(key))).toEqual(keys.map(() => true));
    sessions[0]!.commit();
    database.addColumn('parents', { name: 'note', type: 'text' });
    database.dropConstraint('children', 'fk_parent');
    expect(database.describe('parents').columns.map((column) => column.name)).toEqual(['id', 'kind', 'note']);
    expect(database.constraints().some((constraint) => constraint.name === 'fk_parent')).toBe(false);
    expect(database.constraintsOfKind('foreignKey').some((constraint) => constraint.name === 'fk_parent')).toBe(false);
    expect(db.constraintsOfKind('foreignKey')).toBe(keys);
    // The original still has its own catalog, its own cached descriptions and its session's open transaction.
    expect(db.describe('parents')).toEqual(described);
    expect(db.constraints()).toEqual(constraints);
    expect(database.select('parents', { where: eq(col('id'), 2) })[0]?.kind).toBe(7);
    expect(db.select('parents', { where: eq(col('id'), 2) })[0]?.kind).toBe(2);
    session.rollback();
    expect(db.select('parents', { where: eq(col('id'), 2) })[0]?.kind).toBe(2);
  });

  it('copies a database whose catalog was described, and each side describes its own catalog from then on', () => {
    const db = buildWorld();
    const names = (database: Database): string[] => database.constraints().map((constraint) => constraint.name);
    const before = names(db);
    expect(db.describe('children').constraints.map((constraint) => constraint.name)).toContain('fk_parent');
    const session = db.openSession();
    const copy = db.forkWithSessions([session]);
    expect(copy).not.toBeNull();
    copy!.database.renameConstraint('children', 'fk_parent', 'fk_renamed');
    expect(names(copy!.database)).toContain('fk_renamed');
    expect(copy!.database.describe('children').constraints.map((constraint) => constraint.name)).toContain(
      'fk_renamed',
    );
    expect(names(db)).toEqual(before);
    expect(db.constraint('children', 'fk_parent').name).toBe('fk_parent');
    db.renameConstraint('children', 'fk_parent', 'fk_original');
    expect(copy!.database.constraint('children', 'fk_renamed').name).toBe('fk_renamed');
    expect(names(copy!.database)).not.toContain('fk_original');
  });
});
