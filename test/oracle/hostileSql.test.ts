import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, col, compare, lit } from '../../src/index.js';
import type { Scenario } from '../../src/harness/scenario.js';
import { parsePlan } from '../../src/harness/planFile.js';
import type { JsonValue } from '../../src/harness/json.js';
import { StatementRecorder } from '../../src/oracle/recorder.js';
import { renderScript, scenarioScript } from '../../src/oracle/sqlScript.js';
import {
  SqlQuoteError,
  formatSql,
  identifierProblem,
  quoteIdentifier,
  quoteLiteral,
  sqlComment,
} from '../../src/engine/sqlText.js';
import { installSyncTrigger } from '../../model/gitlab/syncTrigger.js';
import { runnersDomain } from '../../model/runners/domain.js';
import { createPglite } from '../support/pglite.js';

/**
 * Plans and counterexamples are untrusted, and reviewers run `pgdrill replay … --sql` with psql
 * against their own databases. Hostile names and values (quotes, backslashes, dollar quotes,
 * line breaks, carriage returns, unicode, 63-byte names) go through every renderer, the script
 * runs on PostgreSQL (PGlite), and exactly the expected statements must run: a canary table
 * outside the script's schema proves that nothing else did.
 */
let pg: PGlite;
beforeAll(async () => {
  pg = await createPglite();
  await pg.exec('CREATE TABLE public.canary (n integer); INSERT INTO public.canary VALUES (1);');
});
afterAll(async () => {
  await pg.close();
});

async function canaryIntact(): Promise<void> {
  const rows = (await pg.query<{ n: number }>('SELECT n FROM public.canary')).rows;
  expect(rows).toEqual([{ n: 1 }]);
  const extra = (
    await pg.query<{ relname: string }>(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
  ).rows;
  expect(extra.map((row) => row.relname)).toEqual(['canary']);
}

/** Pieces an attacker would use to break out of an identifier, a literal, a dollar quote or a comment. */
const HOSTILE_PIECES = [
  '"',
  "'",
  '\\',
  '$$',
  '$pgdrill$',
  '$pgdrill1$',
  '\n',
  '\r',
  '\r\n',
  '\t',
  ';',
  '--',
  '/*',
  '*/',
  ')',
  '::regclass',
  '\\!',
  ":'x'",
  'é',
  '€',
  '😀',
  '\u202e',
  '\u2028',
  '\u0085',
  '\u001b[2J',
  ' DROP TABLE public.canary; ',
  'select',
  'order',
  'NULL',
];

const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

/** A name PostgreSQL keeps as written (1–63 bytes, no NUL), hostile or a keyword, or 63 bytes exactly. */
const hostileName = fc
  .oneof(
    { arbitrary: hostileText.map((text) => text.replaceAll('\0', '')), weight: 4 },
    {
      arbitrary: fc.constantFrom('select', 'order', 'user', 'between', 'json_table', 'Mixed', '1starts_with_digit'),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(`${'€'.repeat(21)}`, `x${'"'.repeat(62)}`, 'n'.repeat(63), `a'b${'é'.repeat(30)}`),
      weight: 1,
    },
  )
  .filter((name) => identifierProblem(name) === null);

const hostileValue = hostileText.map((text) => text.replaceAll('\0', ''));

describe('the quoting functions', () => {
  it('refuse what PostgreSQL cannot hold instead of rendering it wrongly', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(SqlQuoteError);
    expect(() => quoteIdentifier('')).toThrow(SqlQuoteError);
    expect(() => quoteLiteral('a\0b')).toThrow(SqlQuoteError);
    expect(() => quoteLiteral(Number.NaN)).toThrow(SqlQuoteError);
    expect(() => formatSql('%s', 'x')).toThrow(/unknown conversion %s/);
    expect(() => formatSql('%I %I', 'x')).toThrow(/too few arguments/);
    expect(identifierProblem('n'.repeat(64))).toMatch(/64 bytes/);
    expect(identifierProblem('€'.repeat(21))).toBeNull();
    expect(identifierProblem('€'.repeat(22))).toMatch(/66 bytes/);
  });

  it('write identifiers as quote_ident and literals as quote_literal do', async () => {
    const names = ['plain', 'select', 'Mixed', 'a"b', 'ünï', 'a b', '_x1', 'json_table', 'name'];
    for (const name of names) {
      const theirs = (await pg.query<{ q: string }>('SELECT quote_ident($1) AS q', [name])).rows[0]!.q;
      // A few unreserved keywords are quoted by choice (see sqlQuote.ts); quoting more is harmless.
      if (name !== 'name') expect(quoteIdentifier(name), name).toBe(theirs);
      expect((await pg.query<{ v: string }>(`SELECT ${quoteLiteral(name)}::text AS v`)).rows[0]!.v).toBe(name);
    }
    for (const value of ["it's", 'back\\slash', "both\\'", '$$', '\n\r']) {
      expect((await pg.query<{ v: string }>(`SELECT ${quoteLiteral(value)}::text AS v`)).rows[0]!.v).toBe(value);
    }
  });

  it('keep every comment on its line', () => {
    for (const text of ['a\nb', 'a\rDROP TABLE x', 'a\r\n\r\nb', 'x\u2028y', 'x\u0085y', 'e\u001b[2J']) {
      const comment = sqlComment(text);
      expect(comment.startsWith('-- ')).toBe(true);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that no line break got through
      expect(comment).not.toMatch(/[\r\n\u2028\u2029\u0085\u001b]/);
    }
  });
});

interface Names {
  readonly table: string;
  readonly column: string;
  readonly copy: string;
  readonly sequence: string;
  readonly constraint: string;
  readonly value: string;
  readonly text: string;
}

/** Runs hostile names through the engine with every statement recorded, as a counterexample's script is built. */
function hostileScript(names: Names): { script: string; statements: number; engine: Database } {
  const prefix = (name: string): string => Array.from(name).slice(0, 10).join('');
  const db = new Database();
  const recorder = new StatementRecorder();
  recorder.attach(db);
  db.createSequence(names.sequence);
  db.createTable({
    name: names.table,
    columns: [
      { name: 'id', type: 'bigint' },
      { name: names.column, type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.createTable({
    name: names.copy,
    columns: [
      { name: 'id', type: 'bigint' },
      { name: names.column, type: 'text' },
    ],
    primaryKey: ['id'],
  });
  db.addConstraint(names.table, {
    kind: 'check',
    name: names.constraint,
    expr: compare('<>', col(names.column), lit(`${names.value.repeat(3)}!`)),
    notValid: true,
  });
  // ensure_unique_id's function: nextval() of a hostile sequence name, through format()'s %L of %I.
  db.createTrigger({
    name: names.constraint,
    table: names.table,
    timing: 'before',
    events: ['insert'],
    functionName: `${prefix(names.constraint)}_id`,
    functionBody: [
      'BEGIN',
      formatSql('NEW."id" := nextval(%L::regclass);', formatSql('%I', names.sequence)),
      'RETURN NEW;',
      'END',
    ].join('\n'),
    fn: (context) => ({ ...context.newRow!, id: context.db.nextval(names.sequence) }),
  });
  // The sync trigger GitLab generates, with hostile table and column names.
  installSyncTrigger(db, {
    source: names.table,
    copy: names.copy,
    columns: ['id', names.column],
    triggerName: `${prefix(names.copy)}_sync`,
    functionName: `${prefix(names.copy)}_sync_fn`,
  });
  db.insert(names.table, { id: null, [names.column]: names.value });
  db.update(names.table, { [names.column]: `${names.value}${names.value}` }, compare('=', col('id'), lit(1)));
  for (const statement of recorder.statements) expect(statement.renderError, statement.sql ?? '').toBeNull();
  const script = renderScript(
    [names.text, `title ${names.text}`],
    recorder.statements,
    () => names.text,
    recorder.statements.length - 1,
  );
  // Each script statement is one statement, except CREATE TRIGGER (its function, then the trigger).
  const statements =
    script.preamble.length +
    script.statements.reduce(
      (count, statement) => count + (statement.sql.startsWith('CREATE OR REPLACE FUNCTION') ? 2 : 1),
      0,
    );
  return { script: script.text, statements, engine: db };
}

describe('hostile names and values through every renderer, run on PostgreSQL', () => {
  it('run exactly the expected statements and leave the same rows as the engine', async () => {
    const seen = {
      quote: 0,
      doubleQuote: 0,
      backslash: 0,
      dollar: 0,
      lineBreak: 0,
      carriageReturn: 0,
      unicode: 0,
      long: 0,
    };
    const names = fc
      .record({
        table: hostileName,
        column: hostileName,
        copy: hostileName,
        sequence: hostileName,
        constraint: hostileName,
        value: hostileValue,
        text: hostileValue,
      })
      .filter(
        (drawn) =>
          new Set([drawn.table, drawn.copy, drawn.sequence]).size === 3 &&
          drawn.column !== 'id' &&
          Array.from(drawn.constraint).slice(0, 10).join('') !== Array.from(drawn.copy).slice(0, 10).join(''),
      );
    await fc.assert(
      fc.asyncProperty(names, async (drawn) => {
        const all = Object.values(drawn).join('');
        if (all.includes("'")) seen.quote++;
        if (all.includes('"')) seen.doubleQuote++;
        if (all.includes('\\')) seen.backslash++;
        if (all.includes('$')) seen.dollar++;
        if (all.includes('\n')) seen.lineBreak++;
        if (all.includes('\r')) seen.carriageReturn++;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: counting non-ASCII draws
        if (/[^\u0000-\u007f]/.test(all)) seen.unicode++;
        if (Object.values(drawn).some((name) => Buffer.byteLength(name) >= 60)) seen.long++;
        const { script, statements, engine } = hostileScript(drawn);
        // The script as psql would receive it, comments and all, in one simple query.
        const results = await pg.exec(script);
        expect(results.length).toBe(statements);
        await canaryIntact();
        const [table, copy] = await Promise.all(
          [drawn.table, drawn.copy].map((name) =>
            pg.query<Record<string, unknown>>(`SELECT * FROM pgdrill_replay.${quoteIdentifier(name)} ORDER BY id`),
          ),
        );
        const normalize = (rows: readonly Record<string, unknown>[]) =>
          rows.map((row) =>
            Object.fromEntries(
              Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]),
            ),
          );
        expect(normalize(table!.rows)).toEqual(engine.rows(drawn.table));
        expect(normalize(copy!.rows)).toEqual(engine.rows(drawn.copy));
        const objects = (
          await pg.query<{ relname: string; relkind: string }>(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgdrill_replay' AND c.relkind IN ('r', 'S') ORDER BY 1",
          )
        ).rows;
        expect(objects.map((row) => row.relname).sort()).toEqual([drawn.table, drawn.copy, drawn.sequence].sort());
      }),
      { seed: 14, numRuns: 120 },
    );
    // The interesting cases are generated, not merely possible.
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(10);
  });
});

describe('a hostile plan file, exported with replay --sql, runs on PostgreSQL with exactly the statements it shows', () => {
  it('the injections of issue 14 stay inert', async () => {
    const base = JSON.parse(
      readFileSync(new URL('../../model/plans/replace-ci-runners-with-partitioned.json', import.meta.url), 'utf8'),
    ) as { steps: Array<Record<string, JsonValue>> } & Record<string, JsonValue>;
    const injection = "x'::regclass); CREATE TABLE public.pwned (); --";
    const steps = base.steps.map((step) =>
      step.step === 'ensure_unique_id' ? { ...step, seq: injection, expectMissing: injection } : step,
    );
    const hostile = {
      ...base,
      description: 'evil\rCREATE TABLE public.pwned_description ();',
      steps: [
        {
          step: 'add_check_constraint',
          table: 'ci_runners',
          name: 'c\nCREATE TABLE public.pwned_newline ();\r--',
          expr: { ne: ['token', "x'); CREATE TABLE public.pwned_literal (); --\\"] },
          validate: false,
        },
        ...steps,
      ],
    };
    const plan = parsePlan(runnersDomain, hostile as unknown as JsonValue, 'hostile.json');
    const scenario: Scenario = {
      swarm: ['createRunner'],
      legacy: [{ op: 'legacyCreateRunner', args: { extraProjects: 0, group: 0, orphan: false, project: 0, type: 1 } }],
      steps: [{ op: 'createRunner', args: { type: 1, project: 0, group: 0, extraProjects: 0 } }],
    };
    const script = scenarioScript(runnersDomain, plan, scenario);
    expect(script.text).toContain("nextval('\"x''::regclass); CREATE TABLE public.pwned (); --\"'::regclass)");
    // Statement by statement, every one ends as the model said it would.
    for (const sql of script.preamble) await pg.exec(sql);
    for (const statement of script.statements) {
      let code: string | null = null;
      try {
        await pg.exec(statement.sql);
      } catch (error) {
        code = (error as { code?: string }).code ?? 'unknown';
      }
      if (statement.kind === 'statement') expect(code, statement.sql).toBe(statement.expected?.code ?? null);
    }
    await canaryIntact();
    // And as one script, comments included, nothing but its statements runs.
    await pg.exec('DROP SCHEMA IF EXISTS pgdrill_replay CASCADE');
    try {
      await pg.exec(script.text);
    } catch {
      // psql goes on after an error and PGlite's exec stops; either way nothing else may have run.
    }
    await canaryIntact();
  });
});
