/**
 * Statements as values: every registered kind runs through `Database.execute`, survives a JSON
 * round trip (all but CREATE TRIGGER, whose function is code) and replays to the same database
 * and the same SQL; trigger functions run statements through their session handle; and the
 * engine does not import the facade.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, arithmetic, col, eq, fromCol, gt } from '../../src/index.js';
import type { Statement } from '../../src/index.js';
import { STATEMENT_KINDS } from '../../src/engine/statements/registry.js';
import { StatementRecorder } from '../../src/oracle/recorder.js';
import { plainSnapshot } from './helpers.js';

/** One program that uses every statement kind at least once, each succeeding. */
const PROGRAM: readonly Statement[] = [
  { kind: 'createSequence', name: 'seq', options: { start: 10 } },
  {
    kind: 'createTable',
    spec: {
      name: 'p',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'integer' },
      ],
      primaryKey: ['id'],
    },
  },
  {
    kind: 'createTable',
    spec: {
      name: 'q',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'smallint' },
      ],
      partitionBy: { list: 'k' },
    },
  },
  { kind: 'createTable', spec: { name: 'q1', partitionOf: { parent: 'q', values: [1] } } },
  { kind: 'createIndex', spec: { name: 'q_id', table: 'q', columns: ['id'], only: true } },
  { kind: 'createIndex', spec: { name: 'q1_id', table: 'q1', columns: ['id'] } },
  { kind: 'attachIndex', parent: 'q_id', partition: 'q1_id' },
  {
    kind: 'createTable',
    spec: {
      name: 'q2',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'k', type: 'smallint' },
      ],
    },
  },
  { kind: 'attachPartition', parent: 'q', partition: 'q2', values: [2] },
  { kind: 'detachPartition', parent: 'q', partition: 'q2' },
  { kind: 'addColumn', table: 'p', column: { name: 'note', type: 'text' }, options: {} },
  { kind: 'setColumnDefault', table: 'p', column: 'note', value: 'n' },
  { kind: 'setColumnNotNull', table: 'p', column: 'note', notNull: true },
  { kind: 'dropColumn', table: 'q2', column: 'k', options: {} },
  { kind: 'renameColumn', table: 'q2', column: 'id', newName: 'ident' },
  { kind: 'setSequenceOwner', sequence: 'seq', owner: { table: 'p', column: 'v' } },
  { kind: 'renameSequence', name: 'seq', newName: 'seq2' },
  { kind: 'begin' },
  { kind: 'setConstraints', constraints: 'all', mode: 'deferred' },
  {
    kind: 'insert',
    table: 'p',
    rows: [
      { id: 1, v: 1 },
      { id: 2, v: 2 },
    ],
    options: {},
  },
  { kind: 'savepoint', name: 'a' },
  { kind: 'update', table: 'p', set: { v: 5 }, where: eq(col('id'), 1), options: {} },
  { kind: 'rollbackToSavepoint', name: 'a' },
  { kind: 'savepoint', name: 'b' },
  { kind: 'releaseSavepoint', name: 'b' },
  { kind: 'lockTable', tables: ['p', 'q'], mode: 'ShareRowExclusive', nowait: false },
  { kind: 'commit' },
  { kind: 'begin' },
  { kind: 'delete', table: 'p', where: eq(col('id'), 2), options: {} },
  { kind: 'rollback' },
  { kind: 'select', table: 'p', options: { orderBy: [{ column: 'id', direction: 'desc' }] } },
  {
    kind: 'select',
    table: 'p',
    options: { where: eq(col('id'), 1), locking: { strength: 'NoKeyUpdate', wait: 'skipLocked' } },
  },
  { kind: 'set', name: 'lock_timeout', milliseconds: 150 },
  { kind: 'nextval', sequence: 'seq2' },
  { kind: 'setval', sequence: 'seq2', value: 100 },
  {
    kind: 'addConstraint',
    table: 'p',
    constraint: { kind: 'check', name: 'v_positive', expr: gt(col('v'), 0), notValid: true },
  },
  { kind: 'validateConstraint', table: 'p', name: 'v_positive' },
  { kind: 'renameConstraint', table: 'p', name: 'v_positive', newName: 'v_pos' },
  { kind: 'dropConstraint', table: 'p', name: 'v_pos', options: {} },
  { kind: 'createIndex', spec: { table: 'p', columns: ['v'], unique: true } },
  { kind: 'renameIndex', name: 'p_v_idx', newName: 'p_v_unique' },
  { kind: 'dropIndex', name: 'p_v_unique', options: {} },
  {
    kind: 'createTrigger',
    spec: {
      name: 'copy_to_q',
      table: 'p',
      timing: 'after',
      events: ['insert'],
      functionName: 'copy_to_q',
      functionBody: 'BEGIN\n  INSERT INTO q (id, k) VALUES (NEW.id, 1);\n  RETURN NULL;\nEND',
      fn: ({ db, newRow }) => {
        db.execute({ kind: 'insert', table: 'q', rows: [{ id: newRow?.['id'], k: 1 }], options: {} });
      },
    },
  },
  { kind: 'insert', table: 'p', rows: [{ id: 3, v: 3 }], options: {} },
  {
    kind: 'insertSelect',
    table: 'p',
    columns: ['id', 'v'],
    query: {
      table: 'p',
      select: [arithmetic('+', col('id'), 10), col('v')],
      where: eq(col('id'), 1),
      locking: { strength: 'Update' },
    },
    options: { onConflict: { target: ['id'], action: 'nothing' } },
  },
  {
    kind: 'update',
    table: 'p',
    set: { v: fromCol('s', 'k') },
    from: { table: 'q', alias: 's' },
    where: eq(col('id'), fromCol('s', 'id')),
    options: {},
  },
  { kind: 'disableTrigger', table: 'p', name: 'copy_to_q' },
  { kind: 'enableTrigger', table: 'p', name: 'copy_to_q' },
  { kind: 'dropTrigger', table: 'p', name: 'copy_to_q', options: {} },
  { kind: 'renameTable', name: 'q2', newName: 'q3' },
  { kind: 'truncate', tables: ['q3'], options: {} },
  { kind: 'dropTable', name: 'q3', options: {} },
  { kind: 'setSequenceOwner', sequence: 'seq2', owner: null },
  { kind: 'dropSequence', name: 'seq2' },
];

function run(program: readonly Statement[]) {
  const recorder = new StatementRecorder();
  const db = new Database();
  recorder.attach(db);
  const results = program.map((statement) => db.execute(statement));
  return { db, results, recorded: recorder.statements };
}

/** The program as JSON and back; CREATE TRIGGER keeps its function, which JSON cannot carry. */
function roundTrip(program: readonly Statement[]): Statement[] {
  return program.map((statement) =>
    statement.kind === 'createTrigger' ? statement : (JSON.parse(JSON.stringify(statement)) as Statement),
  );
}

describe('statements as values', () => {
  it('the program covers every registered statement kind', () => {
    expect(new Set(PROGRAM.map((statement) => statement.kind))).toEqual(new Set(Object.keys(STATEMENT_KINDS)));
  });

  it('every kind executes, reports one event and renders as SQL', () => {
    const { db, results, recorded } = run(PROGRAM);
    // The trigger's nested INSERT is not an event of its own: PostgreSQL runs it inside the function.
    expect(recorded.map((statement) => statement.statement.kind)).toEqual(PROGRAM.map((statement) => statement.kind));
    expect(recorded.filter((statement) => statement.outcome.status !== 'ok')).toEqual([]);
    expect(recorded.filter((statement) => statement.sql === null)).toEqual([]);
    expect(results[PROGRAM.findIndex((statement) => statement.kind === 'select')]).toEqual([
      { id: 2, v: 2, note: 'n' },
      { id: 1, v: 1, note: 'n' },
    ]);
    expect(results[PROGRAM.findIndex((statement) => statement.kind === 'nextval')]).toBe(10);
    expect(results[PROGRAM.findIndex((statement) => statement.kind === 'createIndex')]).toBe('q_id');
    expect(db.rows('q')).toEqual([
      { id: 3, k: 1 },
      { id: 11, k: 1 },
    ]);
    expect(db.rows('p')).toEqual([
      { id: 1, v: 1, note: 'n' },
      { id: 2, v: 2, note: 'n' },
      { id: 3, v: 1, note: 'n' },
      { id: 11, v: 1, note: 'n' },
    ]);
    expect(db.tableNames()).toEqual(['p', 'q', 'q1']);
  });

  it('a program replayed from JSON gives the same database, results and SQL', () => {
    const original = run(PROGRAM);
    const replayed = run(roundTrip(PROGRAM));
    expect(plainSnapshot(replayed.db)).toEqual(plainSnapshot(original.db));
    expect(replayed.results).toEqual(original.results);
    expect(replayed.recorded.map((statement) => statement.sql)).toEqual(
      original.recorded.map((statement) => statement.sql),
    );
  });

  it('the typed methods build the same values execute takes', () => {
    const recorder = new StatementRecorder();
    const db = new Database();
    recorder.attach(db);
    db.createTable({ name: 't', columns: [{ name: 'id', type: 'integer' }] });
    db.insert('t', { id: 1 });
    db.update('t', { id: 2 });
    db.delete('t', eq(col('id'), 2));
    db.dropTable('t');
    expect(recorder.statements.map((statement) => statement.statement)).toEqual([
      { kind: 'createTable', spec: { name: 't', columns: [{ name: 'id', type: 'integer' }] } },
      { kind: 'insert', table: 't', rows: [{ id: 1 }], options: {} },
      { kind: 'update', table: 't', set: { id: 2 }, where: null, options: {} },
      { kind: 'delete', table: 't', where: eq(col('id'), 2), options: {} },
      { kind: 'dropTable', name: 't', options: {} },
    ]);
  });
});

describe('engine layering', () => {
  it('nothing under src/engine imports the facade', () => {
    const root = join(import.meta.dirname, '../../src/engine');
    const offenders: string[] = [];
    const visit = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name.endsWith('.ts') && /from '(\.\.\/)+database\.js'/.test(readFileSync(path, 'utf8')))
          offenders.push(path);
      }
    };
    visit(root);
    expect(offenders).toEqual([]);
  });
});
