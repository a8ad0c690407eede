import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/index.js';
import { diffRecorded } from '../../src/oracle/differential.js';
import { randomSchemaCampaign } from '../../src/oracle/diffCampaign.js';
import { HOSTILE_NAME, HOSTILE_TEXT } from '../../src/oracle/randomProgram.js';
import { StatementRecorder } from '../../src/oracle/recorder.js';
import type { SqlSession } from '../../src/oracle/sqlSession.js';
import { sharedPgliteSession } from '../support/pglite.js';

/** The engine against PostgreSQL 18 (PGlite, the instance the worker shares with the other scratch-schema suites) on random schemas. */
let session: SqlSession;
beforeAll(async () => {
  session = await sharedPgliteSession();
});

describe('differential runs against PGlite', () => {
  it('a hostile table, column and value round-trip as one identifier and one literal', async () => {
    const recorder = new StatementRecorder();
    const db = new Database();
    recorder.attach(db);
    db.createTable({ name: 't0', columns: [{ name: 'a', type: 'integer' }] });
    db.createTable({
      name: HOSTILE_NAME,
      columns: [
        { name: 'x"; DROP TABLE y; --', type: 'text' },
        { name: 'n', type: 'integer' },
      ],
      primaryKey: ['n'],
    });
    db.insert(HOSTILE_NAME, { 'x"; DROP TABLE y; --': HOSTILE_TEXT, n: 1 });
    db.insert(HOSTILE_NAME, { 'x"; DROP TABLE y; --': "x'; DROP TABLE t0; --", n: 2 });
    const outcome = await diffRecorded(session, recorder.statements, db.snapshot());
    expect(outcome.divergence).toBeNull();
    expect(outcome.statements).toBe(4);
  });

  it('a fixed-seed campaign over random schemas finds no divergence', async () => {
    const result = await randomSchemaCampaign(session, { runs: 300, seed: 20_251_105 });
    expect(result.divergence?.divergence ?? null).toBeNull();
    expect(result.runs).toBe(300);
    expect(result.statements).toBeGreaterThan(1000);
    // The comparison is only as strong as the failures it provokes: each class must really occur.
    const seen = (code: string): number => result.outcomes[code] ?? 0;
    expect({
      ok: seen('ok') > 0,
      notNull: seen('23502') > 0,
      foreignKey: seen('23503') > 0,
      unique: seen('23505') > 0,
      checkOrPartition: seen('23514') > 0,
    }).toEqual({ ok: true, notNull: true, foreignKey: true, unique: true, checkOrPartition: true });
    // TRUNCATE is part of the random statements (its refusal is pinned by the truncate.sql cases).
    expect(result.kinds.truncate ?? 0).toBeGreaterThan(0);
    expect(result.kinds.renameColumn ?? 0).toBeGreaterThan(0);
    expect(result.kinds.setConstraints ?? 0).toBeGreaterThan(0);
    expect(result.kinds.setColumnNotNull ?? 0).toBeGreaterThan(0);
  });
});
