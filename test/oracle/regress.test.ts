import { beforeAll, describe, expect, it } from 'vitest';
import { col, eq } from '../../src/engine/expression.js';
import { REGRESS_CASES } from '../../src/oracle/regress/cases/index.js';
import { isUnsupported, regressCase, sourceIn } from '../../src/oracle/regress/regressCase.js';
import { diffCase, runRegress } from '../../src/oracle/regress/runRegress.js';
import { addConstraint, check, insert, notNull, table } from '../../src/oracle/regress/sql.js';
import type { SqlResult, SqlSession } from '../../src/oracle/sqlSession.js';
import { sharedPgliteSession } from '../support/pglite.js';

/**
 * The cases ported from PostgreSQL's regression suite, all of them, on the engine and on
 * PostgreSQL 18 (PGlite): every statement's outcome, message, the final rows and constraints.
 */
let session: SqlSession;
beforeAll(async () => {
  session = await sharedPgliteSession();
});

describe('PostgreSQL regression cases as a differential suite', () => {
  it('every case names its source file, line and an anchor line, and names are unique', () => {
    const names = REGRESS_CASES.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of REGRESS_CASES) {
      expect(entry.source.line).toBeGreaterThan(0);
      expect(entry.source.anchor.length).toBeGreaterThan(0);
      if (isUnsupported(entry)) expect(entry.reason.length).toBeGreaterThan(0);
      else expect(entry.statements.length).toBeGreaterThan(0);
    }
  });

  it('a different outcome, message, final row or constraint is reported as a divergence', async () => {
    const at = sourceIn('constraints.sql');
    const probe = regressCase(at(57, 'CREATE TABLE CHECK_TBL (x int,'), 'self-test', [
      table('t', 'x int', { constraints: [check(eq(col('x'), 1), 'only_one')] }),
      insert('t', { x: 2 }),
      insert('t', { x: 1 }),
    ]);
    expect((await diffCase(session, probe)).divergence).toBeNull();
    // The same case against a PostgreSQL whose answers are tampered with, one way at a time.
    const tampered = (
      rewrite: (sql: string) => string,
      alter: (result: SqlResult) => SqlResult = (result) => result,
    ): SqlSession => ({
      ...session,
      run: async (sql: string) => alter(await session.run(rewrite(sql))),
    });
    const looserCheck = await diffCase(
      tampered((sql) => sql.replace('("x" = 1)', '("x" > 0)').replace('(x = 1)', '(x > 0)')),
      probe,
    );
    expect(looserCheck.divergence?.reason).toBe('the model raised 23514, PostgreSQL succeeded');
    const otherMessage = await diffCase(
      tampered(
        (sql) => sql,
        (result) => (result.ok ? result : { ...result, message: 'something else' }),
      ),
      probe,
    );
    expect(otherMessage.divergence?.reason).toBe('the error messages differ');
    const renamed = await diffCase(
      tampered((sql) => sql.replace('only_one', 'other_name')),
      probe,
    );
    expect(renamed.divergence?.reason).toMatch(/^constraint only_one in the model, other_name in PostgreSQL/);
    const extraRow = await diffCase(
      tampered((sql) => sql.replace('VALUES (1)', 'VALUES (1), (1)')),
      probe,
    );
    expect(extraRow.divergence?.reason).toBe('1 rows affected in the model, 2 in PostgreSQL');
  });

  it("a not-null constraint's other name, validity or absence is a divergence", async () => {
    const at = sourceIn('constraints.sql');
    const probe = regressCase(at(855, '-- NOT NULL NOT VALID'), 'not-null-self-test', [
      table('t', 'a int, b int not null'),
      insert('t', { a: null, b: 1 }),
      addConstraint('t', notNull('a', 'nn', { notValid: true })),
    ]);
    expect((await diffCase(session, probe)).divergence).toBeNull();
    const tampered = (rewrite: (sql: string) => string): SqlSession => ({
      ...session,
      run: async (sql: string) => session.run(rewrite(sql)),
    });
    const validated = await diffCase(
      tampered((sql) => sql.replace(' NOT VALID', '')),
      probe,
    );
    expect(validated.divergence?.reason).toBe('the model succeeded, PostgreSQL raised 23502');
    const renamed = await diffCase(
      tampered((sql) => sql.replace('b integer NOT NULL', 'b integer CONSTRAINT other NOT NULL')),
      probe,
    );
    expect(renamed.divergence?.reason).toBe(
      'constraints differ: only in the model t.t_b_not_null n; only in PostgreSQL t.other n',
    );
    const dropped = await diffCase(
      tampered((sql) => sql.replace('ADD CONSTRAINT nn NOT NULL a NOT VALID', 'ALTER COLUMN b DROP NOT NULL')),
      probe,
    );
    expect(dropped.divergence?.reason).toMatch(
      /^constraints differ: only in the model t\.nn n NOT VALID, t\.t_b_not_null n;/,
    );
  });

  it('all cases agree with PostgreSQL 18', async () => {
    const result = await runRegress(session, REGRESS_CASES);
    expect(result.divergences).toEqual([]);
    expect(result.cases).toBe(result.agree);
    expect(result.cases + result.unsupported.length).toBe(REGRESS_CASES.length);
  }, 240_000);
});
