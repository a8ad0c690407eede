/**
 * Compares the constraints of the two catalogs at the end of a case: every PRIMARY KEY, UNIQUE,
 * CHECK, FOREIGN KEY and NOT NULL constraint by table, name, kind and validity, including the foreign-key
 * rows PostgreSQL adds for each referenced partition. Generated names and NOT VALID marks are
 * PostgreSQL behaviour a migration sees (it addresses constraints by name), so they must agree.
 * Likewise every index by table, name, uniqueness, validity (pg_index.indisvalid) and the
 * partitioned index it is attached to (pg_inherits): what GitLab's index helpers check before
 * they skip or retry a step. And every column's `attnotnull`, which PostgreSQL 18 keeps true for a
 * NOT VALID not-null constraint too.
 */
import type { Database } from '../../database.js';
import type { SqlSession } from '../sqlSession.js';

const KIND_LETTER: Readonly<Record<string, string>> = {
  primaryKey: 'p',
  unique: 'u',
  check: 'c',
  foreignKey: 'f',
  notNull: 'n',
};

const timing = (deferrable: boolean, initiallyDeferred: boolean): string =>
  `${deferrable ? ' DEFERRABLE' : ''}${initiallyDeferred ? ' INITIALLY DEFERRED' : ''}`;

function engineConstraints(db: Database): string[] {
  const lines = db
    .constraints()
    .map(
      (constraint) =>
        `${constraint.table}.${constraint.name} ${KIND_LETTER[constraint.kind] ?? '?'}${constraint.valid ? '' : ' NOT VALID'}${timing(constraint.deferrable, constraint.initiallyDeferred)}`,
    );
  for (const copy of db.referencedSideConstraints())
    lines.push(
      `${copy.table}.${copy.name} f${copy.valid ? '' : ' NOT VALID'}${timing(copy.deferrable, copy.initiallyDeferred)}`,
    );
  return lines.sort();
}

async function postgresConstraints(session: SqlSession, schema: string): Promise<string[]> {
  const result = await session.run(
    `SELECT r.relname AS tbl, c.conname AS name, c.contype AS type, c.convalidated AS valid,
            c.condeferrable AS deferrable, c.condeferred AS deferred FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
     JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = '${schema}' AND c.contype IN ('p', 'u', 'c', 'f', 'n')`,
  );
  if (!result.ok) throw new Error(`cannot read the oracle's constraints: ${result.message}`);
  return result.rows
    .map(
      (row) =>
        `${String(row.tbl)}.${String(row.name)} ${String(row.type)}${row.valid === true ? '' : ' NOT VALID'}${timing(row.deferrable === true, row.deferred === true)}`,
    )
    .sort();
}

/** One sentence naming the constraints only one side has, or null when the catalogs agree. */
export async function constraintCatalogDifference(
  db: Database,
  session: SqlSession,
  schema: string,
): Promise<string | null> {
  const model = engineConstraints(db);
  const postgres = await postgresConstraints(session, schema);
  const onlyModel = model.filter((line) => !postgres.includes(line));
  const onlyPostgres = postgres.filter((line) => !model.includes(line));
  if (onlyModel.length === 0 && onlyPostgres.length === 0) return null;
  return `constraints differ: only in the model ${onlyModel.join(', ') || '(none)'}; only in PostgreSQL ${onlyPostgres.join(', ') || '(none)'}`;
}

function engineIndexes(db: Database): string[] {
  const lines: string[] = [];
  for (const table of db.tableNames())
    for (const index of db.describe(table).indexes)
      lines.push(
        `${table}.${index.name}${index.unique ? ' UNIQUE' : ''}${index.valid ? '' : ' INVALID'} parent=${index.parent ?? '-'}`,
      );
  return lines.sort();
}

async function postgresIndexes(session: SqlSession, schema: string): Promise<string[]> {
  const result = await session.run(
    `SELECT t.relname AS tbl, c.relname AS name, i.indisunique AS uniq, i.indisvalid AS valid,
            (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = c.oid) AS parent
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = '${schema}'`,
  );
  if (!result.ok) throw new Error(`cannot read the oracle's indexes: ${result.message}`);
  return result.rows
    .map(
      (row) =>
        `${String(row.tbl)}.${String(row.name)}${row.uniq === true ? ' UNIQUE' : ''}${row.valid === true ? '' : ' INVALID'} parent=${row.parent === null ? '-' : String(row.parent)}`,
    )
    .sort();
}

/** One sentence naming the indexes only one side has (by name, uniqueness, validity, parent), or null. */
export async function indexCatalogDifference(
  db: Database,
  session: SqlSession,
  schema: string,
): Promise<string | null> {
  const model = engineIndexes(db);
  const postgres = await postgresIndexes(session, schema);
  const onlyModel = model.filter((line) => !postgres.includes(line));
  const onlyPostgres = postgres.filter((line) => !model.includes(line));
  if (onlyModel.length === 0 && onlyPostgres.length === 0) return null;
  return `indexes differ: only in the model ${onlyModel.join(', ') || '(none)'}; only in PostgreSQL ${onlyPostgres.join(', ') || '(none)'}`;
}

function engineNotNullColumns(db: Database): string[] {
  const lines: string[] = [];
  for (const table of db.tableNames())
    for (const column of db.describe(table).columns) if (column.notNull) lines.push(`${table}.${column.name}`);
  return lines.sort();
}

async function postgresNotNullColumns(session: SqlSession, schema: string): Promise<string[]> {
  const result = await session.run(
    `SELECT r.relname AS tbl, a.attname AS col FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE n.nspname = '${schema}' AND r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull`,
  );
  if (!result.ok) throw new Error(`cannot read the oracle's columns: ${result.message}`);
  return result.rows.map((row) => `${String(row.tbl)}.${String(row.col)}`).sort();
}

/** One sentence naming the columns whose `attnotnull` differs, or null when they agree. */
export async function notNullColumnDifference(
  db: Database,
  session: SqlSession,
  schema: string,
): Promise<string | null> {
  const model = engineNotNullColumns(db);
  const postgres = await postgresNotNullColumns(session, schema);
  const onlyModel = model.filter((line) => !postgres.includes(line));
  const onlyPostgres = postgres.filter((line) => !model.includes(line));
  if (onlyModel.length === 0 && onlyPostgres.length === 0) return null;
  return `attnotnull differs: NOT NULL only in the model ${onlyModel.join(', ') || '(none)'}; only in PostgreSQL ${onlyPostgres.join(', ') || '(none)'}`;
}
