import { describe, expect, it } from 'vitest';
import { Database, col, eq, excluded } from '../../src/index.js';
import { StatementRecorder } from '../../src/oracle/recorder.js';

/** The renderer's SQL for each kind of statement, captured through the listener. */
function record(body: (db: Database) => void): string[] {
  const recorder = new StatementRecorder();
  const db = new Database();
  recorder.attach(db);
  try {
    body(db);
  } catch {
    // Failing statements are recorded too.
  }
  return recorder.statements.map((statement) => statement.sql ?? `!${statement.renderError}`);
}

describe('SQL rendering of statement events', () => {
  it('renders tables, keys, partitions and NOT VALID constraints', () => {
    const sql = record((db) => {
      db.createTable({
        name: 'p',
        columns: [
          { name: 'id', type: 'bigserial' },
          { name: 'at', type: 'timestamptz', default: { now: true } },
        ],
        primaryKey: ['id'],
      });
      db.createTable({
        name: 'c',
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'k', type: 'smallint' },
        ],
        partitionBy: { list: 'k' },
      });
      db.createTable({ name: 'c_1', partitionOf: { parent: 'c', values: [1, 2] } });
      db.addConstraint('c', {
        kind: 'foreignKey',
        name: 'fk',
        columns: ['id'],
        references: { table: 'p' },
        onDelete: 'cascade',
        notValid: true,
      });
      db.createIndex({ name: 'ix', table: 'p', columns: ['at'], where: eq(col('at'), 5) });
    });
    expect(sql).toEqual([
      'CREATE TABLE p (\n  id bigserial,\n  at timestamptz DEFAULT now(),\n  PRIMARY KEY (id)\n)',
      'CREATE TABLE c (\n  id bigint,\n  k smallint\n) PARTITION BY LIST (k)',
      'CREATE TABLE c_1 PARTITION OF c FOR VALUES IN (1, 2)',
      'ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES p ON DELETE CASCADE ON UPDATE NO ACTION NOT VALID',
      'CREATE INDEX ix ON p (at) WHERE (at = to_timestamp(5))',
    ]);
  });

  it('renders DML with ON CONFLICT, transactions, and refuses a trigger without a PL/pgSQL body', () => {
    const sql = record((db) => {
      db.createTable({
        name: 't',
        columns: [
          { name: 'a', type: 'integer' },
          { name: 'b', type: 'text' },
        ],
        primaryKey: ['a'],
      });
      db.begin();
      db.insert('t', [{ a: 1, b: "it's" }, { a: 2 }], {
        onConflict: { target: ['a'], action: { update: { b: excluded('b') } } },
      });
      db.update('t', { b: null }, eq(col('a'), 1));
      db.delete('t', eq(col('b'), 'x'));
      db.commit();
      db.createTrigger({ name: 'tr', table: 't', timing: 'after', events: ['insert'], fn: () => undefined });
    });
    expect(sql.slice(1)).toEqual([
      'BEGIN',
      "INSERT INTO t (a, b) VALUES (1, 'it''s'), (2, DEFAULT) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
      'UPDATE t SET b = NULL WHERE (a = 1)',
      "DELETE FROM t WHERE (b = 'x')",
      'COMMIT',
      '!trigger tr on t has no PL/pgSQL body: give its TriggerSpec a functionBody',
    ]);
  });

  it('reports only top-level statements, not those a trigger runs', () => {
    const sql = record((db) => {
      db.createTable({ name: 'log', columns: [{ name: 'a', type: 'integer' }] });
      db.createTable({ name: 't', columns: [{ name: 'a', type: 'integer' }] });
      db.createTrigger({
        name: 'tr',
        table: 't',
        timing: 'after',
        events: ['insert'],
        functionBody: 'BEGIN INSERT INTO log VALUES (NEW.a); RETURN NULL; END',
        fn: ({ newRow, db: inner }) => void inner.insert('log', { a: newRow!.a! }),
      });
      db.insert('t', { a: 1 });
    });
    expect(sql).toHaveLength(4);
    expect(sql[3]).toBe('INSERT INTO t (a) VALUES (1)');
  });
});
